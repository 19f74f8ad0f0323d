"""Django's database sessions, with the statements a sign-in does not need left out.

- A new session key is 32 random characters (log2(36**32) ≈ 165 bits): Django's store first asks
  whether it is taken (a SELECT), then INSERTs it. Here the INSERT alone decides: a key that is taken
  (never seen in practice) fails it, and create() draws another, as it does for a race.
- A session is deleted with one DELETE, not a SELECT of its row and then a DELETE.

The same table, the same data and the same behaviour otherwise: settings.SESSION_ENGINE names this
module.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def delete(self, session_key=None) -> None:
        session_key = session_key or self.session_key
        if session_key is not None:
            self.model.objects.filter(session_key=session_key).delete()
