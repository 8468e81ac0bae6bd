"""`wintertrack relay` and `wintertrack ingest`: the Kafka edge."""

from __future__ import annotations

from typing import Annotated

import typer

from schemes.rules import InputRefused
from wintertrack.bootstrap import build_application
from wintertrack.cli.common import fail
from wintertrack.logs import configure_logging


def relay_command(
    interval: float = 0.5,
    once: Annotated[bool, typer.Option(help="Publish what is stored, then stop")] = False,
) -> None:
    """Publishes every stored event to {prefix}.events, resuming from its durable position."""
    import signal
    import threading

    from projections.db import ViewDatabase
    from wintertrack.config import get_settings
    from wintertrack.keys import read_key
    from wintertrack.streams.relay import Relay

    settings = get_settings()
    configure_logging(settings.log_level)
    if not settings.kafka_bootstrap:
        raise fail(InputRefused("WINTERTRACK_KAFKA_BOOTSTRAP", "must be set"))
    signing_key = None
    if settings.signing_key_file is not None:
        try:
            signing_key = read_key(settings.signing_key_file)
        except InputRefused as error:
            raise fail(error) from None
    application = build_application(settings)
    relay = Relay(
        application,
        ViewDatabase(settings.store),
        settings.kafka_bootstrap,
        settings.kafka_topic_prefix,
        signing_key=signing_key,
    )
    if once:
        while relay.publish_page():
            print(f"published through position {relay.position()}", flush=True)
        relay.close()
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        relay.run(stop, interval, lambda n, p: print(f"published through position {p}", flush=True))
    except KeyboardInterrupt:
        stop.set()
    relay.close()


def ingest_command(group: str = "wintertrack-ingest") -> None:
    """Consumes {prefix}.daily-figures into daily reports, a poll's valid messages in one
    transaction; invalid messages go to the DLQ."""
    import signal
    import threading

    from projections.db import ViewDatabase
    from wintertrack.config import get_settings
    from wintertrack.streams.ingest import Ingest

    settings = get_settings()
    configure_logging(settings.log_level)
    if not settings.kafka_bootstrap:
        raise fail(InputRefused("WINTERTRACK_KAFKA_BOOTSTRAP", "must be set"))
    ingest = Ingest(
        build_application(settings),
        settings.kafka_bootstrap,
        settings.kafka_topic_prefix,
        group,
        views=ViewDatabase(settings.store),
        batch_records=settings.ingest_batch_records,
        batch_bytes=settings.ingest_batch_bytes,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        ingest.run(stop)
    except KeyboardInterrupt:
        stop.set()
    ingest.close()
