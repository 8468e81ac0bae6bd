"""Publishes every stored domain event, in event-log order, to ``{prefix}.events``.

Idempotency keys are not events (``capacity/idempotency.py``); the ``IdempotencyRecord`` events
that older stores still hold are skipped, the position moving past them.

At-least-once: the position is advanced (durably, in the views database) only after the broker
has acknowledged every message of a page, so a crash or an outage re-sends at most one page.
Consumers de-duplicate on aggregate id + version.

Every submitted return revision is also published to ``{prefix}.returns`` for the region (see
``wintertrack/streams/region.py``), in the same page and under the same acknowledgement, so it
too is at least once and in log order (keyed by programme, so in order per programme).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kafka import KafkaProducer
from kafka.errors import KafkaError

from capacity.application import WinterApplication
from projections.db import ViewDatabase
from projections.event_log import is_domain_event
from wintertrack.streams.messages import SCHEMA_VERSION, encode, event_message
from wintertrack.streams.region import outgoing, returns_topic

log = logging.getLogger("wintertrack.relay")
NAME = "relay"


class Relay:
    def __init__(
        self,
        application: WinterApplication,
        views: ViewDatabase,
        bootstrap: str,
        topic_prefix: str,
        page_size: int = 500,
        signing_key: Ed25519PrivateKey | None = None,
    ) -> None:
        self.application = application
        self.signing_key = signing_key  # the ICB's: its returns are signed for the region
        self.views = views
        self.bootstrap = bootstrap
        self.topic = f"{topic_prefix}.events"
        self.returns_topic = returns_topic(topic_prefix)
        self.returns_published = 0
        self.page_size = page_size
        self._producer: KafkaProducer | None = None
        with views.transaction() as db:
            db.lock_schema()
            db.execute(
                "CREATE TABLE IF NOT EXISTS relay_tracking (name TEXT PRIMARY KEY, "
                "position BIGINT NOT NULL)"
            )
            if not db.query("SELECT position FROM relay_tracking WHERE name = ?", (NAME,)):
                db.execute("INSERT INTO relay_tracking (name, position) VALUES (?, 0)", (NAME,))

    def position(self) -> int:
        rows = self.views.query("SELECT position FROM relay_tracking WHERE name = ?", (NAME,))
        return int(rows[0][0])

    def producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(
                bootstrap_servers=self.bootstrap,
                acks="all",
                enable_idempotence=True,
                retries=5,
                linger_ms=5,
                request_timeout_ms=10_000,
                max_block_ms=10_000,
            )
        return self._producer

    def publish_page(self) -> int:
        """Publishes the next page; returns how many positions it moved past (0 when caught up),
        which counts skipped plumbing too, so a page of only plumbing does not look like the
        end of the log."""
        start = self.position()
        page = self.application.recorder.select_notifications(
            start, self.page_size, inclusive_of_start=False
        )
        if not page:
            return 0
        producer = self.producer()
        futures = []
        returns = 0
        for n in page:
            if not is_domain_event(n.topic):
                continue  # plumbing of older stores (idempotency records): not published
            futures.append(
                producer.send(
                    self.topic,
                    key=str(n.originator_id).encode(),
                    value=encode(event_message(n)),
                    headers=[("schema-version", SCHEMA_VERSION)],
                )
            )
            submitted = outgoing(self.application, n, self.signing_key)
            if submitted is not None:
                key, value, headers = submitted
                futures.append(
                    producer.send(self.returns_topic, key=key, value=value, headers=headers)
                )
                returns += 1
        producer.flush(timeout=30)
        for future in futures:
            future.get(timeout=30)  # raises if the broker did not acknowledge
        with self.views.transaction() as db:
            db.execute("UPDATE relay_tracking SET position = ? WHERE name = ?", (page[-1].id, NAME))
        self.returns_published += returns
        return len(page)

    def run(
        self,
        stop: threading.Event,
        interval: float = 0.5,
        on_page: Callable[[int, int], None] = lambda n, p: None,
    ) -> None:
        backoff = 0.5
        while not stop.is_set():
            try:
                published = self.publish_page()
                backoff = 0.5
            except KafkaError as error:
                log.warning("broker unavailable (%s); retrying in %.1fs", error, backoff)
                self._reset()
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            if published:
                on_page(published, self.position())
            else:
                stop.wait(interval)

    def _reset(self) -> None:
        if self._producer is not None:
            with contextlib.suppress(KafkaError):
                self._producer.close(timeout=1)
            self._producer = None

    def close(self) -> None:
        self._reset()
