"""Apps above panels that must hear at once of a member's removal (meetings: close their room
connection) register a listener here from their AppConfig.ready(); panels may not import them
(import-linter's layers). A listener is called with (panel_id, user_id) once the removal commits.
"""

from collections.abc import Callable

from django.db import transaction

Listener = Callable[[int, int], None]
_listeners: list[Listener] = []


def register(listener: Listener) -> Listener:
    """Add a listener (once: registering the same function again changes nothing)."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def member_removed(panel_id: int, user_id: int) -> None:
    """Tell every listener, after commit, that `user_id` is no longer a member of `panel_id`."""
    for listener in _listeners:
        transaction.on_commit(lambda listener=listener: listener(panel_id, user_id))
