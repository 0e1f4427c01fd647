"""``sitrep run``: the bot, the sources, the dispatcher and the health endpoint in one process.

Start order: store → dispatcher → Telegram app (``handlers/lifecycle.py``) → sources; the stop
is the exact reverse, so what produces work stops first: sources (no new posts), then updates
and the handlers in flight, then the dispatcher, which finishes in-flight sends and leaves the
rest in the outbox for the next start. Every stop step runs even when one before it failed, and
a failure is logged. The whole stop takes a few seconds, well inside the 10 s a container
manager gives.

Several instances may share one PostgreSQL (:mod:`bot.leader`): every instance runs the
dispatcher (and answers webhooks); only the leader runs the sources, ``getUpdates`` (polling
mode) and the JobQueue. On SQLite the one instance always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine
from telegram import Bot
from telegram.error import BadRequest
from telegram.ext import Application, ApplicationBuilder

from bot.alerting import Dispatcher, DispatchStats, OutboxSink, RateLimits, make_bot
from bot.alerting.policy import DeliveryPolicy
from bot.config import ConfigError, Settings
from bot.health import HealthServer
from bot.latest import sources_verdict
from bot.leader import Leadership, PgElector, Solo
from bot.metrics import Metrics
from bot.pipeline import Pipeline
from bot.services import Services
from bot.sources.alerts_in_ua import AlertsApiService
from bot.sources.telegram_web import TelegramWebSource
from bot.status_page import StatusPage
from bot.watch import SourceService, alerts_service
from handlers.app import ALLOWED_UPDATES, build_application
from handlers.lifecycle import Fetch, no_fetch, on_exit, running
from storage import crud
from storage.db import session_scope

logger = logging.getLogger(__name__)


@dataclass(kw_only=True)
class Runtime:
    """Everything ``sitrep run`` (and the demo) starts, so it can be stopped in order."""

    settings: Settings
    engine: Engine
    app: Application[Any, Any, Any, Any, Any, Any]
    dispatcher: Dispatcher
    dispatch_bot: Bot
    sources: SourceService
    client: httpx.AsyncClient
    health: HealthServer | None = None
    alerts_api: AlertsApiService | None = None
    metrics: Metrics = field(default_factory=Metrics)
    leadership: Leadership = field(default_factory=Solo)


def build_runtime(
    settings: Settings,
    engine: Engine,
    *,
    builder: ApplicationBuilder | None = None,  # type: ignore[type-arg]
    health: bool = True,
) -> Runtime:
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    if not token:
        raise ValueError("SITREP_BOT_TOKEN is not set")
    dispatch_bot = make_bot(token, settings.bot_api_base_url)
    shared = engine.dialect.name == "postgresql"  # several instances may share the outbox
    dispatcher = Dispatcher(
        engine,
        dispatch_bot,
        limits=RateLimits(global_per_s=settings.broadcast_rate),
        policy=DeliveryPolicy(ttl_s=settings.ttl_s()),
        tz=settings.tz,
        exclusive=not shared,
    )
    metrics = Metrics()
    pipeline = Pipeline(engine, OutboxSink(dispatcher.wake, tz=settings.tz), metrics=metrics)
    svc = Services(settings, engine, pipeline)
    app = build_application(svc, builder)
    client = httpx.AsyncClient(follow_redirects=False)
    sources = SourceService(
        engine,
        pipeline,
        TelegramWebSource(client, base_url=settings.telegram_web_url),
        interval_override=settings.poll_interval_s,
        metrics=metrics,
    )
    alerts_api = alerts_service(settings, engine, pipeline, client, metrics)
    leadership: Leadership = PgElector(settings.database_url) if shared else Solo()
    runtime = Runtime(
        settings=settings,
        engine=engine,
        app=app,
        dispatcher=dispatcher,
        dispatch_bot=dispatch_bot,
        sources=sources,
        client=client,
        alerts_api=alerts_api,
        metrics=metrics,
        leadership=leadership,
    )
    if health and settings.metrics_port:
        runtime.health = HealthServer(
            metrics,
            _checks(runtime),
            host=settings.metrics_host,
            port=settings.metrics_port,
            refresh=_refresher(runtime),
            page=_status_page(settings, engine),
            role=lambda: runtime.leadership.role,
        )
    return runtime


def _status_page(settings: Settings, engine: Engine) -> StatusPage | None:
    """The status page at ``/`` unless ``SITREP_STATUS_PAGE=false``."""
    if not settings.status_page:
        return None
    return StatusPage(engine, lambda: datetime.now(UTC), ZoneInfo(settings.timezone))


def _refresher(rt: Runtime) -> Callable[[], Awaitable[None]]:
    """Copies the dispatcher's counters and the outbox's state into the metrics at scrape time."""
    last = DispatchStats()
    since = [datetime.now(UTC)]

    def outbox() -> tuple[int, list[float]]:
        with session_scope(rt.engine, readonly=True) as s:
            depth = crud.pending_count(s)
            rows = crud.sent_since(s, since[0])
        if rows:
            since[0] = max(sent for _, sent in rows)
        return depth, [(sent - created).total_seconds() for created, sent in rows]

    async def refresh() -> None:
        stats, m = rt.dispatcher.stats, rt.metrics
        m.alerts.labels("sent").inc(stats.sent + stats.edited - last.sent - last.edited)
        m.alerts.labels("failed").inc(stats.dead - last.dead)
        m.alerts.labels("expired").inc(stats.expired - last.expired)
        m.http_429.inc(stats.rate_limited - last.rate_limited)
        last.sent, last.edited, last.dead = stats.sent, stats.edited, stats.dead
        last.expired = stats.expired
        last.rate_limited = stats.rate_limited
        m.leader.set(1 if rt.leadership.is_leader else 0)
        depth, latencies = await asyncio.to_thread(outbox)
        m.outbox_depth.set(depth)
        for value in latencies:
            m.delivery_latency.observe(value)

    return refresh


def _checks(rt: Runtime) -> dict[str, Any]:
    async def database() -> tuple[bool, str]:
        def ping() -> None:
            with rt.engine.connect() as conn:
                conn.execute(text("SELECT 1"))

        await asyncio.to_thread(ping)
        return True, "reachable"

    async def sources() -> tuple[bool, str]:
        def verdict() -> tuple[bool, str]:
            with session_scope(rt.engine, readonly=True) as s:
                health = crud.channel_health(s)
            return sources_verdict(health, datetime.now(UTC))

        return await asyncio.to_thread(verdict)

    async def dispatcher() -> tuple[bool, str]:
        return rt.dispatcher.health  # fails while Telegram or outcome writes fail

    return {"database": database, "sources": sources, "dispatcher": dispatcher}


async def serve(rt: Runtime, stop: asyncio.Event, *, ready: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set; then stop everything in order.

    Each stop step is pushed as its part starts, so the stack unwinds in reverse, and a step
    that fails (or a start that fails half-way) never keeps the later ones from running.
    Every instance runs the dispatcher and (webhook mode) serves Telegram's POSTs; the
    leader's duties (:func:`_duties`) start when :attr:`Runtime.leadership` elects it.
    """
    async with AsyncExitStack() as stack:
        on_exit(stack, "client.aclose", rt.client.aclose)
        if rt.health is not None:
            await rt.health.start()
            on_exit(stack, "health.stop", rt.health.stop)
        await rt.dispatch_bot.initialize()
        on_exit(stack, "dispatch_bot.shutdown", rt.dispatch_bot.shutdown)
        await rt.dispatcher.start()
        on_exit(stack, "dispatcher.stop", rt.dispatcher.stop)
        await stack.enter_async_context(
            running(rt.app, _fetch(rt.app, rt.settings), fetch_stop_timeout=3)
        )
        _pause_jobs(rt.app)  # the leader's duties start when it is elected
        elected, deposed = _duties(rt)
        await rt.leadership.start(elected, deposed)
        on_exit(stack, "leadership.stop", rt.leadership.stop, 8)  # stops the leader's duties
        logger.info("sitrep.running", extra={"webhook": bool(rt.settings.webhook_url)})
        if ready is not None:
            ready.set()
        try:
            await stop.wait()
        finally:
            logger.info("sitrep.stopping")
    logger.info("sitrep.stopped")


def _fetch(app: Application[Any, Any, Any, Any, Any, Any], s: Settings) -> Fetch:
    """Telegram's POSTs (:func:`start_webhook`, every instance) when ``SITREP_WEBHOOK_URL`` is
    set; otherwise nothing at start, as only the elected leader polls ``getUpdates``."""
    if s.webhook_url:
        return lambda _updater: start_webhook(app, s)
    return no_fetch


def _duties(rt: Runtime) -> tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]:
    """What only the leader runs: the sources, ``getUpdates`` (polling mode), the JobQueue.

    Stopping comes first and fast: a deposed leader must be quiet before a standby can win.
    """
    app, polling = rt.app, not rt.settings.webhook_url

    async def elected() -> None:
        rt.metrics.leader.set(1)
        if polling:
            assert app.updater is not None
            await app.updater.start_polling(
                allowed_updates=ALLOWED_UPDATES, poll_interval=0.0, timeout=10
            )
        await rt.sources.start()
        if rt.alerts_api is not None:
            await rt.alerts_api.start()
        _resume_jobs(app)

    async def deposed() -> None:
        rt.metrics.leader.set(0)
        _pause_jobs(app)
        stops = [rt.sources.stop()]
        if rt.alerts_api is not None:
            stops.append(rt.alerts_api.stop())
        if polling and app.updater is not None:
            stops.append(app.updater.stop())
        # together, within 3 s: the lock may pass to a standby soon after
        await asyncio.gather(*(asyncio.wait_for(s, 3) for s in stops), return_exceptions=True)

    return elected, deposed


def _pause_jobs(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """A standby's jobs wait (paused, not removed), so the leader's digests never double."""
    if app.job_queue is not None and app.job_queue.scheduler.running:
        app.job_queue.scheduler.pause()


def _resume_jobs(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    if app.job_queue is not None and app.job_queue.scheduler.running:
        app.job_queue.scheduler.resume()


async def start_webhook(app: Application[Any, Any, Any, Any, Any, Any], s: Settings) -> None:
    """Serve Telegram's POSTs on ``SITREP_WEBHOOK_LISTEN:PORT`` at the URL's path.

    Every instance may run this, leader or not: Telegram (or the reverse proxy in front) spreads
    the POSTs, and any instance answers them. PTB calls setWebhook with the same URL, secret and
    allowed updates on each start, which Telegram treats as a no-op; pending updates are kept
    (Telegram redelivers what arrived while no instance answered). A POST without the secret
    in ``X-Telegram-Bot-Api-Secret-Token`` gets 403 and is never handled.

    In webhook mode no instance polls, leader or not: getUpdates answers 409 while a webhook is
    set, and PTB's ``start_polling`` deletes the webhook at start (every instance's updates).
    """
    assert app.updater is not None and s.webhook_url and s.webhook_secret
    path = urlsplit(s.webhook_url).path or "/"
    try:
        await app.updater.start_webhook(
            listen=s.webhook_listen,
            port=s.webhook_port,
            url_path=path,
            webhook_url=s.webhook_url,
            secret_token=s.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
    except OSError as exc:
        where = f"{s.webhook_listen}:{s.webhook_port}"
        raise ConfigError(
            f"configuration error: SITREP_WEBHOOK_PORT: cannot listen on {where}: "
            f"{exc.strerror or exc}"
        ) from None
    except BadRequest as exc:  # Telegram refused the URL (it cannot resolve or reach it)
        raise ConfigError(
            f"configuration error: SITREP_WEBHOOK_URL: refused by Telegram: {exc.message}"
        ) from None
    logger.info(
        "sitrep.webhook",
        extra={"url": s.webhook_url, "listen": s.webhook_listen, "port": s.webhook_port},
    )


def install_signal_handlers(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
