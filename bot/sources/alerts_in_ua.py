"""alerts.in.ua as a source: active air-raid alerts diffed into synthetic alert-channel posts.

``GET {base}/v1/alerts/active.json`` (Bearer token, ``If-Modified-Since`` → 304) is polled no
faster than every 7.5 s. Each poll's set of active ``air_raid`` alerts is compared with the
previous one; a new alert becomes a post "🔴 HH:MM Повітряна тривога в <place>." and a vanished
(or finished) one "🟢 HH:MM Відбій тривоги в <place>." of the pseudo-channel ``alerts_in_ua``
(kind ``alerts``), fed through the same :class:`~bot.pipeline.Pipeline` as every channel, so the
ordinary parser turns them into ``air_alert_start`` / ``air_alert_end`` events.

Message ids are ``alert_id * 2`` (start) and ``alert_id * 2 + 1`` (end), and the texts depend only
on the alert, so a re-sent transition is "unchanged" in the pipeline: never a duplicate event.

Baseline (no extra state is persisted; the posts table is the memory):

* At the first poll after start, alerts already active that started within ``catch_up`` seconds
  (default 10 min) get their start emitted (a restart re-sends it harmlessly: same id, same text);
  older ones (Luhansk and Crimea are alerted permanently) are the silent baseline: tracked as
  active, no start, but their end is reported when it comes.
* Starts stored in the last ``reopen_window`` (3 days) without their end and no longer active at
  the first poll ended while the bot was down: their end is emitted then, timed at that poll.
* Only ``air_raid`` alerts produce posts; other alert types are ignored.
* No all-clear without an explicit end: an alert whose entry turns unreadable (bad date, unknown
  oblast, no alert type) keeps its state, and while an entry has no readable id no alert ends
  by being absent (it could be any of them); the entry is logged and counted
  (``sitrep_source_unreadable_total``). A failed or malformed answer changes nothing at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.geo.regions import REGIONS
from bot.metrics import Metrics
from bot.pipeline import IncomingPost, Pipeline
from bot.sources.telegram_web import USER_AGENT, Backoff, parse_retry_after
from storage import crud
from storage.db import session_scope
from storage.models import Post

logger = logging.getLogger(__name__)

CHANNEL = "alerts_in_ua"
DEFAULT_BASE_URL = "https://api.alerts.in.ua"
ACTIVE_PATH = "/v1/alerts/active.json"
MIN_INTERVAL = 7.5  # the API allows about 8–10 requests per minute per IP

# alerts.in.ua oblast uid → ISO 3166-2 code.
OBLAST_UIDS: dict[int, str] = {
    4: "UA-05", 8: "UA-07", 16: "UA-09", 9: "UA-12", 28: "UA-14", 10: "UA-18", 11: "UA-21",
    12: "UA-23", 13: "UA-26", 31: "UA-30", 14: "UA-32", 15: "UA-35", 30: "UA-40", 29: "UA-43",
    27: "UA-46", 17: "UA-48", 18: "UA-51", 19: "UA-53", 5: "UA-56", 20: "UA-59", 21: "UA-61",
    22: "UA-63", 23: "UA-65", 3: "UA-68", 24: "UA-71", 25: "UA-74", 26: "UA-77",
}  # fmt: skip
_REGION_BY_NAME = {r.name_uk.lower(): r.code for r in REGIONS.values()}
_START_RE = re.compile(
    r"^[🔴🟡] \d\d:\d\d Повітряна тривога(?: \(жовтий рівень\))? в (?P<place>[^\n]+)\."
    r"(?:\nЗагрози: [^\n]*)?$"
)


@dataclass(frozen=True, slots=True)
class ApiAlert:
    """One entry of ``active.json`` (only the fields Sitrep uses)."""

    id: int
    location_title: str
    location_type: str  # oblast | raion | city | hromada
    alert_type: str  # air_raid | artillery_shelling | urban_fights | chemical | nuclear
    started_at: datetime
    finished_at: datetime | None
    region: str | None  # ISO code of its oblast
    level: str = ""  # "yellow" for a lower-level alert, "" for a full air raid
    threats: tuple[str, ...] = ()  # weapon words as the alert channel writes them

    @property
    def place(self) -> str:
        """The place as the alert channel writes it: nominative, sub-oblast places with oblast.

        The oblast is appended because raion and hromada names repeat across oblasts
        ("Шевченківський район", "Покровська громада"); alone, the parser can't place them.
        """
        title = self.location_title.strip()
        if self.location_type == "city" and not title.startswith("м."):
            title = f"м. {title}"
        oblast = REGIONS[self.region].name_uk if self.region in REGIONS else None
        if self.location_type == "oblast" and oblast:
            return oblast
        if oblast and title.lower() != oblast.lower():
            return f"{title}, {oblast}"
        return title


def _dt(value: Any) -> datetime | None:
    if not value:
        return None
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _region(item: Mapping[str, Any]) -> str | None:
    uid = _int(item.get("location_oblast_uid"))
    if uid is None and item.get("location_type") == "oblast":
        uid = _int(item.get("location_uid"))
    if uid in OBLAST_UIDS:
        return OBLAST_UIDS[uid]
    for key in ("location_oblast", "location_title"):
        code = _REGION_BY_NAME.get(str(item.get(key) or "").strip().lower())
        if code:
            return code
    return None


@dataclass(frozen=True, slots=True)
class AlertsBody:
    """What one ``active.json`` answer says.

    ``unreadable`` holds the ids of entries that are present but could not be read (a bad
    ``started_at``, an unknown oblast, no alert type): such an alert is still there, so it keeps
    whatever state it had. Reading its absence as an end would send a false all-clear.
    """

    alerts: list[ApiAlert]
    unreadable: frozenset[int] = frozenset()
    problems: int = 0  # unreadable entries, with or without an id
    anonymous: int = 0  # unreadable entries without a readable id: any alert could be one


def parse_alerts(body: Any) -> AlertsBody:
    """The alerts of an ``active.json`` body; unreadable entries are logged and kept apart."""
    items = body.get("alerts") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise ValueError("no 'alerts' list in the response")
    alerts: list[ApiAlert] = []
    unreadable: set[int] = set()
    problems = anonymous = 0
    for item in items:
        alert_id = _int(item.get("id")) if isinstance(item, dict) else None
        try:
            alerts.append(_read_alert(item, alert_id))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems += 1
            if alert_id is not None:
                unreadable.add(alert_id)
            else:
                anonymous += 1
            logger.warning(
                "alerts_in_ua.bad_alert", extra={"alert_id": alert_id, "error": str(exc)[:200]}
            )
    return AlertsBody(alerts, frozenset(unreadable), problems, anonymous)


def _read_alert(item: Any, alert_id: int | None) -> ApiAlert:
    started = _dt(item["started_at"])
    if started is None or alert_id is None:
        raise ValueError("no id or started_at")
    alert_type = item.get("alert_type")
    if not alert_type:
        raise ValueError("no alert_type")  # never guess "air_raid"
    region = _region(item)
    if region is None:
        raise ValueError("unknown oblast")
    return ApiAlert(
        id=alert_id,
        location_title=str(item["location_title"]),
        location_type=str(item.get("location_type") or "oblast"),
        alert_type=str(alert_type),
        started_at=started,
        finished_at=_dt(item.get("finished_at")),
        region=region,
        level=_level(item.get("alert_level")),
        threats=_threats(item.get("threats")),
    )


_YELLOW_LEVELS = frozenset({"yellow", "low", "warning", "lower"})
# alerts.in.ua threat codes → the words the alert channel (and our parser) use for them.
_THREAT_WORDS = {
    "drones": "БпЛА",
    "drone": "БпЛА",
    "uav": "БпЛА",
    "shahed": "БпЛА",
    "missiles": "ракети",
    "missile": "ракети",
    "cruise_missiles": "ракети",
    "ballistic": "ракети",
    "ballistic_missiles": "ракети",
    "kab": "КАБи",
    "kabs": "КАБи",
    "guided_bombs": "КАБи",
    "aviation": "КАБи",
}


def _level(value: Any) -> str:
    """ "yellow" for a lower-level alert; anything else (or nothing) is a full alert."""
    return "yellow" if str(value or "").strip().lower() in _YELLOW_LEVELS else ""


def _threats(value: Any) -> tuple[str, ...]:
    """Known weapon types of an entry, in the channel's words, each once; unknown ones left out."""
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    words = (_THREAT_WORDS.get(str(v).strip().lower()) for v in items)
    return tuple(dict.fromkeys(w for w in words if w))


@dataclass(frozen=True, slots=True)
class Transition:
    kind: Literal["start", "end"]
    alert_id: int
    place: str
    at: datetime
    level: str = ""
    threats: tuple[str, ...] = ()


def render(t: Transition, tz: ZoneInfo) -> IncomingPost:
    """The synthetic alert-channel post for a transition (deterministic id and text); a yellow
    alert says so in its first line, its weapon types follow ("Загрози: БпЛА, ракети.")."""
    hhmm = t.at.astimezone(tz).strftime("%H:%M")
    if t.kind == "start":
        if t.level == "yellow":
            text = f"🟡 {hhmm} Повітряна тривога (жовтий рівень) в {t.place}."
        else:
            text = f"🔴 {hhmm} Повітряна тривога в {t.place}."
        if t.threats:
            text += f"\nЗагрози: {', '.join(t.threats)}."
        mid = t.alert_id * 2
    else:
        text, mid = f"🟢 {hhmm} Відбій тривоги в {t.place}.", t.alert_id * 2 + 1
    return IncomingPost(channel=CHANNEL, message_id=mid, published_at=t.at, text=text)


@dataclass(slots=True)
class AlertDiff:
    """The active air-raid alerts between polls, as alert id → place; pure (the caller commits
    after storing)."""

    catch_up: float = 600.0
    active: dict[int, str] | None = None  # None until the first poll (baseline)

    def diff(
        self, body: AlertsBody, now: datetime, open_starts: Mapping[int, str]
    ) -> tuple[list[Transition], dict[int, str]]:
        """Transitions since the previous poll and the new active set (see the module doc).

        ``open_starts`` (alert id → place) are stored starts without an end; used at baseline.
        Only an alert that is gone from the answer, or says it finished, has ended: one whose
        entry turned unreadable keeps its state.
        """
        raids = [a for a in body.alerts if a.alert_type == "air_raid"]
        current = {a.id: a.place for a in raids if a.finished_at is None}
        finished = {a.id: a.finished_at for a in raids if a.finished_at is not None}
        previous = open_starts if self.active is None else self.active
        # An unreadable entry keeps its alert's state; one without a readable id could be any
        # alert, so while there is one, no alert ends by being absent.
        held = previous.keys() if body.anonymous else body.unreadable & previous.keys()
        for alert_id in held:
            if alert_id not in finished:
                current.setdefault(alert_id, previous[alert_id])
        out: list[Transition] = []
        if self.active is None:
            recent = now - timedelta(seconds=self.catch_up)
            out += [
                Transition("start", a.id, a.place, a.started_at, a.level, a.threats)
                for a in raids
                if a.finished_at is None and a.id not in open_starts and a.started_at >= recent
            ]
        else:
            out += [
                Transition("start", a.id, a.place, a.started_at, a.level, a.threats)
                for a in raids
                if a.finished_at is None and a.id not in self.active
            ]
        for alert_id, place in previous.items():
            if alert_id not in current:
                out.append(Transition("end", alert_id, place, finished.get(alert_id) or now))
        return out, current


class AlertsApiError(Exception):
    """A poll failed; ``retry_at`` is when to try again (None: stop, e.g. bad token)."""

    def __init__(self, message: str, retry_at: float | None) -> None:
        super().__init__(message)
        self.message, self.retry_at = message, retry_at


@dataclass(frozen=True, slots=True)
class AlertsPoll:
    status: Literal["ok", "not_modified", "rate_limited", "error", "unauthorized"]
    alerts: int = 0  # active air-raid alerts after the poll
    posts: int = 0  # synthetic posts sent to the pipeline
    events_created: int = 0
    retry_at: float | None = None
    error: str | None = None


def _load_open_starts(engine: Engine, since: datetime) -> dict[int, str]:
    """Stored starts (even ids) since ``since`` whose end (id + 1) is not stored."""
    with session_scope(engine, readonly=True) as s:
        channel = crud.get_channel_by_username(s, CHANNEL)
        if channel is None:
            return {}
        rows = s.exec(
            select(Post.message_id, Post.text).where(
                Post.channel_id == channel.id, col(Post.published_at) >= since
            )
        ).all()
    ids = {m for m, _ in rows}
    opened: dict[int, str] = {}
    for mid, text in rows:
        match = _START_RE.match(text)
        if mid % 2 == 0 and mid + 1 not in ids and match:
            opened[mid // 2] = match.group("place")
    return opened


class AlertsApiService:
    """Polls alerts.in.ua and feeds alert transitions into the pipeline; ``start``/``stop``.

    A bad token (401/403) stops polling with ``alerts_in_ua.unauthorized`` logged and
    :attr:`error` set; 429 waits at least ``Retry-After``, other failures back off exponentially.
    """

    def __init__(
        self,
        engine: Engine,
        pipeline: Pipeline,
        client: httpx.AsyncClient,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        interval: float = 15.0,
        *,
        timezone: str = "Europe/Kyiv",
        catch_up: float = 600.0,
        reopen_window: float = 3 * 86400.0,
        clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
        metrics: Metrics | None = None,
    ) -> None:
        self.engine, self.pipeline, self.client = engine, pipeline, client
        self.url = base_url.rstrip("/") + ACTIVE_PATH
        self.interval = max(MIN_INTERVAL, interval)
        self.tz = ZoneInfo(timezone)
        self.reopen_window = reopen_window
        self.error: str | None = None
        self.metrics = metrics
        self.unreadable_entries = 0  # entries seen that could not be read, since start
        self.state = AlertDiff(catch_up=catch_up)
        self._token = token
        self._last_modified: str | None = None  # sent back as If-Modified-Since
        self._pending_lm: str | None = None  # adopted once the poll's posts are stored
        self._clock = clock
        self._backoff = Backoff(
            base=self.interval, cap=600.0, floor=self.interval, clock=clock, rand=rand
        )
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Register the pseudo-channel and start polling in the background."""
        await asyncio.to_thread(self._register)
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="poll:alerts_in_ua")
        logger.info("alerts_in_ua.started", extra={"interval": self.interval, "url": self.url})

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
            logger.info("alerts_in_ua.stopped")

    def _register(self) -> None:
        with session_scope(self.engine) as s:
            crud.upsert_channel(  # the operator's own API token: a trusted source
                s,
                CHANNEL,
                kind="alerts",
                title="alerts.in.ua",
                poll_interval_s=int(self.interval),
                enabled=True,
                confirmed=True,
            )

    async def _run(self) -> None:
        while not self._stop.is_set():
            outcome = await self.poll_once()
            if outcome.status == "unauthorized":
                return
            due = outcome.retry_at or self._clock() + self.interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=max(0.0, due - self._clock()))

    async def poll_once(self) -> AlertsPoll:
        """One request, diff and ingest. Never raises (except cancellation)."""
        try:
            outcome = await self._poll()
        except AlertsApiError as exc:
            status: Literal["error", "unauthorized", "rate_limited"] = "error"
            if exc.retry_at is None:
                status, self.error = "unauthorized", exc.message
                logger.error("alerts_in_ua.unauthorized", extra={"error": exc.message})
            elif exc.message.startswith("HTTP 429"):
                status = "rate_limited"
            outcome = AlertsPoll(status, retry_at=exc.retry_at, error=exc.message)
        except Exception as exc:
            logger.exception("alerts_in_ua.poll_crashed")
            outcome = AlertsPoll(
                "error", retry_at=self._backoff.failure(), error=type(exc).__name__
            )
        await self._record(outcome)
        return outcome

    async def _poll(self) -> AlertsPoll:
        body = await self._fetch()
        if body is None:
            self._backoff.success()
            return AlertsPoll("not_modified", alerts=len(self.state.active or {}))
        alerts = parse_alerts(body)
        if alerts.problems:
            self.unreadable_entries += alerts.problems
            if self.metrics is not None:
                self.metrics.unreadable.labels(CHANNEL).inc(alerts.problems)
        now = datetime.fromtimestamp(self._clock(), UTC)
        opened: dict[int, str] = {}
        if self.state.active is None:
            since = now - timedelta(seconds=self.reopen_window)
            opened = await asyncio.to_thread(_load_open_starts, self.engine, since)
        transitions, current = self.state.diff(alerts, now, opened)
        posts = [render(t, self.tz) for t in transitions]
        created = 0
        if posts:
            result = await self.pipeline.ingest(CHANNEL, posts)
            created = result.events_created
        # Only once stored: a failed ingest leaves the old state (and Last-Modified) to retry.
        self.state.active = current
        self._last_modified = self._pending_lm
        self._backoff.success()
        logger.info(
            "alerts_in_ua.polled",
            extra={
                "active": len(current),
                "starts": sum(t.kind == "start" for t in transitions),
                "ends": sum(t.kind == "end" for t in transitions),
                "events_created": created,
            },
        )
        return AlertsPoll("ok", alerts=len(current), posts=len(posts), events_created=created)

    async def _fetch(self) -> Any | None:
        """The JSON body, or None on 304."""
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if self._last_modified and self.state.active is not None:
            headers["If-Modified-Since"] = self._last_modified
        try:
            resp = await self.client.get(self.url, headers=headers)
        except httpx.HTTPError as exc:
            raise self._failed(f"transport error ({type(exc).__name__})") from None
        if resp.status_code == 304:
            return None
        if resp.status_code in (401, 403):
            raise AlertsApiError(f"HTTP {resp.status_code}: token rejected", None)
        if resp.status_code == 429:
            retry_after = parse_retry_after(resp.headers.get("retry-after"), self._clock())
            raise self._failed("HTTP 429", min(retry_after or 0.0, 3600.0) or None)
        if resp.status_code != 200:
            raise self._failed(f"HTTP {resp.status_code}")
        try:
            body = resp.json()
        except ValueError:
            raise self._failed("response is not JSON") from None
        self._pending_lm = resp.headers.get("last-modified")
        return body

    def _failed(self, message: str, retry_after: float | None = None) -> AlertsApiError:
        retry_at = self._backoff.failure(retry_after)
        logger.warning(
            "alerts_in_ua.fetch_failed",
            extra={
                "error": message,
                "retry_after": retry_after,
                "attempts": self._backoff.attempts,
            },
        )
        return AlertsApiError(message, retry_at)

    async def _record(self, outcome: AlertsPoll) -> None:
        ok = outcome.status in ("ok", "not_modified")

        def record() -> None:
            with session_scope(self.engine) as s:
                channel = crud.get_channel_by_username(s, CHANNEL)
                if channel is not None and channel.id is not None:
                    crud.record_poll(s, channel.id, ok=ok, error=outcome.error)

        try:
            await asyncio.to_thread(record)
        except Exception:
            logger.exception("alerts_in_ua.record_failed")
