"""Queries over the Sitrep tables, grouped by table.

All functions take a :class:`sqlmodel.Session`, flush but never commit — wrap calls in
:func:`storage.db.session_scope` (one short transaction each) and run them through
``asyncio.to_thread`` from async code.
"""

from __future__ import annotations

from storage.crud.channels import (
    advance_last_post_at,
    advance_last_seen_id,
    get_channel_by_username,
    list_channels,
    normalize_username,
    record_poll,
    upsert_channel,
)
from storage.crud.chats import (
    chat_ids_for,
    deactivate_chat,
    forget_chat,
    get_chat,
    mask_to_topics,
    set_topics,
    subscribe,
    subscriptions_of,
    toggle_topic,
    topic_bit,
    topics_to_mask,
    unsubscribe,
    upsert_chat,
)
from storage.crud.events import (
    EventChanges,
    EventData,
    events_for_post,
    recent_events,
    replace_events_for_post,
)
from storage.crud.outbox import (
    claim_due,
    dedup_key,
    enqueue,
    get_outbox,
    mark_dead,
    mark_retry,
    mark_sent,
    requeue_stale_sending,
)
from storage.crud.posts import (
    PostStatus,
    content_hash,
    get_post,
    mark_parsed,
    unparsed_posts,
    upsert_post,
)

__all__ = [
    "EventChanges",
    "EventData",
    "PostStatus",
    "advance_last_post_at",
    "advance_last_seen_id",
    "chat_ids_for",
    "claim_due",
    "content_hash",
    "deactivate_chat",
    "dedup_key",
    "enqueue",
    "events_for_post",
    "forget_chat",
    "get_channel_by_username",
    "get_chat",
    "get_outbox",
    "get_post",
    "list_channels",
    "mark_dead",
    "mark_parsed",
    "mark_retry",
    "mark_sent",
    "mask_to_topics",
    "normalize_username",
    "recent_events",
    "record_poll",
    "replace_events_for_post",
    "requeue_stale_sending",
    "set_topics",
    "subscribe",
    "subscriptions_of",
    "toggle_topic",
    "topic_bit",
    "topics_to_mask",
    "unparsed_posts",
    "unsubscribe",
    "upsert_channel",
    "upsert_chat",
    "upsert_post",
]

from storage.crud.summaries import (
    AlertState,
    ChannelHealth,
    DigestChat,
    EventRow,
    alert_states,
    channel_health,
    digest_chats,
    newest_events,
    regions_of_chats,
    set_chat_fields,
)

__all__ += [
    "AlertState",
    "ChannelHealth",
    "DigestChat",
    "EventRow",
    "alert_states",
    "channel_health",
    "digest_chats",
    "newest_events",
    "regions_of_chats",
    "set_chat_fields",
]

from storage.crud.admin import (  # noqa: E402
    ChatTotals,
    SourceRow,
    UntrustedSource,
    active_chat_count,
    active_chats,
    chat_totals,
    outbox_counts,
    sources_health,
    subscribers_by_region,
    untrusted_sources,
)

__all__ += [
    "ChatTotals",
    "SourceRow",
    "UntrustedSource",
    "active_chat_count",
    "active_chats",
    "chat_totals",
    "outbox_counts",
    "sources_health",
    "subscribers_by_region",
    "untrusted_sources",
]
