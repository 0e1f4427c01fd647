"""The status page at ``/`` of the health server: HTML in both languages, the map PNG, no
personal data, the setting that turns it off, and a real browser (Debian's chromium driven by
Playwright) that sees the regions under alert and the page update after a new alert."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from bot.health import HealthServer
from bot.maps.cache import CACHE
from bot.maps.outlines import placed
from bot.maps.render import ALERT, CALM, map_box
from bot.metrics import Metrics
from bot.pipeline import IncomingPost, Pipeline
from bot.registry import seed_channels
from bot.status_page import StatusPage
from storage import crud
from storage.db import make_engine, session_scope
from tests.support.kit import CHANNELS, NOW, Clock

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DOCS = Path(__file__).resolve().parents[1] / "docs"
ALERT_74 = "🔴 09:14 Повітряна тривога в Чернігівська область."
ALERT_NIKOPOL = "🔴 09:30 Повітряна тривога в Нікопольський район."
ALERT_46 = "🔴 10:00 Повітряна тривога в Львівська область."
DRONES_SUMY = "Група ударних БпЛА на Сумщині, курсом на Конотоп."


@dataclass
class Site:
    url: str
    engine: Engine
    pipeline: Pipeline
    clock: Clock
    next_id: int = 5000

    async def post(self, channel: str, text: str, ago: timedelta) -> None:
        self.next_id += 1
        post = IncomingPost(channel, self.next_id, self.clock.now - ago, text)
        await self.pipeline.ingest(channel, [post])

    def polls_ok(self) -> None:
        with session_scope(self.engine) as s:
            for c in crud.list_channels(s):
                assert c.id is not None
                crud.record_poll(s, c.id, ok=True, now=self.clock.now)


async def _serve(tmp_path: Path, page: bool = True) -> AsyncIterator[Site]:
    CACHE.clear()
    engine = make_engine(f"sqlite:///{tmp_path / 'page.sqlite3'}")
    SQLModel.metadata.create_all(engine)
    seed_channels(engine, CHANNELS)
    clock = Clock(NOW)
    status = StatusPage(engine, clock, ZoneInfo("Europe/Kyiv"), refresh_s=1) if page else None
    server = HealthServer(Metrics(), {}, port=0, page=status)
    port = await server.start()
    try:
        yield Site(f"http://127.0.0.1:{port}", engine, Pipeline(engine, clock=clock), clock)
    finally:
        await server.stop()
        engine.dispose()


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async for s in _serve(tmp_path):
        yield s


async def _get(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(url)


async def _scene(site: Site) -> None:
    await site.post("air_alert_ua", ALERT_74, timedelta(minutes=46))
    await site.post("air_alert_ua", ALERT_NIKOPOL, timedelta(minutes=30))
    await site.post("kpszsu", DRONES_SUMY, timedelta(minutes=15))
    site.polls_ok()


async def test_page_in_both_languages(site: Site) -> None:
    await _scene(site)
    uk = await _get(site.url + "/")
    assert uk.status_code == 200 and uk.headers["content-type"].startswith("text/html")
    body = uk.text
    assert 'http-equiv="refresh"' in body and 'name="viewport"' in body
    assert "Повітряні тривоги в Україні" in body and "Чернігівщина" in body
    assert 'data-region="UA-74"' in body and 'data-region="UA-12"' in body
    assert "частина області" in body and "Ударні БпЛА" not in body  # kinds by the legend words
    assert "Дрони 09:45" in body
    en = await _get(site.url + "/?lang=en")
    assert "Air-raid alerts in Ukraine" in en.text and "part of the oblast" in en.text
    png = await _get(site.url + "/map.png?lang=en")
    assert png.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size == (1000, 841)


async def test_page_shows_no_personal_data(site: Site) -> None:
    await _scene(site)
    with session_scope(site.engine) as s:
        crud.upsert_chat(s, 424242, type="private", language="uk")
        crud.subscribe(s, 424242, "UA-74")
    body = (await _get(site.url + "/")).text
    assert "424242" not in body and "chat" not in body.lower()


async def test_stale_sources_are_said(site: Site) -> None:
    await site.post("air_alert_ua", ALERT_74, timedelta(minutes=46))
    body = (await _get(site.url + "/")).text
    assert 'id="stale"' in body and "Немає свіжих даних" in body


async def test_setting_turns_the_page_off(tmp_path: Path) -> None:
    async for s in _serve(tmp_path, page=False):
        assert (await _get(s.url + "/")).status_code == 404
        assert (await _get(s.url + "/map.png")).status_code == 404


def _anchor(region: str) -> tuple[int, int]:
    x0, y0, w = map_box()
    x, y = placed(float(x0), float(y0), float(w)).anchors[region]
    return round(x), round(y)


PIXEL_JS = """([x, y]) => {
  const img = document.getElementById('map');
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  return Array.from(g.getImageData(x, y, 1, 1).data.slice(0, 3));
}"""


@pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (scripts/test.sh installs it)"
)
async def test_status_page_in_a_real_browser(site: Site, tmp_path: Path) -> None:
    tmp = tmp_path / "status-page.png"
    from playwright.async_api import async_playwright

    await _scene(site)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = await browser.new_page(
                viewport={"width": 412, "height": 915}, device_scale_factor=2
            )
            await page.goto(site.url + "/")
            await page.wait_for_function("document.getElementById('map').complete")
            marked = await page.eval_on_selector_all(
                "#alerts li", "els => els.map(e => e.dataset.region)"
            )
            assert sorted(marked) == ["UA-12", "UA-74"]
            assert await page.evaluate(PIXEL_JS, list(_anchor("UA-74"))) == list(ALERT)
            assert await page.evaluate(PIXEL_JS, list(_anchor("UA-46"))) == list(CALM)
            # Readable on a phone: nothing wider than the screen.
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= 412
            # The README's picture: refreshed with SITREP_UPDATE_DOCS=1, else kept out of the tree.
            shot = DOCS / "status-page.png" if os.environ.get("SITREP_UPDATE_DOCS") else tmp
            await page.screenshot(path=str(shot), full_page=True)
            assert Image.open(shot).size[0] >= 412

            # A new alert arrives; the page refreshes itself (meta refresh) and shows it.
            await site.post("air_alert_ua", ALERT_46, timedelta(0))
            await page.wait_for_selector('#alerts li[data-region="UA-46"]', timeout=15_000)
            await page.wait_for_function("document.getElementById('map').complete")
            await asyncio.sleep(0.2)
            assert await page.evaluate(PIXEL_JS, list(_anchor("UA-46"))) == list(ALERT)
        finally:
            await browser.close()
