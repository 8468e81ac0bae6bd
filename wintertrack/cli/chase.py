"""`wintertrack chase`: the leads to remind of yesterday's missing figures, and sending it."""

from __future__ import annotations

import smtplib
from datetime import date
from typing import Annotated

import typer

from wintertrack.bootstrap import build_application, build_read_side
from wintertrack.cli.common import fail, out
from wintertrack.config import get_settings


def chase_command(
    send: Annotated[
        bool, typer.Option("--send", help="Email the reminders (otherwise only list them)")
    ] = False,
    programme: Annotated[
        str | None, typer.Option("--programme", help="Only this programme (default: all)")
    ] = None,
    today: Annotated[
        str | None,
        typer.Option("--today", help="The day of the run, YYYY-MM-DD (default: today)"),
    ] = None,
) -> None:
    """Lists (or with --send, emails) every lead with a scheme not reported for yesterday.
    For a scheduler: run at 10:30 on working days; a lead is reminded once a day."""
    from wintertrack.chase import due_reminders, send_reminders

    settings = get_settings()
    try:
        day = date.fromisoformat(today) if today else date.today()
    except ValueError:
        raise fail(ValueError("--today must be a date as YYYY-MM-DD")) from None
    application = build_application(settings, lambda: day)
    projector, read = build_read_side(application, settings, lambda: day)
    projector.run_once()
    outcome = due_reminders(application, read, day, programme)
    if send:
        try:
            outcome = send_reminders(application, outcome, settings)
        except (OSError, smtplib.SMTPException, ValueError) as error:
            raise fail(ValueError(f"reminders not sent: {error}")) from None
    for line in outcome.lines():
        out.print(line, highlight=False)
    out.print(
        f"sent={len(outcome.sent)} due={len(outcome.due)} already={len(outcome.already)} "
        f"no_email={len(outcome.no_email)}",
        highlight=False,
    )
