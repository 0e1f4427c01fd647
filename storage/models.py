"""SQLModel tables of Sitrep.

Schema changes go through Alembic (``storage/migrations``); ``tests/test_storage_migrations``
checks that the migrated schema matches these models exactly. Timestamps are aware UTC
(:class:`~storage.types.UTCDateTime`); chat ids and Telegram ids are 64-bit everywhere.

There are no ORM relationships on purpose: queries live in :mod:`storage.crud` and use explicit
joins, and child rows are removed by ``ON DELETE CASCADE`` in the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from storage.types import BigIntPK, JSONDoc, UTCDateTime, utcnow

# Deterministic constraint names: needed for SQLite batch migrations and readable diffs.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CHANNEL_KINDS: Final = ("air_force", "alerts", "governor", "railway", "energy", "news")
CHAT_TYPES: Final = ("private", "group", "supergroup", "channel")
LANGUAGES: Final = ("uk", "en")
OUTBOX_STATUSES: Final = ("pending", "sending", "sent", "failed", "dead", "expired")
# Outbox.priority: message classes, claimed in this order (threats before reports before digests).
OUTBOX_CLASSES: Final = ("threat", "report", "digest")
# Chat.topics is a bitmask over this tuple: bit i set <=> TOPICS[i] wanted.
TOPICS: Final = (
    "air_alerts",
    "drones_missiles",
    "shelling_explosions",
    "casualties_damage",
    "power",
    "rail",
)
ALL_TOPICS_MASK: Final = (1 << len(TOPICS)) - 1

REGION_LEN: Final = 8  # "UA" or "UA-74"
ERROR_LEN: Final = 500
AREA_LEN: Final = 96
MEDIA_KEY_LEN: Final = 64


class Channel(SQLModel, table=True):
    """A Telegram channel we poll. ``username`` is stored lowercased without ``@`` (usernames
    are case-insensitive, so lookups use it); ``display_name`` keeps the registry's spelling
    ("chernigivskaODA") for what people read; empty means the username."""

    __tablename__ = "channels"
    __table_args__ = (CheckConstraint("username = lower(username)", name="username_lower"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    username: str = Field(sa_type=String(64), unique=True)
    display_name: str = Field(default="", sa_type=String(64))
    kind: str = Field(sa_type=String(16))
    default_region: str | None = Field(default=None, sa_type=String(REGION_LEN))
    title: str = Field(default="", sa_type=String(256))
    enabled: bool = True
    confirmed: bool = False
    poll_interval_s: int = 60
    last_seen_id: int = Field(default=0, sa_type=BigInteger)
    last_poll_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_poll_ok: bool | None = None
    last_error: str | None = Field(default=None, sa_type=String(ERROR_LEN))
    consecutive_errors: int = 0
    last_post_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def shown(self) -> str:
        """The username as people read it: the registry's spelling when it is known."""
        name = self.display_name
        return name if name and name.lower() == self.username else self.username

    @property
    def trusted(self) -> bool:
        """Registered by the operator, enabled and confirmed: only such channels' posts alert
        anyone or enter summaries; the others are stored for the operator to review."""
        return self.enabled and self.confirmed


class Post(SQLModel, table=True):
    """One channel message; ``version`` starts at 1 and is bumped whenever the text changes.

    Indexed by ``published_at`` so pruning finds the old ones without scanning the table.
    """

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("channel_id", "message_id"),
        Index("ix_posts_published_at", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    channel_id: int = Field(
        sa_type=BigInteger, foreign_key="channels.id", ondelete="CASCADE", nullable=False
    )
    message_id: int = Field(sa_type=BigInteger)
    published_at: datetime = Field(sa_type=UTCDateTime)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    text: str = Field(sa_type=Text)
    content_hash: str = Field(sa_type=String(64))
    forwarded_from: str | None = Field(default=None, sa_type=String(256))
    media: str | None = Field(default=None, sa_type=String(16))  # photo, video, album, poll…
    fetched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    parsed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class Event(SQLModel, table=True):
    """One happening of one kind in a post (at most one per kind per post).

    ``regions`` is kept both here (for display) and in :class:`EventRegion` (for indexed
    lookups). The unique (post_id, kind) constraint also serves as the index on ``post_id``.
    """

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("post_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    post_id: int = Field(
        sa_type=BigInteger, foreign_key="posts.id", ondelete="CASCADE", nullable=False
    )
    kind: str = Field(sa_type=String(32))
    regions: list[str] = Field(default_factory=list, sa_type=JSONDoc)
    counts: dict[str, int] = Field(default_factory=dict, sa_type=JSONDoc)
    summary: str = Field(default="", sa_type=Text)
    places: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONDoc)
    # A threat happening now (take cover) rather than a report; where a threat is heading.
    live: bool = Field(default=False, sa_type=Boolean)
    heading: list[str] = Field(default_factory=list, sa_type=JSONDoc)
    # The trains a delay names ("743", "92/91"): figures that are no counts.
    train_numbers: list[str] = Field(default_factory=list, sa_type=JSONDoc)
    occurred_at: datetime = Field(sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EventRegion(SQLModel, table=True):
    """(event, region) pairs with ``kind``/``occurred_at`` copied for the lookup indexes."""

    __tablename__ = "event_regions"
    __table_args__ = (
        Index("ix_event_regions_region_kind_occurred", "region", "kind", "occurred_at"),
        Index("ix_event_regions_region_occurred", "region", "occurred_at"),
    )

    event_id: int = Field(
        sa_type=BigInteger, foreign_key="events.id", ondelete="CASCADE", primary_key=True
    )
    region: str = Field(sa_type=String(REGION_LEN), primary_key=True)
    kind: str = Field(sa_type=String(32))
    occurred_at: datetime = Field(sa_type=UTCDateTime)


class Chat(SQLModel, table=True):
    """A chat that talked to the bot. ``id`` is the Telegram chat id.

    Quiet hours are minutes since local midnight (``quiet_start`` may exceed ``quiet_end`` to wrap
    midnight); both ``None`` means no quiet hours. ``digest_time`` is "HH:MM" or ``None`` for
    no digest. ``topics`` is a bitmask over :data:`TOPICS`.
    """

    __tablename__ = "chats"
    __table_args__ = (
        CheckConstraint("quiet_start >= 0 AND quiet_start < 1440", name="quiet_start_range"),
        CheckConstraint("quiet_end >= 0 AND quiet_end < 1440", name="quiet_end_range"),
    )

    id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    type: str = Field(sa_type=String(16))
    language: str = Field(default="uk", sa_type=String(2))
    active: bool = True
    quiet_start: int | None = Field(default=None, sa_type=Integer)
    quiet_end: int | None = Field(default=None, sa_type=Integer)
    digest_time: str | None = Field(default="08:00", sa_type=String(5))
    topics: int = ALL_TOPICS_MASK
    # Quiet hours silence threats too (else a threat to the chat's own regions still rings).
    quiet_all: bool = Field(default=False, sa_type=Boolean)
    # A town-subscribed chat: posts and alerts of other raions shown marked (else left out).
    other_areas: bool = Field(default=False, sa_type=Boolean)
    # The daily digest carries the map of its 24 hours (when anything happened).
    digest_map: bool = Field(default=False, sa_type=Boolean)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deactivated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Subscription(SQLModel, table=True):
    """A chat's interest in one region; the primary key is (chat_id, region)."""

    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_region_chat", "region", "chat_id"),)

    chat_id: int = Field(
        sa_type=BigInteger, foreign_key="chats.id", ondelete="CASCADE", primary_key=True
    )
    region: str = Field(sa_type=String(REGION_LEN), primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SubscriptionPlace(SQLModel, table=True):
    """A town, hromada or raion a chat follows inside one of its subscribed regions.

    A region with such rows is followed "down to the town": the region's own alerts still
    come, alerts and posts of other raions (or hromadas) do not (or come marked, per
    :attr:`Chat.other_areas`). ``raion``/``hromada`` are the names the place lies in, so
    matching needs no gazetteer lookup of the chat's side.
    """

    __tablename__ = "subscription_places"
    __table_args__ = (Index("ix_subscription_places_region", "region"),)

    chat_id: int = Field(
        sa_type=BigInteger, foreign_key="chats.id", ondelete="CASCADE", primary_key=True
    )
    key: str = Field(sa_type=String(32), primary_key=True)  # KATOTTG code
    region: str = Field(sa_type=String(REGION_LEN))
    level: str = Field(sa_type=String(16))
    name_uk: str = Field(sa_type=String(AREA_LEN))
    name_en: str = Field(sa_type=String(AREA_LEN))
    raion: str = Field(default="", sa_type=String(AREA_LEN))
    hromada: str = Field(default="", sa_type=String(AREA_LEN))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Happening(SQLModel, table=True):
    """One real-world happening in one region, however many posts/channels report it.

    ``kind`` is the event kind, or ``"air_alert"`` for an alert episode (``air_alert_start`` to
    ``air_alert_end``; ``ended_at`` set by the end). ``counts`` holds the latest figures,
    ``places`` the named places ({"uk", "en"}), ``sources`` the reporting posts
    ("channel/message_id"), so a message can be re-rendered from this row alone.

    Any other happening is an *incident* (``kind`` "threat" or "report"): everything one post,
    and the later posts about the same thing, say about it. ``kinds`` are its event kinds,
    ``counts`` its figures keyed "<kind>.<figure>", ``regions`` where it is (``heading``: where a
    threat moves to), ``last_at`` its latest report, ``changes`` what the latest report changed.
    """

    __tablename__ = "happenings"
    __table_args__ = (
        Index("ix_happenings_region_kind_started", "region", "kind", "started_at"),
        Index("ix_happenings_kind_started", "kind", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    kind: str = Field(sa_type=String(32))
    region: str = Field(sa_type=String(REGION_LEN))
    # An alert for part of the region (a raion or hromada, by its name); "" for the region.
    area: str = Field(default="", sa_type=String(AREA_LEN))
    level: str = Field(default="", sa_type=String(16))  # alerts: "yellow" for a lower level
    started_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    counts: dict[str, int] = Field(default_factory=dict, sa_type=JSONDoc)
    places: list[dict[str, str]] = Field(default_factory=list, sa_type=JSONDoc)
    sources: list[str] = Field(default_factory=list, sa_type=JSONDoc)
    live: bool = Field(default=False, sa_type=Boolean)
    regions: list[str] = Field(default_factory=list, sa_type=JSONDoc)
    kinds: list[str] = Field(default_factory=list, sa_type=JSONDoc)
    heading: list[str] = Field(default_factory=list, sa_type=JSONDoc)
    changes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONDoc)
    train_numbers: list[str] = Field(default_factory=list, sa_type=JSONDoc)
    last_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LiveMessage(SQLModel, table=True):
    """The one Telegram message a chat has (or will have) for a happening.

    ``slot`` 0 is the happening's message, 1 the all-clear of an alert episode. ``text`` is the
    latest rendering (bumping ``revision``); ``sent_text``/``telegram_message_id`` what the chat
    has now, so the dispatcher knows whether to send, edit or do nothing.
    """

    __tablename__ = "live_messages"
    __table_args__ = (UniqueConstraint("happening_id", "chat_id", "slot"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    happening_id: int = Field(
        sa_type=BigInteger, foreign_key="happenings.id", ondelete="CASCADE", nullable=False
    )
    chat_id: int = Field(
        sa_type=BigInteger, foreign_key="chats.id", ondelete="CASCADE", nullable=False, index=True
    )
    slot: int = 0
    text: str = Field(sa_type=Text)
    revision: int = 1
    sent_text: str | None = Field(default=None, sa_type=Text)
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    # The message is a photo's caption (edits go through ``editMessageCaption``).
    captioned: bool = Field(default=False, sa_type=Boolean)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Outbox(SQLModel, table=True):
    """One message to deliver: (event, chat), made unique by ``dedup_key``.

    Lifecycle: pending → sending (claimed) → sent | failed (retry at ``next_attempt_at``) | dead
    | expired (its class's time to live ran out before Telegram took it).
    ``attempts`` counts claims; ``claimed_at`` lets a restart requeue rows stuck in ``sending``.
    ``live_id`` (alerting) names the live message this row brings up to date. ``priority`` is
    the index of the row's class in :data:`OUTBOX_CLASSES`; claiming takes the lowest first.
    ``media_key`` names a :class:`Media` picture the first send carries (the night's map).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_priority_next_attempt", "status", "priority", "next_attempt_at"),
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'expired')",
            name="status_valid",
        ),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    # Both foreign keys are indexed so cascading deletes of events/chats don't scan the outbox.
    event_id: int = Field(
        sa_type=BigInteger, foreign_key="events.id", ondelete="CASCADE", nullable=False, index=True
    )
    chat_id: int = Field(
        sa_type=BigInteger, foreign_key="chats.id", ondelete="CASCADE", nullable=False, index=True
    )
    live_id: int | None = Field(
        default=None,
        sa_type=BigInteger,
        foreign_key="live_messages.id",
        ondelete="CASCADE",
        index=True,
    )
    dedup_key: str = Field(sa_type=String(128), unique=True)
    status: str = Field(default="pending", sa_type=String(16))
    priority: int = Field(default=1, sa_type=SmallInteger)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    last_error: str | None = Field(default=None, sa_type=String(ERROR_LEN))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    media_key: str | None = Field(default=None, sa_type=String(MEDIA_KEY_LEN))


class Media(SQLModel, table=True):
    """A picture many outbox rows send (the night's map): stored once, so ten thousand chats
    reference one PNG and it survives a restart. ``file_id`` is what Telegram returned for the
    first upload; later sends pass it instead of the bytes."""

    __tablename__ = "media"

    key: str = Field(primary_key=True, sa_type=String(MEDIA_KEY_LEN))
    data: bytes = Field(sa_type=LargeBinary)
    file_id: str | None = Field(default=None, sa_type=String(256))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Broadcast(SQLModel, table=True):
    """An operator's broadcast: its synthetic event (whose outbox rows are its messages), who
    asked, and whether the completion report went out — kept here so a restart still reports.

    ``claimed_at`` is set just before the report is sent (several instances never both send),
    ``reported_at`` and the counts once Telegram took it.
    """

    __tablename__ = "broadcasts"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    event_id: int = Field(
        sa_type=BigInteger, foreign_key="events.id", ondelete="CASCADE", nullable=False, unique=True
    )
    admin_chat_id: int = Field(sa_type=BigInteger)
    language: str = Field(default="uk", sa_type=String(2))
    total: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    sent: int | None = None
    failed: int | None = None


class JobMark(SQLModel, table=True):
    """How far a once-per-slot job got (the daily digest: the last local minute handled, as
    epoch minutes), shared by every instance: a new leader carries on from here, and each
    slot is claimed once, whichever instance runs it."""

    __tablename__ = "job_marks"

    name: str = Field(primary_key=True, sa_type=String(32))
    slot: int = Field(sa_type=BigInteger)
