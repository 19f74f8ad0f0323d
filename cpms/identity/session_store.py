"""Django's database sessions, with the statements a sign-in does not need left out.

- A new session key is 32 random characters (log2(36**32) ≈ 165 bits): Django's store first asks
  whether it is taken (a SELECT), then INSERTs it. Here the INSERT alone decides: a key that is taken
  (never seen in practice) fails it, and create() draws another, as it does for a race.
- A session is deleted with one DELETE, not a SELECT of its row and then a DELETE.
- A new key (cycle_key, at every sign-in) is drawn at once and the old row deleted at once, but the
  row under the new key is written by the next save, with what the sign-in put in it since: one
  INSERT, not an INSERT at login() and an UPDATE when the response is sent.
- A save writes only when the data differs from what this store last wrote (compared by value, so a
  change inside a nested dict counts): a view that saved the session (a sign-in saves it before its
  "Display my sessions" entry) is not written again by SessionMiddleware, which still sends the
  cookie (`modified` stays true for it). A session loaded and saved is always written, as Django's.

The same table, the same data and the same behaviour otherwise: settings.SESSION_ENGINE names this
module.
"""

import copy

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    _insert_next = False  # a key from cycle_key(), no row under it yet
    _written = None  # (key, a copy of the data) as this store last wrote them

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def cycle_key(self) -> None:
        """A new key for the same data (no session fixation): the old row goes now, the new one is
        INSERTed by the next save."""
        data, old_key = self._session, self.session_key
        self._session_key = self._get_new_session_key()
        self._session_cache = data
        self._insert_next = True
        self.modified = True
        if old_key:
            self.delete(old_key)

    def create(self) -> None:
        super().create()
        self._insert_next = False

    def save(self, must_create: bool = False) -> None:
        if not (must_create or self._insert_next) and self._written == (self.session_key, self._session):
            return  # this very data is in its row already (compared by value: nested changes count)
        if self._insert_next and not must_create:
            while True:
                try:
                    super().save(must_create=True)
                    break
                except CreateError:  # the key is taken: another one, as create() does
                    self._session_key = self._get_new_session_key()
        else:
            super().save(must_create=must_create)
        self._insert_next = False
        self._written = (self.session_key, copy.deepcopy(self._session))

    def delete(self, session_key=None) -> None:
        session_key = session_key or self.session_key
        if session_key is not None:
            self.model.objects.filter(session_key=session_key).delete()
        if session_key == self.session_key:
            self._written = None
