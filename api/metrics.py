"""``GET /metrics`` in the Prometheus text format (``WINTERTRACK_METRICS=on``).

Request counts and latency are counted by this process. Everything else is read, at scrape
time, from what every process shares — the event store and the views database — so one scrape
of any API instance tells the truth about the separate ``project``, ``relay`` and ``ingest``
processes too: the event-log head, the views' position and lag (events and seconds), the
relay's last published position and lag (its ``relay_tracking`` row) and the ingest consumers'
lag and dead-letter count (the rows each ``wintertrack ingest`` writes after every poll to
``ingest_status``, its dead letters by reason to ``dead_letter_counts`` and its throughput,
transactions and lag in seconds to ``ingest_rates``; a row's ``updated`` gauge shows whether its
process is still writing).
Sign-in failures are counted by this process, as its sign-in service records them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from projections.db import ViewDatabase
from projections.freshness import freshness
from projections.projector import Projector
from projections.queries import tracking

log = logging.getLogger("wintertrack.metrics")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class StoreCollector(Collector):
    """Gauges read from the store and the views at scrape time."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector

    def collect(self) -> Iterator[Metric]:
        fresh = freshness(self.projector)
        yield _gauge("wintertrack_event_log_position", "Last position of the event log", fresh.head)
        yield _gauge(
            "wintertrack_projector_position", "Last position the views applied", fresh.position
        )
        yield _gauge(
            "wintertrack_projector_lag_events",
            "Events the views have not applied",
            fresh.lag_events,
        )
        yield _gauge(
            "wintertrack_projector_lag_seconds",
            "Age of the oldest event the views have not applied (0 when caught up)",
            fresh.lag_seconds,
        )
        yield from self._relay(fresh.head)
        yield from self._ingest()

    def _query(
        self, rows: Callable[[ViewDatabase], list[tuple[Any, ...]]]
    ) -> list[tuple[object, ...]] | None:
        try:
            return [tuple(row) for row in rows(self.projector.views)]
        except Exception:  # the table exists once that process has run; until then, no series
            return None

    def _relay(self, head: int) -> Iterator[Metric]:
        rows = self._query(tracking.relay_position)
        if not rows:
            return
        published = int(str(rows[0][0]))
        yield _gauge(
            "wintertrack_relay_published_position", "Last position the relay published", published
        )
        yield _gauge(
            "wintertrack_relay_lag_events", "Events not yet published", max(head - published, 0)
        )

    def _ingest(self) -> Iterator[Metric]:
        rows = self._query(tracking.ingest_status)
        if rows is None:
            return
        lag = GaugeMetricFamily(
            "wintertrack_ingest_consumer_lag",
            "Messages behind the end of the partitions this ingest consumer holds",
            labels=["consumer"],
        )
        dlq = GaugeMetricFamily(
            "wintertrack_ingest_dlq_messages",
            "Messages this ingest consumer sent to the dead-letter topic since it was first run",
            labels=["consumer"],
        )
        stored = GaugeMetricFamily(
            "wintertrack_ingest_stored_messages", "Messages stored as reports", labels=["consumer"]
        )
        updated = GaugeMetricFamily(
            "wintertrack_ingest_updated_timestamp_seconds",
            "When this ingest consumer last reported (Unix time)",
            labels=["consumer"],
        )
        for consumer, lag_value, dlq_value, stored_value, when in rows:
            name = str(consumer)
            lag.add_metric([name], float(str(lag_value)))
            dlq.add_metric([name], float(str(dlq_value)))
            stored.add_metric([name], float(str(stored_value)))
            updated.add_metric([name], float(str(when)))
        yield from (lag, dlq, stored, updated)
        yield from self._dead_letters()
        yield from self._ingest_rates()

    def _ingest_rates(self) -> Iterator[Metric]:
        rows = self._query(tracking.ingest_rates)
        if rows is None:
            return
        families = (
            GaugeMetricFamily(
                "wintertrack_ingest_messages_per_second",
                "Messages this ingest consumer handled per second over the last 10 seconds",
                labels=["consumer"],
            ),
            GaugeMetricFamily(
                "wintertrack_ingest_transactions",
                "Batches of messages this ingest consumer stored, each in one transaction",
                labels=["consumer"],
            ),
            GaugeMetricFamily(
                "wintertrack_ingest_lag_seconds",
                "How long messages have waited for this ingest consumer, at least: the age of "
                "the newest one it handled while more wait (0 when caught up)",
                labels=["consumer"],
            ),
        )
        for consumer, *values in rows:
            for family, value in zip(families, values, strict=True):
                family.add_metric([str(consumer)], float(str(value)))
        yield from families

    def _dead_letters(self) -> Iterator[Metric]:
        rows = self._query(tracking.dead_letter_counts)
        if rows is None:
            return
        by_kind = GaugeMetricFamily(
            "wintertrack_ingest_dead_letters",
            "Messages this ingest consumer sent to the dead-letter topic, by reason",
            labels=["consumer", "reason"],
        )
        for consumer, kind, total in rows:
            by_kind.add_metric([str(consumer), str(kind)], float(str(total)))
        yield by_kind


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class Metrics:
    """One registry per app (tests build many apps in one process)."""

    def __init__(self, projector: Projector) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = Counter(
            "wintertrack_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "wintertrack_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status",
            ["method", "route", "status"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.sign_in_failures = Counter(
            "wintertrack_sign_in_failures",
            "Failed sign-in attempts recorded by this instance",
            registry=self.registry,
        )
        self.registry.register(StoreCollector(projector))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def sign_in_failed(self) -> None:
        self.sign_in_failures.inc()

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
