"""Formatted text: the Markdown subset members write, rendered to HTML that cannot run anything."""

import re

import pytest

from ..formatting import mentioned_usernames, render

TAG = re.compile(r"<(\w+)([^>]*)>")
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("one\n\ntwo", "<p>one</p>\n<p>two</p>"),
        ("**bold** and *italic*", "<p><strong>bold</strong> and <em>italic</em></p>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"),
        ("line\nbreak", "<p>line<br>\nbreak</p>"),
        (
            "[OMIM](https://omim.org)",
            '<p><a href="https://omim.org" rel="noopener noreferrer nofollow">OMIM</a></p>',
        ),
    ],
)
def test_it_renders_the_subset(text, html):
    assert render(text).strip() == html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[x](javascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="https://x.org" onclick="alert(1)">x</a>',
        "# heading\n\n> quote\n\n![i](https://x.org/i.png)",
    ],
)
def test_it_lets_nothing_else_through(text):
    for name, attributes in TAG.findall(render(text)):
        assert name in {"p", "br", "a", "strong", "em", "ul", "ol", "li", "code"}
        for attribute, value in ATTRIBUTE.findall(attributes):
            assert attribute in {"href", "rel"}
            assert attribute != "href" or value.startswith(("https:", "http:", "mailto:"))


def test_mentions_of_known_people_become_their_escaped_names():
    html = render("Ask @nexpert1 and @nobody", people={"nexpert1": (7, "Erik <b>Larsen</b>")})
    assert '<span class="cpms-mention">@Erik &lt;b&gt;Larsen&lt;/b&gt;</span>' in html and "@nobody" in html


def test_a_forged_placeholder_stays_text():
    assert "cpms-mention" not in render("\ue0007\ue001", people={"x": (7, "Erik")})


def test_it_finds_mentions_but_not_email_addresses():
    assert mentioned_usernames("@Erik.L, hi @ana_b. Write to x@example.org or @") == {"erik.l", "ana_b"}
