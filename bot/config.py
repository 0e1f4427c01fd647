"""Configuration: one settings class, read from the environment and ``.env``.

Every setting has the ``SITREP_`` prefix except the conventional ``DATABASE_URL``. A missing or
malformed setting stops the start with one line that names it (see :func:`load_settings`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    admin_ids: list[int] = Field(default_factory=list, description="Telegram user ids of admins")
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
    timezone: str = Field(default="Europe/Kyiv")
    webhook_url: str | None = Field(default=None, description="Public URL; long polling when unset")
    webhook_port: int = Field(default=8443, ge=1, le=65535)
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


class ConfigError(Exception):
    """A setting is missing or malformed; ``str()`` is one line naming it."""


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, or :class:`ConfigError` with one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"]) or "settings"
        env = name.upper() if name == "database_url" else f"SITREP_{name.upper()}"
        raise ConfigError(f"configuration error: {env}: {err['msg']}") from None
