"""Formatted-text rules of the Bot API stand-in: HTML and MarkdownV2 parsing, keyboards.

``parse_text`` mirrors what Telegram does with ``text`` + ``parse_mode``: it returns the plain
text users see and its entities, or raises ``ApiError`` with Telegram's wording
("Bad Request: can't parse entities: ...").
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.standins.botapi_state import JSON, ApiError, bad_request, utf16_len

MAX_TEXT = 4096
HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_START_TAG = re.compile(
    r"<([^\s>/]*)((?:\s+[^\s=>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*/?>"
)
_ATTR = re.compile(r"([^\s=>]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_ENTITY = re.compile(r"&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot);")
MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def _entity_error(what: str) -> ApiError:
    return bad_request(f"can't parse entities: {what}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def parse_html(text: str) -> tuple[str, list[JSON]]:
    out: list[str] = []
    pos16 = 0
    stack: list[tuple[str, int, JSON]] = []
    extra: JSON
    entities: list[JSON] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "&":
            m = _ENTITY.match(text, i)
            if m:
                piece = html.unescape(m.group(0))
                out.append(piece)
                pos16 += utf16_len(piece)
                i = m.end()
                continue
            out.append(c)
            pos16 += 1
            i += 1
        elif c == "<" and text.startswith("</", i):
            end = text.find(">", i)
            if end < 0:
                raise _entity_error(f"Unclosed end tag at byte offset {_byte_offset(text, i)}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise _entity_error(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
            tag, start, extra = stack.pop()
            if name != tag:
                raise _entity_error(
                    f'Unmatched end tag at byte offset {_byte_offset(text, i)}, expected "</{tag}>"'
                    f', found "</{name}>"'
                )
            if pos16 > start:
                entities.append(
                    {"type": HTML_TAGS[tag], "offset": start, "length": pos16 - start, **extra}
                )
            i = end + 1
        elif c == "<":
            name = re.match(r"<([^\s>/]*)", text[i:]).group(1).lower()  # type: ignore[union-attr]
            if name not in HTML_TAGS:
                raise _entity_error(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
                )
            m = _START_TAG.match(text, i)
            if not m:
                raise _entity_error(f"Unclosed start tag at byte offset {_byte_offset(text, i)}")
            attrs = {
                a.group(1).lower(): html.unescape(a.group(2) or a.group(3) or a.group(4) or "")
                for a in _ATTR.finditer(m.group(2))
            }
            extra = {}
            if name == "a":
                href = attrs.get("href", "")
                extra = {"url": href}
            elif name == "span" and attrs.get("class") != "tg-spoiler":
                raise _entity_error('Tag "span" must have class "tg-spoiler"')
            elif name == "tg-emoji":
                if "emoji-id" not in attrs:
                    raise _entity_error('Tag "tg-emoji" must have attribute "emoji-id"')
                extra = {"custom_emoji_id": attrs["emoji-id"]}
            elif name == "pre" and "language" in attrs:
                extra = {"language": attrs["language"]}
            stack.append((name, pos16, extra))
            i = m.end()
        else:
            out.append(c)
            pos16 += utf16_len(c) if ord(c) > 0xFFFF else 1
            i += 1
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


_MD_MARKS = ("__", "||", "*", "_", "~")


def parse_markdown_v2(text: str) -> tuple[str, list[JSON]]:
    """MarkdownV2 per the Bot API docs (enough for validation and visible text)."""
    out: list[str] = []
    open_marks: list[tuple[str, int]] = []  # (mark, byte offset)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 < n:
                out.append(text[i + 1])
            i += 2
            continue
        if c == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = text.find(fence, i + len(fence))
            if end < 0:
                raise _entity_error(
                    f"Can't find end of Pre entity at byte offset {_byte_offset(text, i)}"
                    if fence == "```"
                    else f"Can't find end of Code entity at byte offset {_byte_offset(text, i)}"
                )
            body = text[i + len(fence) : end]
            if fence == "```" and "\n" in body:
                body = body.split("\n", 1)[1]
            out.append(re.sub(r"\\([`\\])", r"\1", body))
            i = end + len(fence)
            continue
        if c == "[" or (c == "!" and text.startswith("![", i)):
            m = re.compile(r"!?\[((?:\\.|[^\]\\])*)\]\(((?:\\.|[^)\\])*)\)").match(text, i)
            if m:
                inner, _ = parse_markdown_v2(m.group(1))
                out.append(inner)
                i = m.end()
                continue
        mark = next((mk for mk in _MD_MARKS if text.startswith(mk, i)), None)
        if mark:
            if open_marks and open_marks[-1][0] == mark:
                open_marks.pop()
            else:
                open_marks.append((mark, _byte_offset(text, i)))
            i += len(mark)
            continue
        if c == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1
            continue
        if c in MDV2_RESERVED:
            raise _entity_error(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(c)
        i += 1
    if open_marks:
        raise _entity_error(
            f"Can't find end of the entity starting at byte offset {open_marks[0][1]}"
        )
    return "".join(out), []


def parse_text(text: Any, parse_mode: Any) -> tuple[str, list[JSON]]:
    """Visible text + entities for ``text`` sent with ``parse_mode``; enforces length rules."""
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    mode = str(parse_mode or "").lower()
    if mode == "html":
        plain, entities = parse_html(text)
    elif mode == "markdownv2":
        plain, entities = parse_markdown_v2(text)
    elif mode == "markdown":
        plain, entities = re.sub(r"(?<!\\)[*_`]", "", text), []
    elif mode == "":
        plain, entities = text, []
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode}")
    stripped = plain.strip()
    if not stripped:
        raise bad_request("message text is empty")
    if len(stripped) > MAX_TEXT:
        raise bad_request("message is too long")
    return stripped, entities


def check_reply_markup(markup: Any) -> JSON | None:
    """Validate ``reply_markup``; return what Telegram echoes back (inline keyboards only)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None  # reply keyboards / remove / force_reply are not echoed in Message
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    actions = {"url", "callback_data", "web_app", "login_url", "switch_inline_query",
               "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
               "copy_text", "callback_game", "pay"}  # fmt: skip
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Text must be a String")
            if not actions & button.keys():
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not (1 <= len(str(data).encode("utf-8")) <= 64):
                raise bad_request("BUTTON_DATA_INVALID")
    return {"inline_keyboard": rows}
