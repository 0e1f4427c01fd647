"""What the Telegram layer needs from the rest of the bot, built once and passed in.

The app factory (``handlers/app.py``) stores one :class:`Services` in the application's
``bot_data``; handlers reach it as ``context.services`` (``handlers/context.py``). Nothing here
is a module-level global.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
    extra: dict[str, Any] = field(default_factory=dict)  # alerting, digests… register here
