"""Parse t.me/s/<username> public preview pages into :class:`ChannelPost` records.

The page structure follows what public scrapers rely on (see ``bot/standins/tme_server.py``
for a rendered example). Parsing is done with selectolax; a malformed message element is
skipped with a structured warning and the rest of the page still parses. Truncated HTML is
parsed as far as it goes.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

logger = logging.getLogger(__name__)

CANONICAL_BASE = "https://t.me"

# What every public preview page has, whatever its posts: the channel's title in a header and a
# message-history container. A 200 answer without them (a login wall, a rename of the markup, an
# error page) must read as a failed poll, never as "no new posts".
_HEADER = "div.tgme_header_title, div.tgme_channel_info_header_title"
_HISTORY = "section.tgme_channel_history, .js-message_history"

# Inline elements whose content never belongs to the visible message text.
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript"})
_MEDIA = (
    (".tgme_widget_message_grouped_wrap", "album"),
    (".tgme_widget_message_poll", "poll"),
    (".tgme_widget_message_roundvideo_player", "video"),
    (".tgme_widget_message_video_player, .tgme_widget_message_video_wrap", "video"),
    (".tgme_widget_message_photo_wrap", "photo"),
    (".tgme_widget_message_voice_player, .tgme_widget_message_audio_player", "audio"),
    (".tgme_widget_message_document_wrap", "document"),
    (".tgme_widget_message_sticker_wrap", "sticker"),
    (".tgme_widget_message_location_wrap", "location"),
)


@dataclass(frozen=True, slots=True)
class ChannelPost:
    channel: str
    message_id: int
    published_at: datetime  # timezone-aware
    text: str
    edited: bool
    forwarded_from: str | None  # origin username (or display name if the origin is not a link)
    url: str
    media: str | None = None  # what the post carries besides text; ``text`` is its caption

    @property
    def digest(self) -> str:
        """Short stable digest of the text, used to notice edits."""
        return hashlib.blake2s(self.text.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class ParsedPage:
    posts: list[ChannelPost]  # ascending by message_id
    lowest_id: int | None  # over every element with a readable data-post, even skipped ones
    highest_id: int | None
    skipped: int = 0
    ids: frozenset[int] = field(default_factory=frozenset)
    is_preview: bool = True  # the page has the preview's channel header and message history
    title: str | None = None  # the channel's display name from the header


class MalformedPost(ValueError):
    """A message element could not be turned into a post."""


def parse_channel_page(html: str, *, channel: str | None = None) -> ParsedPage:
    """Parse a public preview page. ``channel`` is used only for log context."""
    tree = LexborHTMLParser(html)
    posts: dict[int, ChannelPost] = {}
    ids: set[int] = set()
    skipped = 0
    for node in tree.css("div.tgme_widget_message"):
        data_post = node.attributes.get("data-post") or ""
        try:
            post_channel, message_id = _split_data_post(data_post)
        except MalformedPost as exc:
            skipped += 1
            _warn_skip(channel, data_post, str(exc))
            continue
        ids.add(message_id)
        if "service_message" in (node.attributes.get("class") or ""):
            continue
        try:
            post = _parse_message(node, post_channel, message_id)
        except MalformedPost as exc:
            skipped += 1
            _warn_skip(channel, data_post, str(exc))
            continue
        posts[message_id] = post
    ordered = [posts[k] for k in sorted(posts)]
    header = tree.css_first(_HEADER)
    return ParsedPage(
        posts=ordered,
        lowest_id=min(ids) if ids else None,
        highest_id=max(ids) if ids else None,
        skipped=skipped,
        ids=frozenset(ids),
        is_preview=header is not None and tree.css_first(_HISTORY) is not None,
        title=header.text(deep=True, strip=True) or None if header is not None else None,
    )


def _warn_skip(channel: str | None, data_post: str, reason: str) -> None:
    logger.warning(
        "tme.post_skipped",
        extra={"channel": channel, "data_post": data_post[:80], "reason": reason},
    )


def _split_data_post(data_post: str) -> tuple[str, int]:
    name, sep, raw_id = data_post.strip().rpartition("/")
    if not sep or not name:
        raise MalformedPost("data-post without channel/id")
    try:
        message_id = int(raw_id)
    except ValueError:
        raise MalformedPost("data-post id is not an integer") from None
    if message_id <= 0:
        raise MalformedPost("data-post id is not positive")
    return name, message_id


def _parse_message(node: LexborNode, channel: str, message_id: int) -> ChannelPost:
    time_node = node.css_first("a.tgme_widget_message_date > time[datetime]")
    if time_node is None:
        raise MalformedPost("no time element")
    raw_dt = time_node.attributes.get("datetime") or ""
    try:
        published_at = datetime.fromisoformat(raw_dt)
    except ValueError:
        raise MalformedPost("unparseable datetime") from None
    if published_at.tzinfo is None or published_at.utcoffset() is None:
        raise MalformedPost("datetime without offset")

    text_node = _message_text_node(node)
    text = _extract_text(text_node) if text_node is not None else ""
    media = _media(node)
    if media == "poll" and not text:
        question = node.css_first(".tgme_widget_message_poll_question")
        text = question.text(deep=True, strip=True) if question is not None else ""

    edited = False
    meta = node.css_first("span.tgme_widget_message_meta")
    if meta is not None:
        # Only the meta span's own text ("edited "), not the time label inside the link.
        own = "".join(
            c.text_content or "" for c in meta.iter(include_text=True) if c.tag == "-text"
        )
        edited = "edited" in own.lower()

    return ChannelPost(
        channel=channel,
        message_id=message_id,
        published_at=published_at,
        text=text,
        edited=edited,
        forwarded_from=_forwarded_from(node),
        url=f"{CANONICAL_BASE}/{channel}/{message_id}",
        media=media,
    )


def _media(node: LexborNode) -> str | None:
    """The first kind of media the message shows (an album before its photos)."""
    for selector, kind in _MEDIA:
        if node.css_first(selector) is not None:
            return kind
    return None


def _message_text_node(node: LexborNode) -> LexborNode | None:
    found = node.css_first("div.tgme_widget_message_text.js-message_text")
    if found is not None:
        return found
    # Fallback for markup without the js- class: skip the quoted text of replies.
    for cand in node.css("div.tgme_widget_message_text"):
        if not _inside(cand, node, "tgme_widget_message_reply"):
            return cand
    return None


def _inside(node: LexborNode, stop: LexborNode, cls: str) -> bool:
    cur = node.parent
    while cur is not None and cur.mem_id != stop.mem_id:
        if cls in (cur.attributes.get("class") or "").split():
            return True
        cur = cur.parent
    return False


def _forwarded_from(node: LexborNode) -> str | None:
    box = node.css_first(".tgme_widget_message_forwarded_from")
    if box is None:
        return None
    name = box.css_first(".tgme_widget_message_forwarded_from_name")
    if name is None:
        label = box.text(deep=True, strip=True)
        return label.removeprefix("Forwarded from").strip() or None
    href = name.attributes.get("href") or ""
    parts = [p for p in urlsplit(href).path.split("/") if p]
    if parts and parts[0] == "s":
        parts = parts[1:]
    if parts:
        return parts[0]
    return name.text(deep=True, strip=True) or None


def _extract_text(node: LexborNode) -> str:
    out: list[str] = []
    _walk(node, out)
    lines = [line.rstrip() for line in "".join(out).replace("\xa0", " ").split("\n")]
    return "\n".join(lines).strip()


def _walk(node: LexborNode, out: list[str]) -> None:
    child = node.child
    while child is not None:
        tag = child.tag
        if tag == "-text":
            out.append(child.text_content or "")
        elif tag == "br":
            out.append("\n")
        elif tag in _SKIP_TAGS or tag is None or tag.startswith("-"):
            pass
        elif tag == "i" and "emoji" in (child.attributes.get("class") or "").split():
            out.append(child.text(deep=True))
        else:
            if tag in ("blockquote", "pre", "div", "p") and out and not out[-1].endswith("\n"):
                out.append("\n")
            _walk(child, out)
            if tag in ("blockquote", "pre", "div", "p"):
                out.append("\n")
        child = child.next
