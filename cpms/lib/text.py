"""Text as people search it."""

import unicodedata


def folded(text: str) -> str:
    """Lower case without accents: "Universitätsklinikum Tübingen" → "universitatsklinikum tubingen".

    Stored next to names (a search column) and applied to what is typed, so that a search ignores
    accents and case the same way on SQLite and PostgreSQL, without database extensions.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
