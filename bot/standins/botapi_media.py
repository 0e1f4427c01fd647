"""``sendPhoto`` and ``editMessageCaption`` of the Bot API stand-in, with Telegram's limits.

A photo arrives as a multipart upload (the server keeps the file as base64 in the parameters)
or as the ``file_id`` of a photo sent earlier. Telegram's rules enforced: an upload of at most
10 MB, an image it can decode, width + height at most 10,000 and a side ratio of at most 20, a
caption of at most 1,024 characters (UTF-16 units, as Telegram counts) after entity parsing. The message keeps the file, so tests
can decode what a chat received (``SentMessage.photo_bytes()``).
"""

from __future__ import annotations

import base64
import hashlib
import io
import time
from typing import Final

from bot.standins.botapi_methods import (
    _chat,
    _check_can_write,
    _edit,
    _find_message,
    _reply_to,
    api,
    message_obj,
)
from bot.standins.botapi_state import JSON, BotState, SentMessage, bad_request, utf16_len
from bot.standins.botapi_text import check_reply_markup, parse_text

MAX_PHOTO_BYTES: Final = 10 * 1024 * 1024
MAX_SIDES_SUM: Final = 10_000
MAX_RATIO: Final = 20
MAX_CAPTION: Final = 1024


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG; Telegram's IMAGE_PROCESS_FAILED otherwise."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in ("PNG", "JPEG", "WEBP"):
                raise bad_request("IMAGE_PROCESS_FAILED")
            img.verify()
            return img.size
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise bad_request("IMAGE_PROCESS_FAILED") from None


def _earlier(st: BotState, file_id: str) -> tuple[list[JSON], str | None]:
    for chat_msgs in st.messages.values():
        for m in chat_msgs.values():
            if m.photo and any(p.get("file_id") == file_id for p in m.photo):
                return m.photo, m.photo_data
    raise bad_request("wrong file identifier/HTTP URL specified")


def _caption(params: JSON) -> tuple[str, list[JSON]]:
    caption = params.get("caption")
    if caption is None or (isinstance(caption, str) and not caption.strip()):
        return "", []
    text, entities = parse_text(str(caption), params.get("parse_mode"))
    if utf16_len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return text, entities


@api("sendPhoto")
def send_photo(st: BotState, params: JSON) -> JSON:
    chat = _chat(st, params)
    photo = params.get("photo")
    if isinstance(photo, dict) and "data" in photo:
        data = base64.b64decode(photo["data"])
        if len(data) > MAX_PHOTO_BYTES:
            raise bad_request("file is too big")
        if not data:
            raise bad_request("file must be non-empty")
        width, height = image_size(data)
        if width + height > MAX_SIDES_SUM or max(width, height) > MAX_RATIO * min(width, height):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        digest = hashlib.sha1(data).hexdigest()[:16]
        sizes: list[JSON] = [
            {
                "file_id": f"photo-{digest}",
                "file_unique_id": digest,
                "width": width,
                "height": height,
                "file_size": len(data),
            }
        ]
        stored: str | None = photo["data"]
    elif isinstance(photo, str) and photo:
        sizes, stored = _earlier(st, photo)
    else:
        raise bad_request("there is no photo in the request")
    text, entities = _caption(params)
    markup = check_reply_markup(params.get("reply_markup"))
    reply_to = _reply_to(st, chat, params)
    _check_can_write(st, chat)
    st.take_send_slot(chat)
    msg = SentMessage(
        chat_id=chat.id,
        message_id=st.next_message_id(chat),
        text=text,
        source_text=str(params.get("caption") or ""),
        parse_mode=params.get("parse_mode"),
        date=int(time.time()),
        reply_markup=markup,
        entities=entities,
        reply_to_message_id=reply_to,
        photo=sizes,
        photo_data=stored,
    )
    st.messages.setdefault(chat.id, {})[msg.message_id] = msg
    if isinstance(photo, dict):
        photo.pop("data", None)  # the message keeps the file; the call log need not
    return message_obj(st, msg)


@api("editMessageCaption")
def edit_message_caption(st: BotState, params: JSON) -> JSON:
    """A photo's new caption; a message without a photo has none to edit (Telegram's error)."""
    chat = _chat(st, params)
    text, entities = _caption(params)
    markup = check_reply_markup(params.get("reply_markup"))
    msg = _find_message(st, chat, params, "message to edit not found")
    _check_can_write(st, chat)
    if not msg.photo:
        raise bad_request("there is no caption in the message to edit")
    if text == msg.text and entities == msg.entities and markup == msg.reply_markup:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    _edit(st, msg, text=text, source_text=str(params.get("caption") or ""), entities=entities,
          parse_mode=params.get("parse_mode"), reply_markup=markup)  # fmt: skip
    return message_obj(st, msg)
