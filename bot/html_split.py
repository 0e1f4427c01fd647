"""Cutting Telegram HTML into messages: the one ``split_html`` of the project.

Telegram counts a message's length in UTF-16 code units and rejects a part whose markup does not
parse, so a cut must never fall inside a tag or an entity (``&amp;``) and every part must be
balanced. Tags open at a cut are closed at the end of one part and reopened at the start of the
next. Cuts fall at line ends where possible, then between words, then between characters.
"""

from __future__ import annotations

import html
import re
from collections import deque
from typing import Final

MAX_LEN: Final = 4096
# Tags, entities, words with their trailing blanks, blank runs, and a stray "<" or "&".
_TOKEN: Final = re.compile(r"<[^>]*>|&#?\w+;|[^<&\s]+\s*|\s+|[<&]")
_TAG: Final = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")
_LINE: Final = re.compile(r"[^\n]*\n|[^\n]+")

Stack = tuple[tuple[str, str, bool], ...]  # (tag name, opening tag as written, still shown)


def u16len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def visible(part: str) -> str:
    """The text users see (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub("", part))


def _emit(unit: str, stack: Stack) -> tuple[str, Stack]:
    """``unit`` as written into a part, and the open-tag stack after it.

    A tag whose opening was dropped (see :meth:`_Parts.orphan`) loses its closing tag too.
    """
    if "<" not in unit:
        return unit, stack
    out: list[str] = []
    after = list(stack)
    pos = 0
    for match in _TAG.finditer(unit):
        out.append(unit[pos : match.start()])
        pos = match.end()
        name = match.group(2).lower()
        if not match.group(1):
            after.append((name, match.group(0), True))
            out.append(match.group(0))
            continue
        index = next((i for i in range(len(after) - 1, -1, -1) if after[i][0] == name), None)
        if index is None:
            continue  # a closing tag with no opening: Telegram would refuse it
        if after.pop(index)[2]:
            out.append(match.group(0))
    out.append(unit[pos:])
    return "".join(out), tuple(after)


def _closes(stack: Stack) -> str:
    return "".join(f"</{name}>" for name, _, shown in reversed(stack) if shown)


def _reopen(stack: Stack) -> str:
    return "".join(tag for _, tag, shown in stack if shown)


def _finer(unit: str) -> list[str] | None:
    """``unit`` in smaller pieces (line → words and tags → characters), None when atomic."""
    tokens = _TOKEN.findall(unit)
    if len(tokens) > 1:
        return tokens
    if len(unit) > 1 and unit[0] not in "<&":
        return list(unit)
    return None


class _Parts:
    """The parts built so far and the one being filled."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.done: list[str] = []
        self.stack: Stack = ()
        self._start_part()

    def _start_part(self) -> None:
        reopen = _reopen(self.stack)
        if u16len(reopen + _closes(self.stack)) > self.limit // 4:
            self.orphan()  # nested too deep for a part this small: formatting goes
            reopen = ""
        self.buf = [reopen]
        self.size = u16len(reopen)
        self.has_text = False

    def orphan(self) -> None:
        """Stop showing the tags open now (their closing tags are dropped too)."""
        self.stack = tuple((name, tag, False) for name, tag, _ in self.stack)

    def fits(self, unit: str) -> bool:
        emitted, after = _emit(unit, self.stack)
        return self.size + u16len(emitted) + u16len(_closes(after)) <= self.limit

    def add(self, unit: str) -> None:
        emitted, self.stack = _emit(unit, self.stack)
        self.buf.append(emitted)
        self.size += u16len(emitted)
        self.has_text = self.has_text or bool(visible(emitted).strip())

    def restart(self, unit: str) -> None:
        """Make room for ``unit`` in a part that holds no text yet: drop its formatting, then
        its blanks if need be."""
        blanks = "".join(_TAG.sub("", piece) for piece in self.buf)
        self.orphan()
        if u16len(blanks + unit) > self.limit:
            blanks = ""
        self.buf, self.size = [blanks], u16len(blanks)

    def drop_tag(self, name: str) -> None:
        """An opening tag longer than a message: left out, its text is kept."""
        self.stack = (*self.stack, (name, "", False))

    def cut(self) -> None:
        if self.has_text:
            self.done.append("".join(self.buf) + _closes(self.stack))
        self._start_part()


def split_html(text: str, limit: int = MAX_LEN) -> list[str]:
    """Cut HTML into balanced parts of at most ``limit`` UTF-16 units each.

    Joined, the parts' visible text is the original's (whitespace-only parts are dropped, as
    Telegram would refuse them). A text that fits is returned as it is. Tags nested too deep
    for ``limit`` lose their formatting rather than any text.
    """
    if u16len(text) <= limit:
        return [text]
    parts = _Parts(limit)
    units = deque(_LINE.findall(text))
    while units:
        unit = units.popleft()
        if parts.fits(unit):
            parts.add(unit)
            continue
        if parts.has_text:
            parts.cut()
            if parts.fits(unit):
                parts.add(unit)
                continue
        finer = _finer(unit)
        if finer is not None:
            units.extendleft(reversed(finer))
            continue
        tag = _TAG.fullmatch(unit)
        if tag is None:
            parts.restart(unit)  # only blanks and tags before it, and no room for it
            parts.add(unit)
        elif not tag.group(1):
            parts.drop_tag(tag.group(2).lower())
    parts.cut()
    return parts.done
