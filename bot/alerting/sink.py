"""``OutboxSink``: the pipeline's alerting stage — a post's events in, live messages and outbox
rows out.

Runs inside the pipeline's transaction (``stage``), so alerts commit or roll back with the
events that caused them. Per post: alert events join their region's alert episode; all other
events become one incident report (``happenings.report_of``), so one post makes at most one
message per chat. For each happening: find the chats (one indexed query), render the text once
per (language, kinds the chat wants), and for each chat either create the live message (→ a
send) or, if its text changed, bump it (→ an edit). Unchanged text enqueues nothing. ``wake``
(after the commit) starts a dispatch round at once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.alerting import areas
from bot.alerting import happenings as hp
from bot.alerting.nightmap import is_night_summary, night_pictures
from bot.alerting.render import KYIV, LinkFn, render, tme_link
from bot.alerting.topics import TOPIC_OF_KIND, topic_of
from storage.crud import live as crud_live
from storage.crud import outbox as crud_outbox
from storage.crud import places as crud_places
from storage.crud.chats import topic_bit
from storage.crud.events import EventChanges
from storage.models import Channel, Event, Happening, Post

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Recipient:
    """A chat to bring up to date, with the kinds of the happening it wants to read."""

    chat_id: int
    language: str
    kinds: tuple[str, ...] | None  # None: the whole happening (alert episodes)
    marked: bool = False  # another raion than the chat's town: shown "not your raion"


def _threats_of_alert(events: Sequence[Event]) -> list[str]:
    """Weapon kinds a post names together with the alert it declares, over the alert's own
    regions ("Повітряна тривога … Загрози: БпЛА, ракети"): told in the alert's message, not
    as a message of their own (one post, one message)."""
    regions = {r for e in events if e.kind == "air_alert_start" for r in e.regions}
    if not regions:
        return []
    return [e.kind for e in events if e.kind in hp.WEAPON_KINDS and set(e.regions) <= regions]


class OutboxSink:
    """Implements :class:`bot.pipeline.EventSink`. ``wake`` is usually ``Dispatcher.wake``."""

    def __init__(
        self,
        wake: Callable[[], None] | None = None,
        *,
        link: LinkFn = tme_link,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        tz: ZoneInfo = KYIV,
    ) -> None:
        self._wake = wake
        self.link = link
        self.clock = clock
        self.tz = tz

    def wake(self) -> None:
        if self._wake is not None:
            self._wake()

    def stage(self, session: Session, post: Post, changes: EventChanges) -> None:
        events = [e for e in (*changes.created, *changes.updated) if e.id is not None]
        if not events:
            return
        channel = session.get(Channel, post.channel_id)
        source = (channel.username if channel else str(post.channel_id), post.message_id)
        folded = _threats_of_alert(events)
        level = hp.alert_level(post.text)
        for event in events:
            if event.kind in hp.ALERT_KINDS:
                work = partial(self._alert, session, event, source, folded, level)
                self._guarded(session, post, event.kind, work)
        others = [
            e
            for e in events
            if e.kind not in hp.ALERT_KINDS and e.kind not in folded and topic_of(e.kind)
        ]
        if others:
            self._guarded(
                session,
                post,
                "incident",
                partial(self._incident, session, others, source, post.edited_at),
            )

    def _guarded(self, session: Session, post: Post, what: str, work: Callable[[], int]) -> None:
        try:
            with session.begin_nested():  # a bug here must not lose the post batch
                queued = work()
        except Exception:
            logger.exception("alerting.stage_failed", extra={"kind": what, "post_id": post.id})
            return
        if queued:
            logger.info("alerting.staged", extra={"kind": what, "post_id": post.id, "queued": queued})  # fmt: skip

    def _alert(
        self,
        session: Session,
        event: Event,
        source: tuple[str, int],
        threats: Sequence[str] = (),
        level: str = "",
    ) -> int:
        assert event.id is not None
        if not event.regions:
            return 0
        now = self.clock()
        slot = hp.slot_of(event.kind)
        found: dict[str, Happening] = {}
        for region in event.regions:
            area, _, _ = hp.area_of(event.places, region)
            happening = hp.resolve(session, event.kind, region, event.occurred_at, now, area)
            hp.merge(
                happening,
                slot=slot,
                counts=event.counts,
                places=event.places,
                region=region,
                source=source,
                now=now,
                threats=threats if event.kind == "air_alert_start" else (),
                level=level if event.kind == "air_alert_start" else "",
            )
            found[region] = happening
        session.flush()
        by_region: dict[str, list[Recipient]] = defaultdict(list)
        towns = crud_places.places_in(session, event.regions)
        for target in crud_live.alert_targets(session, event.regions, "air_alerts"):
            where = towns.get(target.chat_id)
            marked = False
            if where is not None and target.region in where[1]:
                mine = where[1][target.region]
                if areas.relation(mine, found[target.region].places, target.region) != areas.MINE:
                    if not where[0]:
                        continue
                    marked = True
            by_region[target.region].append(
                Recipient(target.chat_id, target.language, None, marked)
            )
        return sum(
            self._fan_out(session, event.id, found[region], slot, group, now)
            for region, group in by_region.items()
        )

    def _incident(
        self,
        session: Session,
        events: Sequence[Event],
        source: tuple[str, int],
        edited_at: datetime | None,
    ) -> int:
        report = hp.report_of(events, source, edited_at)
        if report is None:
            return 0
        now = self.clock()
        happening = hp.resolve_incident(session, report, now)
        hp.merge_incident(happening, report, now)
        session.flush()
        kinds = list(happening.kinds)
        topics = {TOPIC_OF_KIND[k] for k in kinds if k in TOPIC_OF_KIND}
        targets = crud_live.incident_targets(session, happening.regions, topics)
        towns = crud_places.places_in(session, happening.regions)
        group: list[Recipient] = []
        for t in targets:
            marked = False
            where = towns.get(t.chat_id)
            if where is not None and not any(
                r not in where[1] or areas.relation(where[1][r], happening.places, r) == areas.MINE
                for r in t.regions
            ):
                if not where[0]:
                    continue
                marked = True
            wanted = tuple(k for k in kinds if t.topics & topic_bit(TOPIC_OF_KIND[k]))
            group.append(Recipient(t.chat_id, t.language, wanted, marked))
        event_id = min(e.id for e in events if e.id is not None)
        return self._fan_out(session, event_id, happening, 0, group, now)

    def _fan_out(
        self,
        session: Session,
        event_id: int,
        happening: Happening,
        slot: int,
        group: list[Recipient],
        now: datetime,
    ) -> int:
        assert happening.id is not None
        cls = hp.message_class(happening)  # threat | report: the outbox's priority class
        texts: dict[tuple[str, tuple[str, ...] | None, bool], str] = {}

        def text_for(r: Recipient) -> str:
            key = (r.language, r.kinds, r.marked)
            if key not in texts:
                view = hp.view_of(happening, slot, r.kinds, other_area=r.marked)
                texts[key] = render(view, r.language, link=self.link, tz=self.tz)
            return texts[key]

        existing = crud_live.live_states(session, happening.id, slot)
        fresh = [(r.chat_id, text_for(r)) for r in group if r.chat_id not in existing]
        changed: list[tuple[int, str, int]] = []
        queue: list[tuple[int, int, int, int]] = []
        for r in group:
            state = existing.get(r.chat_id)
            if state is None:
                continue
            text = text_for(r)
            if text != state.text:
                changed.append((state.id, text, state.revision + 1))
                queue.append((event_id, r.chat_id, state.id, state.revision + 1))
        crud_live.set_live_texts(session, changed, now=now)
        media: dict[int, str] = {}
        if fresh:
            ids = crud_live.add_live(session, happening.id, slot, fresh, now=now)
            queue.extend((event_id, chat_id, live_id, 1) for chat_id, live_id in ids.items())
            if is_night_summary(happening):  # the morning summary carries the night's map
                langs = {r.chat_id: r.language for r in group}
                keys = night_pictures(session, happening.started_at, self.tz, langs.values())
                media = {lid: keys[langs[c]] for c, lid in ids.items() if langs[c] in keys}
        queued = crud_outbox.enqueue_live(session, queue, klass=cls, now=now, media=media)
        if queued:
            logger.debug("alerting.queued", extra={"message_class": cls, "queued": queued})
        return queued
