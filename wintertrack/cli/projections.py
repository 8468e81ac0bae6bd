"""`wintertrack projections …` and `wintertrack project`: the read side's views."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from wintertrack.bootstrap import build_application, build_read_side
from wintertrack.cli.common import err

app = typer.Typer(help="Read-side views.", no_args_is_help=True)


@app.command("rebuild")
def projections_rebuild() -> None:
    """Drops every view and rebuilds it from the whole event log, with a progress bar."""
    application = build_application()
    projector, _ = build_read_side(application)
    total = application.max_position()
    columns = (
        TextColumn("rebuilding views"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err) as progress:
        task = progress.add_task("events", total=total)
        applied = projector.rebuild(lambda n, _: progress.advance(task, n))
    print(f"rebuilt views from {applied} events (position {projector.position()})")


@app.command("follow")
def projections_follow(interval: float = 0.5) -> None:
    """Keeps the views following the event log (for when the API runs elsewhere)."""
    import logging
    import signal
    import threading

    from wintertrack.config import get_settings
    from wintertrack.logs import configure_logging

    configure_logging(get_settings().log_level)
    log = logging.getLogger("wintertrack.projector")
    application = build_application()
    projector, _ = build_read_side(application)
    projector.on_advance = lambda programmes: log.info(
        "views at position %d", projector.position(), extra={"programmes": programmes}
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        projector.follow(stop, interval)
    except KeyboardInterrupt:
        stop.set()


def project_command(interval: float = 0.5) -> None:
    """Runs the projections on their own (when the API runs elsewhere)."""
    projections_follow(interval)
