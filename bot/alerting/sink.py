"""``OutboxSink``: the pipeline's alerting stage — events in, live messages and outbox rows out.

Runs inside the pipeline's transaction (``stage``), so alerts commit or roll back with the
events that caused them. Per event: resolve its happening per region, find the chats
(one indexed query), render the text once per language, and for each chat either create the
live message (→ a send) or, if its text changed, bump it (→ an edit). Unchanged text
enqueues nothing. ``wake`` (after the commit) starts a dispatch round at once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import Session

from bot.alerting.happenings import merge, resolve, slot_of, view_of
from bot.alerting.render import LinkFn, render, tme_link
from bot.alerting.topics import topic_of
from storage.crud import live as crud_live
from storage.crud import outbox as crud_outbox
from storage.crud.events import EventChanges
from storage.models import Channel, Event, Happening, Post

logger = logging.getLogger(__name__)


class OutboxSink:
    """Implements :class:`bot.pipeline.EventSink`. ``wake`` is usually ``Dispatcher.wake``."""

    def __init__(
        self,
        wake: Callable[[], None] | None = None,
        *,
        link: LinkFn = tme_link,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._wake = wake
        self.link = link
        self.clock = clock

    def wake(self) -> None:
        if self._wake is not None:
            self._wake()

    def stage(self, session: Session, post: Post, changes: EventChanges) -> None:
        events = [*changes.created, *changes.updated]
        if not events:
            return
        channel = session.get(Channel, post.channel_id)
        source = (channel.username if channel else str(post.channel_id), post.message_id)
        for event in events:
            try:
                with session.begin_nested():  # a bug here must not lose the post batch
                    queued = self._stage_event(session, event, source)
            except Exception:
                logger.exception(
                    "alerting.stage_failed",
                    extra={"event_id": event.id, "kind": event.kind, "post_id": post.id},
                )
                continue
            if queued:
                logger.info(
                    "alerting.staged",
                    extra={"event_id": event.id, "kind": event.kind, "queued": queued},
                )

    def _stage_event(self, session: Session, event: Event, source: tuple[str, int]) -> int:
        topic = topic_of(event.kind)
        if topic is None or not event.regions or event.id is None:
            return 0
        now = self.clock()
        slot = slot_of(event.kind)
        happenings: dict[str, Happening] = {}
        for region in event.regions:
            happening = resolve(session, event.kind, region, event.occurred_at, now)
            merge(
                happening,
                slot=slot,
                counts=event.counts,
                places=event.places,
                region=region,
                source=source,
                now=now,
            )
            happenings[region] = happening
        session.flush()
        targets = crud_live.alert_targets(session, event.regions, topic)
        by_region: dict[str, list[crud_live.Target]] = defaultdict(list)
        for target in targets:
            by_region[target.region].append(target)
        queued = 0
        for region, group in by_region.items():
            happening = happenings[region]
            assert happening.id is not None
            queued += self._fan_out(session, event.id, happening, slot, group, now)
        return queued

    def _fan_out(
        self,
        session: Session,
        event_id: int,
        happening: Happening,
        slot: int,
        group: list[crud_live.Target],
        now: datetime,
    ) -> int:
        assert happening.id is not None
        view = view_of(happening, slot)
        texts: dict[str, str] = {}

        def text_for(lang: str) -> str:
            if lang not in texts:
                texts[lang] = render(view, lang, link=self.link)
            return texts[lang]

        existing = crud_live.live_states(session, happening.id, slot)
        fresh = [(t.chat_id, text_for(t.language)) for t in group if t.chat_id not in existing]
        changed: list[tuple[int, str, int]] = []
        queue: list[tuple[int, int, int, int]] = []
        for target in group:
            state = existing.get(target.chat_id)
            if state is None:
                continue
            text = text_for(target.language)
            if text != state.text:
                changed.append((state.id, text, state.revision + 1))
                queue.append((event_id, target.chat_id, state.id, state.revision + 1))
        crud_live.set_live_texts(session, changed, now=now)
        if fresh:
            ids = crud_live.add_live(session, happening.id, slot, fresh, now=now)
            queue.extend((event_id, chat_id, live_id, 1) for chat_id, live_id in ids.items())
        return crud_outbox.enqueue_live(session, queue, now=now)
