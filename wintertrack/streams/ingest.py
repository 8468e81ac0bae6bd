"""Consumes daily reports from provider systems on ``{prefix}.daily-figures``.

Each message is validated exactly as the API validates a report, stored as a report from the
``kafka`` channel, and only then is its offset committed. Invalid messages go to
``{prefix}.daily-figures.dlq`` with the reason and the original payload, and the partition moves
on. Storing is idempotent on (scheme, date, source_message_id), so a redelivered message (after
a crash before the commit, or a rebalance between two ingest processes) stores nothing twice.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections import Counter
from typing import Any

from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from pydantic import ValidationError

from api.schemas import DailyIn, daily_body
from capacity.application import WinterApplication
from capacity.commands import ReportDaily
from capacity.errors import DomainError, DuplicateDailyReport
from capacity.reports import DailyReport, daily_report_id
from capacity.values import Actor
from projections.db import ViewDatabase
from schemes.rules import InputRefused, parse_date
from wintertrack.streams.consumer import (
    DeadLetteringConsumer,
    Rejected,
    dead_letter_producer,
    manual_consumer,
    not_a_number,
    rejected,
)

log = logging.getLogger("wintertrack.ingest")
INGEST = Actor("kafka-ingest", "system", "kafka")
GROUP = "wintertrack-ingest"
MAX_MESSAGE = 64 * 1024  # a daily report with every figure and a full narrative is under 8 KB


def store(application: WinterApplication, payload: bytes) -> str:
    """Validates and stores one message; returns "stored" or "duplicate", raises Rejected."""
    try:
        message = json.loads(payload, parse_constant=not_a_number)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Rejected(f"not JSON: {error}", "not-json") from None
    if not isinstance(message, dict):
        raise Rejected("message must be a JSON object")
    for required in ("programme", "scheme_code", "date", "source_message_id"):
        if not isinstance(message.get(required), str) or not message[required]:
            raise Rejected(f"{required}: is required (text)")
    programme, scheme = message["programme"], message["scheme_code"]
    source = message["source_message_id"][:200]
    body = {
        k: v
        for k, v in message.items()
        if k not in ("programme", "scheme_code", "source_message_id")
    }
    try:
        body = daily_body(DailyIn.model_validate(body))  # the API's own request model
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "message"
        raise Rejected(f"{field}: {first['msg']}") from None
    try:
        day = parse_date("date", message["date"])
        report_id = daily_report_id(programme, scheme, day)
        if report_id in application.repository:
            existing: Any = application.repository.get(report_id)
            assert isinstance(existing, DailyReport)
            if existing.source_ref == source:
                return "duplicate"
            raise Rejected(
                f"date: {scheme} already reported figures for {day.isoformat()}; "
                "send a correction instead"
            )
        application.run_command(
            ReportDaily(
                actor=INGEST, programme=programme, scheme=scheme, figures=body, source_ref=source
            )
        )
    except DuplicateDailyReport:
        return "duplicate"  # stored by another ingest process meanwhile
    except (InputRefused, DomainError) as error:
        raise rejected(error) from None
    return "stored"


class Ingest(DeadLetteringConsumer):
    max_value_bytes = MAX_MESSAGE

    def __init__(
        self,
        application: WinterApplication,
        bootstrap: str,
        topic_prefix: str,
        group: str = GROUP,
        views: ViewDatabase | None = None,
    ) -> None:
        self.application = application
        self.views = views
        self.consumer_id = f"{group}/{socket.gethostname()}/{os.getpid()}"
        self._reported = 0.0
        self.topic = f"{topic_prefix}.daily-figures"
        self.dlq = f"{self.topic}.dlq"
        self.consumer = manual_consumer(self.topic, bootstrap, group, max_poll_records=100)
        self.producer = dead_letter_producer(bootstrap)
        self.counts = {"stored": 0, "duplicate": 0, "rejected": 0}
        self.dead_letters = Counter()

    def process(self, record: ConsumerRecord) -> str:
        return store(self.application, record.value)

    def on_commit(self) -> None:
        log.info("ingest counts %s", self.counts, extra={"counts": dict(self.counts)})

    def on_poll(self, polled: bool) -> None:
        if polled or time.monotonic() - self._reported > 5:
            self.report_status()

    def report_status(self) -> None:
        """This consumer's lag (end offsets minus positions, over its partitions) and counts,
        in ``ingest_status`` in the views database: what ``/metrics`` reads."""
        if self.views is None:
            return
        self._reported = time.monotonic()
        try:
            held = list(self.consumer.assignment())
            ends = self.consumer.end_offsets(held) if held else {}
            lag = sum(max(ends[tp] - self.consumer.position(tp), 0) for tp in held if tp in ends)
        except KafkaError as error:
            log.warning("could not measure consumer lag: %s", error)
            return
        row = (self.counts["stored"], self.counts["rejected"], lag, time.time(), self.consumer_id)
        with self.views.transaction() as db:
            db.lock_schema()
            db.execute(
                "CREATE TABLE IF NOT EXISTS ingest_status (consumer TEXT PRIMARY KEY, "
                "stored_total BIGINT NOT NULL, dlq_total BIGINT NOT NULL, lag BIGINT NOT NULL, "
                "updated DOUBLE PRECISION NOT NULL)"
            )
            db.execute("DELETE FROM ingest_status WHERE consumer = ?", (self.consumer_id,))
            db.execute(
                "INSERT INTO ingest_status (stored_total, dlq_total, lag, updated, consumer) "
                "VALUES (?, ?, ?, ?, ?)",
                row,
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS dead_letter_counts (consumer TEXT NOT NULL, "
                "kind TEXT NOT NULL, total BIGINT NOT NULL, PRIMARY KEY (consumer, kind))"
            )
            db.execute("DELETE FROM dead_letter_counts WHERE consumer = ?", (self.consumer_id,))
            for kind, total in sorted(self.dead_letters.items()):
                db.execute(
                    "INSERT INTO dead_letter_counts (consumer, kind, total) VALUES (?, ?, ?)",
                    (self.consumer_id, kind, total),
                )
