"""Prometheus metrics of the running bot, on a registry of its own (no global default registry).

One :class:`Metrics` is built per process and passed to the parts that count things.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.polls = Counter(
            "sitrep_polls", "Channel polls by outcome", ["channel", "outcome"], registry=r
        )
        self.posts = Counter(
            "sitrep_posts", "Posts stored, new or edited", ["channel", "status"], registry=r
        )
        self.events = Counter("sitrep_events", "Events created or updated", ["kind"], registry=r)
        self.alerts = Counter(
            "sitrep_alerts",
            "Alert messages by outcome (queued, sent, failed, expired)",
            ["status"],
            registry=r,
        )
        self.unreadable = Counter(
            "sitrep_source_unreadable",
            "Source entries that could not be read (kept as they were, never read as an end)",
            ["source"],
            registry=r,
        )
        self.pruned = Counter(
            "sitrep_pruned_rows", "Rows deleted by pruning, per table", ["table"], registry=r
        )
        self.http_429 = Counter("sitrep_telegram_429", "Bot API answers 429", registry=r)
        self.outbox_depth = Gauge("sitrep_outbox_depth", "Outbox rows waiting", registry=r)
        self.leader = Gauge(
            "sitrep_leader",
            "1 while this instance leads (pollers, getUpdates, jobs), 0 on a standby",
            registry=r,
        )
        self.delivery_latency = Histogram(
            "sitrep_delivery_latency_seconds",
            "From a post being stored to its alert being delivered",
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
