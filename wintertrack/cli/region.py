"""`wintertrack region …`: the region's side of the returns its ICBs send."""

from __future__ import annotations

from typing import Annotated

import typer

from schemes.rules import InputRefused
from wintertrack.bootstrap import build_application
from wintertrack.cli.common import _fail

app = typer.Typer(help="Run a region: receive its ICBs' monthly returns.", no_args_is_help=True)


@app.command("follow")
def follow(
    region: Annotated[str, typer.Option(help="Region code (built in: Y61) or catalogue file")],
    group: str = "wintertrack-region",
    max_poll_records: Annotated[int, typer.Option(min=1, max=1000)] = 50,
) -> None:
    """Consumes {prefix}.returns into the region's store; failures go to {prefix}.returns.dlq."""
    import signal
    import threading

    from schemes.regions import load_region
    from wintertrack.config import get_settings
    from wintertrack.streams.region import RegionFollower

    settings = get_settings()
    if not settings.kafka_bootstrap:
        raise _fail(InputRefused("WINTERTRACK_KAFKA_BOOTSTRAP", "must be set"))
    try:
        catalogue = load_region(region)
    except InputRefused as error:
        raise _fail(error) from None
    follower = RegionFollower(
        build_application(settings),
        catalogue,
        settings.kafka_bootstrap,
        settings.kafka_topic_prefix,
        group,
        max_poll_records,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        follower.run(stop)
    except KeyboardInterrupt:
        stop.set()
    follower.close()
