"""Django's database sessions, with the statements a sign-in does not need left out.

- A new session key is 32 random characters (log2(36**32) ≈ 165 bits): Django's store first asks
  whether it is taken (a SELECT), then INSERTs it. Here the INSERT alone decides: a key that is taken
  (never seen in practice) fails it, and create() draws another, as it does for a race.
- A session is deleted with one DELETE, not a SELECT of its row and then a DELETE.
- A new key (cycle_key, at every sign-in) is drawn at once and the old row deleted at once, but the
  row under the new key is written by the next save, with what the sign-in put in it since: one
  INSERT, not an INSERT at login() and an UPDATE when the response is sent.
- A save writes only when something changed since the last one: a view that saved the session
  (a sign-in saves it before its "Display my sessions" entry) is not written again by
  SessionMiddleware, which still sends the cookie (`modified` stays true for it).

The same table, the same data and the same behaviour otherwise: settings.SESSION_ENGINE names this
module.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    _modified = False
    _unsaved = False  # changed since it was loaded or last written
    _insert_next = False  # a key from cycle_key(), no row under it yet

    @property
    def modified(self) -> bool:
        return self._modified

    @modified.setter
    def modified(self, value: bool) -> None:
        self._modified = value
        if value:
            self._unsaved = True

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
        self._unsaved = False

    def save(self, must_create: bool = False) -> None:
        if self.session_key is not None and not (must_create or self._insert_next or self._unsaved):
            return  # written already, unchanged since
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
        self._unsaved = False

    def delete(self, session_key=None) -> None:
        session_key = session_key or self.session_key
        if session_key is not None:
            self.model.objects.filter(session_key=session_key).delete()
