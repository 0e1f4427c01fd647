"""Structured logs: JSON lines when not on a terminal, readable lines on one; never the token.

Fields given with ``extra=`` appear as JSON keys. The formatters mask the bot token in the whole
rendered line: the message, the extra fields and exception text alike (python-telegram-bot puts
the token into ``InvalidToken``'s message, httpx into request URLs, webhooks into paths).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import quote

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
MASK = "<token>"


def secret_forms(secrets: Iterable[str]) -> list[str]:
    """Every spelling of each secret that may reach a log: as is, URL-quoted, and a bot
    token's secret half alone (the webhook path). Longest first, so a whole token is masked
    before its half."""
    forms: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        forms |= {secret, quote(secret, safe="")}
        half = secret.partition(":")[2]
        if len(half) >= 16:
            forms.add(half)
    return sorted(forms, key=len, reverse=True)


def redact(text: str, forms: Iterable[str]) -> str:
    """``text`` with every form of a secret replaced by ``<token>``."""
    for form in forms:
        text = text.replace(form, MASK)
    return text


class _RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.forms = secret_forms(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.render(record), self.forms)

    def render(self, record: logging.LogRecord) -> str:
        raise NotImplementedError


class JsonFormatter(_RedactingFormatter):
    def render(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(_RedactingFormatter):
    def render(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in record.__dict__.items() if k not in _STANDARD)
        base = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} {record.name}: {record.getMessage()}"
        text = f"{base} {extra}".rstrip()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def setup_logging(
    level: str = "INFO", secrets: list[str] | None = None, json_logs: bool | None = None
) -> None:
    """Configure the root logger once for the process."""
    handler = logging.StreamHandler(sys.stderr)
    use_json = (not sys.stderr.isatty()) if json_logs is None else json_logs
    handler.setFormatter(JsonFormatter(secrets or []) if use_json else TextFormatter(secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request lines carry the token
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
