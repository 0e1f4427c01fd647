"""Webhooks of the Bot API stand-in: setWebhook, deleteWebhook, getWebhookInfo, and the
delivery that POSTs queued updates to the URL setWebhook gave.

As Telegram does it: one update at a time, in order, as a JSON body with the secret in the
``X-Telegram-Bot-Api-Secret-Token`` header. An answer other than 2xx, or no answer, is kept as
getWebhookInfo's ``last_error_date``/``last_error_message`` and the update is tried again after
a growing pause; after a number of attempts it is given up (Telegram's docs: "we will repeat the
request and give up after a reasonable amount of attempts"). The defaults keep trying for about
half a minute, long enough for a bot to restart; ``webhook_retries`` changes them. Nothing is
delivered while the API is in an outage.

Telegram reaches a bot through the operator's reverse proxy, which terminates TLS. The stand-in
plays that proxy with routes: a public URL prefix (``https://bot.example.org``) is sent to one
or more local addresses (``http://127.0.0.1:8443``) in turn, as a load balancer in front of
several instances would.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.standins import botapi_inject
from bot.standins.botapi_methods import api
from bot.standins.botapi_state import JSON, BotState, bad_request

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
IDLE_S = 0.5  # re-check for work this often even without a wake-up
WEBHOOK_PORTS = (443, 80, 88, 8443)


@api("deleteWebhook")
def delete_webhook(st: BotState, params: JSON) -> bool:
    st.webhook = {"url": ""}
    if params.get("drop_pending_updates") in (True, "true", "True"):
        st.updates.clear()
    return True


@api("setWebhook")
def set_webhook(st: BotState, params: JSON) -> bool:
    url = str(params.get("url") or "")
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    try:
        port = urlsplit(url).port or 443
    except ValueError:
        raise bad_request("bad webhook: Wrong port number specified in the URL") from None
    if port not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = params.get("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
        raise bad_request("secret token contains unallowed characters")
    if isinstance(allowed := params.get("allowed_updates"), list):
        st.allowed_updates = [str(a) for a in allowed]  # one setting, shared with getUpdates
    st.webhook = {k: v for k, v in params.items() if k != "certificate"}
    st.webhook["url"] = url
    if params.get("drop_pending_updates") in (True, "true", "True"):
        st.updates.clear()
    st.notify()  # queued updates go out now
    return True


@api("getWebhookInfo")
def get_webhook_info(st: BotState, params: JSON) -> JSON:
    info: JSON = {
        "url": st.webhook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": sum(1 for u in st.updates if st.allowed(u)),
    }
    keys = ("max_connections", "ip_address", "allowed_updates", "last_error_date",
            "last_error_message")  # fmt: skip
    for key in keys:
        if key in st.webhook:
            info[key] = st.webhook[key]
    return info


def route(st: BotState, url: str) -> str:
    """``url`` as the reverse proxy forwards it (round robin over a prefix's targets)."""
    with st.lock:
        for prefix, targets in st.webhook_routes.items():
            if targets and url.startswith(prefix):
                target = targets[st.webhook_turn % len(targets)]
                st.webhook_turn += 1
                return target.rstrip("/") + url[len(prefix) :]
    return url


def next_delivery(st: BotState) -> tuple[JSON, str, str | None] | None:
    """The update to POST now, the address it goes to and the secret; None when idle."""
    with st.lock:
        url = str(st.webhook.get("url") or "")
        if not url or botapi_inject.in_outage(st):
            return None
        st.updates = [u for u in st.updates if st.allowed(u)]
        if not st.updates:
            return None
        secret = st.webhook.get("secret_token")
        return dict(st.updates[0]), route(st, url), str(secret) if secret else None


def record(st: BotState, update_id: int, status: int | None, error: str | None) -> None:
    """One delivery attempt; a success removes the update from the queue."""
    now = time.time()
    with st.lock:
        st.webhook_log.append(
            {"update_id": update_id, "status": status, "error": error, "time": now}
        )
        if error is None:
            st.updates = [u for u in st.updates if u["update_id"] != update_id]
        elif st.webhook.get("url"):
            st.webhook["last_error_date"] = int(now)
            st.webhook["last_error_message"] = error


def give_up(st: BotState, update_id: int) -> None:
    with st.lock:
        st.updates = [u for u in st.updates if u["update_id"] != update_id]
        st.webhook_given_up.append(update_id)


async def post(client: httpx.AsyncClient, url: str, secret: str | None, update: JSON) -> str | None:
    """POST one update; ``None`` when the bot took it, else Telegram's wording of the error."""
    headers = {SECRET_HEADER: secret} if secret else {}
    try:
        resp = await client.post(url, json=update, headers=headers)
    except httpx.TimeoutException:
        return "Read timeout expired"
    except httpx.HTTPError as exc:
        return f"Connection failed: {type(exc).__name__}"
    if 200 <= resp.status_code < 300:
        return None
    return f"Wrong response from the webhook: {resp.status_code} {resp.reason_phrase}"


class WebhookDelivery:
    """The delivery loop; runs on the stand-in server's event loop."""

    def __init__(
        self, state: BotState, wake: Callable[[], asyncio.Event], timeout_s: float = 10.0
    ) -> None:
        self.state = state
        self.wake = wake  # the server's current wake-up event (renewed on every new update)
        self.timeout_s = timeout_s

    async def run(self) -> None:
        failures = 0
        async with httpx.AsyncClient(timeout=self.timeout_s) as client:
            while True:
                event = self.wake()
                job = next_delivery(self.state)
                if job is None:
                    failures = 0
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(event.wait(), IDLE_S)
                    continue
                update, url, secret = job
                error = await post(client, url, secret, update)
                status = None if error is None else _status(error)
                record(self.state, update["update_id"], 200 if error is None else status, error)
                if error is None:
                    failures = 0
                    continue
                failures += 1
                with self.state.lock:
                    attempts, backoff = self.state.webhook_retries
                if failures >= attempts:
                    give_up(self.state, update["update_id"])
                    failures = 0
                    continue
                await asyncio.sleep(backoff[min(failures, len(backoff)) - 1] if backoff else 0)


def _status(error: str) -> int | None:
    words = error.removeprefix("Wrong response from the webhook: ").split()
    return int(words[0]) if words and words[0].isdigit() else None


def start(state: BotState, wake: Callable[[], asyncio.Event]) -> asyncio.Task[Any]:
    return asyncio.create_task(WebhookDelivery(state, wake).run(), name="botapi-webhook")
