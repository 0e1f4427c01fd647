"""What the Telegram layer needs from the rest of the bot, built once and passed in.

The app factory (``handlers/app.py``) stores one :class:`Services` in ``bot_data["services"]``;
handlers reach it through :func:`services`. Nothing here is a module-level global.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.pipeline import Pipeline


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    engine: Engine
    pipeline: Pipeline
    clock: Callable[[], datetime] = utcnow


def services(bot_data: dict[str, Any]) -> Services:
    """The services of a running application (``context.bot_data``)."""
    found = bot_data.get("services")
    if not isinstance(found, Services):
        raise RuntimeError("application was not built by handlers.app.build_application")
    return found
