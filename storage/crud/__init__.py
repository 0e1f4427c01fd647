"""Queries over the Sitrep tables, grouped by table.

All functions take a :class:`sqlmodel.Session`, flush but never commit — wrap calls in
:func:`storage.db.session_scope` (one short transaction each) and run them through
``asyncio.to_thread`` from async code.

This package is storage's one face: code outside it writes ``from storage import crud`` and
calls ``crud.<name>``; every public query and row type is re-exported here.
"""

from __future__ import annotations

from storage.crud.channels import (
    advance_last_post_at,
    advance_last_seen_id,
    get_channel_by_username,
    list_channels,
    normalize_username,
    record_poll,
    spelled_username,
    upsert_channel,
)
from storage.crud.chats import (
    chat_ids_for,
    chat_type_of,
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
    enqueue_live,
    expire_overdue,
    get_outbox,
    mark_dead,
    mark_expired,
    mark_retry,
    mark_sent,
    pending_count,
    priority_of,
    release,
    renew_claims,
    requeue_stale_sending,
    retry_now,
    sent_since,
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
    "chat_type_of",
    "claim_due",
    "content_hash",
    "deactivate_chat",
    "dedup_key",
    "enqueue",
    "enqueue_live",
    "events_for_post",
    "expire_overdue",
    "forget_chat",
    "get_channel_by_username",
    "get_chat",
    "get_outbox",
    "get_post",
    "list_channels",
    "mark_dead",
    "mark_expired",
    "mark_parsed",
    "mark_retry",
    "mark_sent",
    "mask_to_topics",
    "normalize_username",
    "pending_count",
    "priority_of",
    "recent_events",
    "record_poll",
    "release",
    "renew_claims",
    "replace_events_for_post",
    "requeue_stale_sending",
    "retry_now",
    "sent_since",
    "set_topics",
    "spelled_username",
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

from storage.crud.live import (  # noqa: E402
    NATIONWIDE,
    Delivered,
    IncidentTarget,
    Job,
    LiveState,
    Target,
    add_happening,
    add_live,
    alert_targets,
    find_happening,
    incident_targets,
    jobs_for,
    live_states,
    recent_incidents,
    record_delivered,
    set_live_texts,
)
from storage.crud.media import get_media, media_key, prune_media, put_media, set_file_id  # noqa: E402
from storage.crud.places import (  # noqa: E402
    FollowedPlace,
    follow_place,
    followed_places,
    places_in,
    unfollow_region_places,
)

__all__ += [
    "NATIONWIDE",
    "Delivered",
    "FollowedPlace",
    "IncidentTarget",
    "Job",
    "LiveState",
    "Target",
    "add_happening",
    "add_live",
    "alert_targets",
    "find_happening",
    "follow_place",
    "followed_places",
    "get_media",
    "incident_targets",
    "jobs_for",
    "live_states",
    "media_key",
    "places_in",
    "prune_media",
    "put_media",
    "recent_incidents",
    "record_delivered",
    "set_file_id",
    "set_live_texts",
    "unfollow_region_places",
]

from storage.crud.broadcasts import (  # noqa: E402
    BroadcastReport,
    add_broadcast,
    claim_report,
    due_reports,
    finish_report,
    release_report,
)
from storage.crud.prune import (  # noqa: E402
    PRUNE_BATCH,
    newest_alert_posts,
    prune_broadcasts,
    prune_happenings,
    prune_outbox,
    prune_posts,
)

__all__ += [
    "PRUNE_BATCH",
    "BroadcastReport",
    "add_broadcast",
    "claim_report",
    "due_reports",
    "finish_report",
    "newest_alert_posts",
    "prune_broadcasts",
    "prune_happenings",
    "prune_outbox",
    "prune_posts",
    "release_report",
]
from storage.crud.marks import claim_slot, job_mark  # noqa: E402

__all__ += ["claim_slot", "job_mark"]
