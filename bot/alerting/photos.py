"""Pictures the dispatcher sends with a message (the night's map), uploaded once.

The PNG lives in the database (:mod:`storage.crud.media`), read once per process. The first
chat's ``sendPhoto`` uploads the bytes; Telegram's ``file_id`` from that answer is kept (in
memory and in the database) and every later chat's send passes the id instead, as real bots do.
While the first upload is in flight, the other senders of the same picture wait for it rather
than uploading the same bytes again.

A message with a picture: the text as the photo's caption when it fits Telegram's 1,024
characters (UTF-16 units of the visible text), else the photo and then the text as its own
message. A photo that went out before the text failed is not sent again on the retry.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Final

from sqlalchemy.engine import Engine
from telegram import Bot, Message
from telegram.error import BadRequest

from bot.html_split import u16len, visible
from storage.crud import media as crud_media
from storage.db import session_scope

logger = logging.getLogger(__name__)
CAPTION_MAX: Final = 1024


def fits_caption(text: str) -> bool:
    """Whether ``text`` (Telegram HTML) can be a photo's caption."""
    return u16len(visible(text)) <= CAPTION_MAX


@dataclass
class _Picture:
    data: bytes
    file_id: str | None


class PhotoStore:
    """Pictures by media key, with their Telegram file ids; one per dispatcher."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pictures: dict[str, _Picture] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.uploads = 0  # bytes sent to Telegram (the rest reused a file id)

    def _load(self, key: str) -> tuple[bytes, str | None] | None:
        with session_scope(self.engine, readonly=True) as s:
            return crud_media.get_media(s, key)

    def _save_file_id(self, key: str, file_id: str) -> None:
        with session_scope(self.engine) as s:
            crud_media.set_file_id(s, key, file_id)

    async def _picture(self, key: str) -> _Picture | None:
        found = self._pictures.get(key)
        if found is None:
            row = await asyncio.to_thread(self._load, key)
            if row is None:
                return None
            found = self._pictures.setdefault(key, _Picture(*row))
            if len(self._pictures) > 64:  # a few per night; keep memory bounded
                self._pictures.pop(next(iter(self._pictures)))
        return found

    async def send(
        self, bot: Bot, key: str, chat_id: int, caption: str | None, silent: bool
    ) -> Message | None:
        """``sendPhoto`` of the picture ``key`` (``None``: the picture is gone)."""
        picture = await self._picture(key)
        if picture is None:
            return None
        if picture.file_id is None:
            async with self._locks.setdefault(key, asyncio.Lock()):
                if picture.file_id is None:  # still unknown: this sender uploads it
                    msg = await _send_photo(bot, chat_id, picture.data, caption, silent)
                    self.uploads += 1
                    if msg.photo:
                        picture.file_id = msg.photo[-1].file_id
                        try:
                            await asyncio.to_thread(self._save_file_id, key, picture.file_id)
                        except Exception as err:  # kept in memory all the same
                            logger.warning("photos.file_id_not_saved", extra={"error": repr(err)[:200]})  # fmt: skip
                    return msg
        assert picture.file_id is not None
        try:
            return await _send_photo(bot, chat_id, picture.file_id, caption, silent)
        except BadRequest as err:
            if "file" not in str(err).lower():
                raise
            # Telegram no longer knows the id (another bot token, a wiped test server): upload.
            logger.warning("photos.file_id_refused", extra={"error": str(err)[:200]})
            msg = await _send_photo(bot, chat_id, picture.data, caption, silent)
            self.uploads += 1
            if msg.photo:
                picture.file_id = msg.photo[-1].file_id
            return msg


async def _send_photo(
    bot: Bot, chat_id: int, photo: bytes | str, caption: str | None, silent: bool
) -> Message:
    return await bot.send_photo(
        chat_id,
        photo,
        caption=caption,
        parse_mode="HTML" if caption else None,
        disable_notification=silent,
    )
