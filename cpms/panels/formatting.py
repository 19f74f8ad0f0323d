"""Formatted text of the discussion: a small Markdown subset, rendered to HTML that is safe to show.

What members may write: paragraphs, line breaks, **bold**, *italic*, bulleted and numbered lists,
and links. markdown-it-py (CommonMark, the parser Jupyter and MyST use) parses with only those
rules on and raw HTML off; nh3 (the Rust `ammonia` sanitiser) then keeps only the tags and
attributes of that subset, whatever the parser let through, and marks every link
`rel="noopener noreferrer nofollow"`. Mentions (`@username` of people named by the caller) are
shown as the person's name.
"""

import re
from collections.abc import Mapping

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

RULES = ("paragraph", "newline", "emphasis", "list", "link", "autolink", "escape", "backticks")
TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code"}
ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# A mention: "@" and a username, not inside a word or an e-mail address.
MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_.+-]*[A-Za-z0-9_])")
# Characters of Unicode's private use area stand for a mention while the text is parsed; a user's own
# are removed first, so that nobody can forge one.
PRIVATE = re.compile("[\ue000-\uf8ff]")
PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")

_parser = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(list(RULES))


def mentioned_usernames(text: str) -> set[str]:
    """The usernames written as `@username` in `text` (lower case), whoever they are."""
    return {match.group(1).lower() for match in MENTION.finditer(text or "")}


def render(text: str, *, people: Mapping[str, tuple[int, str]] | None = None) -> SafeString:
    """`text` as sanitised HTML; `@username` of `people` (lower-case username → (id, name)) as a name."""
    people = people or {}
    names: dict[int, str] = {}

    def stand_in(match: re.Match) -> str:
        found = people.get(match.group(1).lower())
        if found is None:
            return match.group(0)
        names[found[0]] = found[1]
        return f"\ue000{found[0]}\ue001"

    source = MENTION.sub(stand_in, PRIVATE.sub("", text or ""))
    html = nh3.clean(
        _parser.render(source),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )

    def named(match: re.Match) -> str:
        user_id = int(match.group(1))
        return f'<span class="cpms-mention">@{escape(names.get(user_id, ""))}</span>'

    return mark_safe(PLACEHOLDER.sub(named, html))  # noqa: S308 -- sanitised by nh3, names escaped
