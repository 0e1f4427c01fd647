"""The read-only status page at ``/`` of the health server: the map, the alert list and the
last hour's threats per region, in Ukrainian (``/``) and English (``/?lang=en``).

Server-rendered with Jinja2 (autoescaped); it refreshes itself with a meta refresh, no script.
It shows only public facts — alert states, threat kinds, times — never chats, subscribers or
anything else about people. ``SITREP_STATUS_PAGE=false`` turns it off (then ``/`` is 404).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.geo import REGIONS
from bot.i18n import LANGUAGES, t
from bot.maps import cached_map
from bot.maps.render import fmt_clock
from bot.maps.state import PARTIAL, THREAT_KINDS, THREAT_WINDOW, MapState, load_state
from storage import crud
from storage.db import session_scope

REFRESH_S: Final = 30
Response = tuple[str, str, bytes]  # status line, content type, body


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("bot.status_page", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True, slots=True)
class PageData:
    state: MapState
    started: dict[str, datetime]
    threats: list[crud.EventRow]


def _load(session: Session, now: datetime) -> PageData:
    state = load_state(session, now)
    active = [r for r, _ in state.alerts]
    started = {
        r: s.started_at
        for r, s in crud.alert_states(session, active).items()
        if s.started_at is not None
    }
    wanted = [(r, k, 3) for r in REGIONS for k in THREAT_KINDS]
    threats = [
        e for e in crud.newest_events(session, wanted, now - THREAT_WINDOW) if e.occurred_at <= now
    ]
    return PageData(state, started, threats)


class StatusPage:
    """Answers ``/`` (HTML) and ``/map.png``; ``None`` for any other path."""

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        tz: ZoneInfo,
        refresh_s: int = REFRESH_S,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.tz = tz
        self.refresh_s = refresh_s

    def _data(self) -> PageData:
        with session_scope(self.engine, readonly=True) as session:
            return _load(session, self.clock())

    async def __call__(self, target: str) -> Response | None:
        parts = urlsplit(target)
        query = parse_qs(parts.query)
        lang = (query.get("lang") or ["uk"])[0]
        lang = lang if lang in LANGUAGES else "uk"
        if parts.path not in ("/", "/index.html", "/map.png"):
            return None
        data = await asyncio.to_thread(self._data)
        if parts.path == "/map.png":
            png = await asyncio.to_thread(cached_map, data.state, lang, self.tz)
            return "200 OK", "image/png", png
        html = self.render(data, lang)
        return "200 OK", "text/html; charset=utf-8", html.encode()

    def render(self, data: PageData, lang: str) -> str:
        state = data.state
        tz = self.tz
        names = {r: t(lang, f"region.{r}") for r in REGIONS}
        alerts = sorted(
            (
                {
                    "code": r,
                    "name": names[r],
                    "partial": scope == PARTIAL,
                    "since": data.started[r].astimezone(tz).strftime("%H:%M")
                    if r in data.started
                    else "",
                }
                for r, scope in state.alerts
            ),
            key=lambda a: str(a["name"]),
        )
        by_region: dict[str, list[dict[str, Any]]] = {}
        for e in sorted(data.threats, key=lambda e: e.occurred_at, reverse=True):
            by_region.setdefault(e.region, []).append(
                {
                    "kind": e.kind,
                    "label": t(lang, f"map.legend.{e.kind}"),
                    "time": e.occurred_at.astimezone(tz).strftime("%H:%M"),
                }
            )
        threats = sorted(
            ({"code": r, "name": names[r], "items": items} for r, items in by_region.items()),
            key=lambda x: str(x["name"]),
        )
        stale_line = None
        if state.stale:
            stale_line = (
                t(lang, "map.stale_never")
                if state.stale_since is None
                else t(lang, "map.stale_since", time=fmt_clock(lang, state.stale_since, tz))
            )
        words = {
            k.removeprefix("page."): t(lang, k)
            for k in (
                "page.title",
                "page.alerts",
                "page.no_alerts",
                "page.threats",
                "page.no_threats",
                "page.partial",
                "page.whole",
                "page.since",
                "page.map_alt",
                "page.footer",
            )
        }
        return (
            _env()
            .get_template("status.html")
            .render(
                lang=lang,
                other="en" if lang == "uk" else "uk",
                w=words,
                as_of=t(
                    lang,
                    "map.as_of",
                    time=fmt_clock(lang, state.as_of, tz),
                    zone=state.as_of.astimezone(tz).tzname() or "",
                ),
                count=t(lang, "map.count", n=len(alerts), total=len(REGIONS))
                if alerts
                else t(lang, "map.calm"),
                stale=stale_line,
                alerts=alerts,
                threats=threats,
                refresh_s=self.refresh_s,
                version=abs(hash(state)) % 10**8,
            )
        )
