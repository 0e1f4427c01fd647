"""The one ``split_html``: parts fit Telegram's limit, parse as HTML, and lose no text."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.html_split import MAX_LEN, split_html, u16len, visible
from bot.standins.botapi_text import parse_html

# Words with entities, emoji (two UTF-16 units) and Cyrillic; blanks are short runs.
_WORD = st.text(alphabet="aбв&<>\"'🛩️ї", min_size=1, max_size=30).map(html.escape)
_TAGS = ("b", "i", "code", "a", "blockquote", "tg-spoiler")


def _open(tag: str) -> str:
    return '<a href="https://t.me/x/1?a=1&amp;b=2">' if tag == "a" else f"<{tag}>"


@st.composite
def _html(draw: st.DrawFn, depth: int = 0) -> str:
    """Balanced Telegram HTML: words, line breaks and nested tags (at most 3 deep)."""
    pieces: list[str] = []
    for _ in range(draw(st.integers(1, 12))):
        choice = draw(st.integers(0, 9 if depth < 3 else 6))
        if choice <= 5:
            pieces.append(draw(_WORD))
        elif choice == 6:
            pieces.append(draw(st.sampled_from([" ", "\n", "  ", "\n\n"])))
        else:
            tag = draw(st.sampled_from(_TAGS))
            pieces.append(f"{_open(tag)}{draw(_html(depth + 1))}</{tag}>")
    return "".join(pieces)


@settings(max_examples=150, deadline=None)
@given(body=st.lists(_html(), min_size=1, max_size=8), limit=st.sampled_from([40, 97, 300]))
def test_parts_fit_parse_and_keep_the_text(body: list[str], limit: int) -> None:
    text = "\n".join(body)
    parts = split_html(text, limit)
    assert all(u16len(p) <= limit for p in parts)
    seen = [parse_html(p)[0] for p in parts]  # the stand-in raises on unbalanced markup
    joined, original = "".join(seen), parse_html(text)[0]
    # Only blanks may be left off, and only at the very end (a part must have text).
    assert original.startswith(joined) and not original[len(joined) :].strip()
    assert all(s.strip() for s in seen) or parts == [text]


def test_never_cuts_an_entity_or_a_tag() -> None:
    text = "<b>" + "&amp;" * 2000 + "</b>"  # one line, 10,007 units of markup
    parts = split_html(text)
    assert len(parts) == 3
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in parts)
    assert "".join(visible(p) for p in parts) == "&" * 2000


def test_counts_utf16_units_not_characters() -> None:
    text = "🛩" * 3000  # 6,000 UTF-16 units in 3,000 characters
    parts = split_html(text)
    assert [u16len(p) for p in parts] == [MAX_LEN, 6000 - MAX_LEN]


def test_lines_are_kept_whole_when_they_fit() -> None:
    line = "• <b>подія</b> " + "x" * 80 + "\n"
    text = line * 200
    parts = split_html(text)
    assert len(parts) > 1 and all(u16len(p) <= MAX_LEN for p in parts)
    assert "".join(parts) == text and all(p.endswith("\n") for p in parts)


def test_tags_open_across_a_cut_are_reopened() -> None:
    text = '<a href="https://t.me/x/1">' + "слово " * 1000 + "</a>"
    parts = split_html(text)
    assert len(parts) == 2
    assert all(p.startswith('<a href="https://t.me/x/1">') and p.endswith("</a>") for p in parts)
    assert parts[0].endswith(" </a>")  # cut between words


def test_a_tag_longer_than_a_message_is_dropped_but_its_text_kept() -> None:
    text = '<a href="https://t.me/' + "x" * 5000 + '">link</a> and more'
    parts = split_html(text)
    assert [visible(p) for p in parts] == ["link and more"]
    parse_html(parts[0])
