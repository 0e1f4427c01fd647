"""Configuration: one settings class, read from the environment and ``.env``.

Every setting has the ``SITREP_`` prefix except the conventional ``DATABASE_URL``. A missing or
malformed setting stops the start with one line that names it (see :func:`load_settings`),
and never quotes the token: validators say what is wrong, not what was given.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

TOKEN_SHAPE = re.compile(r"^[0-9]{3,15}:[A-Za-z0-9_-]{20,}$")
DATABASES = ("sqlite", "postgresql")
# Bot API setWebhook: secret_token is 1-256 of these; Telegram posts only to these ports.
WEBHOOK_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
WEBHOOK_PORTS = (443, 80, 88, 8443)
OFFICIAL_BOT_API = "https://api.telegram.org/"


class Settings(BaseSettings):
    """What an operator can set. Defaults run the bot on an embedded SQLite file."""

    model_config = SettingsConfigDict(
        env_prefix="SITREP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = Field(default=None, description="Bot API token from @BotFather")
    database_url: str = Field(
        default="sqlite:///data/sitrep.sqlite3",
        validation_alias=AliasChoices("DATABASE_URL", "SITREP_DATABASE_URL"),
        description="SQLAlchemy URL; PostgreSQL in production",
    )
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Telegram user ids of admins: [1, 2] or 1,2"
    )
    alerts_in_ua_token: SecretStr | None = Field(default=None, description="alerts.in.ua API token")
    bot_api_base_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Bot API base URL (stand-ins, local servers)",
    )
    telegram_web_url: str = Field(default="https://t.me", description="Public channel preview site")
    poll_interval_s: float | None = Field(
        default=None, gt=0, description="Poll every channel this often (default: the registry's)"
    )
    broadcast_rate: float = Field(
        default=30.0, ge=0, description="Alert messages per second overall (0: no limit)"
    )
    alerts_poll_interval_s: float = Field(
        default=15.0, ge=7, description="alerts.in.ua poll interval"
    )
    alerts_in_ua_url: str = Field(
        default="https://api.alerts.in.ua", description="alerts.in.ua API base URL (stand-ins)"
    )
    timezone: str = Field(
        default="Europe/Kyiv", description="IANA zone of the times people see and of quiet hours"
    )
    webhook_url: str | None = Field(
        default=None,
        description="Public https URL Telegram posts updates to; long polling when unset",
    )
    webhook_listen: str = Field(
        default="127.0.0.1",
        min_length=1,
        description="Address the webhook server listens on (0.0.0.0 inside a container)",
    )
    webhook_port: int = Field(
        default=8443, ge=1, le=65535, description="Port the webhook server listens on"
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        validate_default=True,
        description="setWebhook's secret_token; required with SITREP_WEBHOOK_URL",
    )
    metrics_port: int = Field(default=9108, ge=0, le=65535, description="0 disables /metrics")
    metrics_host: str = Field(
        default="127.0.0.1",
        min_length=1,
        description="Address /healthz and /metrics listen on (0.0.0.0 inside a container)",
    )
    status_page: bool = Field(
        default=True,
        description="Serve the read-only status page (map, alerts, threats) at / of the health port",
    )
    channels_file: Path | None = Field(default=None, description="Channel registry override (JSON)")
    data_dir: Path = Field(default=Path("data"))
    ttl_threat_s: float = Field(
        default=30 * 60.0, gt=0, description="Seconds a threat stays worth sending"
    )
    ttl_report_s: float = Field(
        default=12 * 3600.0, gt=0, description="Seconds a report stays worth sending"
    )
    ttl_digest_s: float = Field(
        default=24 * 3600.0, gt=0, description="Seconds a digest stays worth sending (next one)"
    )

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError("empty (set the token @BotFather gave you)")
        if not TOKEN_SHAPE.match(token):
            raise ValueError("malformed: a token looks like <digits>:<letters, digits, - and _>")
        return SecretStr(token)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.exc import ArgumentError

        from storage.db import normalize_url

        try:
            backend = normalize_url(value).get_backend_name()
        except (ArgumentError, ValueError):
            raise ValueError(
                "not a database URL (e.g. sqlite:///data/sitrep.sqlite3 or "
                "postgresql://user:password@host/db)"
            ) from None
        if backend not in DATABASES:
            raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if not text:
            return []
        try:
            parsed = json.loads(text) if text.startswith("[") else text.split(",")
            ids = [int(str(v).strip()) for v in (parsed if isinstance(parsed, list) else [parsed])]
        except ValueError:
            raise ValueError(
                "must be Telegram user ids (numbers), e.g. [11111111, 22222222] or 11111111,22222222"
            ) from None
        return ids

    @field_validator("channels_file")
    @classmethod
    def _channels_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError("no such file")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Telegram's own rules (https, four ports) apply unless a local Bot API server is used."""
        if value is None or not value.strip():
            return None
        url = value.strip()
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise ValueError("not a URL (e.g. https://bot.example.org/telegram)") from None
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("not a URL (e.g. https://bot.example.org/telegram)")
        if str(info.data.get("bot_api_base_url", "")).startswith(OFFICIAL_BOT_API):
            if parts.scheme != "https":
                raise ValueError("Telegram posts to https URLs only (TLS at your reverse proxy)")
            if (port or 443) not in WEBHOOK_PORTS:
                raise ValueError("Telegram posts only to ports 443, 80, 88 or 8443")
        return url

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        """Required with a webhook: without it anyone who finds the URL can post updates."""
        rule = "1-256 characters, only A-Z, a-z, 0-9, _ and -"
        if value is None:
            if info.data.get("webhook_url"):
                raise ValueError(f"required when SITREP_WEBHOOK_URL is set ({rule})")
            return None
        secret = value.get_secret_value().strip()
        if not secret:
            raise ValueError(f"empty ({rule})")
        if not WEBHOOK_SECRET_SHAPE.match(secret):
            raise ValueError(f"malformed: {rule}")
        return SecretStr(secret)

    def ttl_s(self) -> dict[str, float]:
        """Time to live per outbox class, for :class:`bot.alerting.policy.DeliveryPolicy`."""
        return {
            "threat": self.ttl_threat_s,
            "report": self.ttl_report_s,
            "digest": self.ttl_digest_s,
        }

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """An unknown zone stops the start here, not every minute later in /status."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (an IANA name like Europe/Kyiv)"
            ) from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The configured zone: pushes, quiet hours, /latest and /status all use it."""
        return ZoneInfo(self.timezone)


class ConfigError(Exception):
    """A setting is missing or malformed; ``str()`` is one line naming it."""


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, or :class:`ConfigError` with one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"]) or "settings"
        message = str(err["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"configuration error: {env_name(name)}: {message}") from None
    except SettingsError as exc:  # a value the environment source could not even decode
        found = re.search(r'field "(\w+)"', str(exc))
        name = found.group(1) if found else "settings"
        raise ConfigError(f"configuration error: {env_name(name)}: malformed value") from None


def env_name(field: str) -> str:
    """The environment variable of a settings field."""
    name = field.upper().removeprefix("SITREP_")
    return name if name == "DATABASE_URL" else f"SITREP_{name}"
