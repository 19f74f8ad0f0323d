"""French is complete: every entry translated, none fuzzy, and the compiled catalogue up to date."""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale/fr/LC_MESSAGES/django.po"
QUOTED_LINES = r'(?:"[^\n]*"\n)+'
ENTRY = re.compile(
    rf"(?ms)^(#[^\n]*\n)*(?:msgctxt ({QUOTED_LINES}))?msgid ({QUOTED_LINES})"
    rf"(?:msgid_plural {QUOTED_LINES})?"
    rf"((?:msgstr(?:\[\d\])? {QUOTED_LINES})+)"
)


def unquote(block: str) -> str:
    return "".join(ast.literal_eval(line) for line in block.split("\n") if line.startswith('"'))


def entries():
    for match in ENTRY.finditer(PO.read_text() + "\n"):
        comments = match.group(0).split("msgid ")[0]
        context, msgid, msgstrs = match.group(2), match.group(3), match.group(4)
        if msgid.strip() == '""':
            continue  # the header
        translations = [unquote(part) for part in re.split(r"msgstr(?:\[\d\])? ", msgstrs)[1:]]
        yield unquote(context or '""'), unquote(msgid), translations, "fuzzy" in comments


def test_every_french_entry_is_translated_and_not_fuzzy():
    assert len(list(entries())) > 500
    problems = [msgid for _, msgid, translations, fuzzy in entries() if fuzzy or not all(translations)]
    assert problems == []


def test_the_compiled_catalogue_matches_the_po_file():
    with open(PO.with_suffix(".mo"), "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    missing = [
        msgid
        for context, msgid, translations, _ in entries()
        if compiled(catalogue, context, msgid) == msgid != translations[0]
    ]
    assert missing == [], "run scripts/makemessages.sh to compile the catalogue"


def compiled(catalogue, context: str, msgid: str) -> str:
    return catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
