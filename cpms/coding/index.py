"""The keys a concept is found by, shared by the import (which stores them) and the search (which folds
the query the same way). Each key is folded text; a search is a prefix of a key."""

import re

from cpms.lib.text import folded

KEY_LENGTH = 100
_SPACES = re.compile(r"\s+")
_WORD_START = re.compile(r"(?<![^\W_])\w")  # a letter or digit after a non-word character


def fold(text: str) -> str:
    return _SPACES.sub(" ", folded(text)).strip()


def printable(text: str) -> str:
    """What was typed without control characters, surrogates and unassigned code points (PostgreSQL
    refuses NUL, UTF-8 refuses surrogates, and nothing after U+10FFFF has a successor)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def code_keys(code: str) -> set[str]:
    """ "HP:0001250" → hp:0001250 and 0001250; "ORPHA:558" → orpha:558 and 558; "G40.3" → g40.3, g403."""
    key = fold(code)
    keys = {key, key.replace(".", "")}
    if ":" in key:
        keys.add(key.split(":", 1)[1])
    return keys


def word_keys(text: str) -> list[str]:
    """The text from each of its words on: "Focal aware seizure" → "aware seizure", "seizure"."""
    key = fold(text)
    return [key[match.start() :][:KEY_LENGTH] for match in _WORD_START.finditer(key) if match.start() > 0]


def successor(prefix: str) -> str:
    """The smallest string greater than every string that starts with `prefix` (in code-point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
