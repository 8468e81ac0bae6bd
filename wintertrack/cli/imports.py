"""`wintertrack import daily`: bulk daily figures from a CSV file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from capacity.application import WinterApplication
from capacity.errors import DomainError
from schemes.rules import InputRefused
from wintertrack.bootstrap import build_application
from wintertrack.cli.common import ProgrammeOpt, cli_actor, err, fail
from wintertrack.importer import count_rows, import_daily

app = typer.Typer(help="Bulk imports.", no_args_is_help=True)


@app.command("daily")
def import_daily_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    programme: ProgrammeOpt,
) -> None:
    """Imports daily figures from CSV; bad rows are listed with line numbers, good rows kept."""
    application = build_application()
    total = count_rows(file)
    columns = (
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=err, transient=False) as progress:
            task = progress.add_task("rows", total=total)
            outcome = import_daily(
                application,
                cli_actor("csv"),
                programme,
                file,
                on_progress=lambda n: progress.advance(task, n),
                on_commit=lambda o: print(
                    f"committed through line {o.last_committed_line} ({o.stored} stored)",
                    flush=True,
                ),
            )
    except (DomainError, InputRefused) as error:
        raise fail(error) from None
    for line, reason in outcome.rejected:
        err.print(f"line {line}: {reason}", highlight=False, markup=False)
    print(
        f"{outcome.stored} stored, {outcome.already_stored} already stored, "
        f"{len(outcome.rejected)} rejected"
    )
    if outcome.rejected:
        raise typer.Exit(code=1)


def programme_summary(application: WinterApplication, programme_code: str) -> str:
    """A plain-text summary of a programme: schemes, allocations, beds toward the target, gaps."""
    programme = application.get_programme(programme_code)
    schemes = [application.get_scheme(programme_code, c) for c in programme.scheme_codes]
    lines = [
        f"{programme.code}: {programme.icb_name} ({programme.icb_code}, region "
        f"{programme.region_code}), winter {programme.winter}, "
        f"{programme.period_start:%d %b %Y} to {programme.period_end:%d %b %Y}",
        f"schemes: {len(schemes)}",
    ]
    for stream, allocated in programme.allocations.items():
        committed = sum(
            (s.current_allocation_gbp for s in schemes if s.funding_stream == stream), Decimal(0)
        )
        gap = allocated - committed
        state = "unassigned" if gap >= 0 else "over-committed"
        lines.append(
            f"  {stream:<13} allocation £{allocated:>14,.2f}  schemes £{committed:>14,.2f}  "
            f"{state} £{abs(gap):,.2f}"
        )
    counted = sum(
        (s.planned_beds_equivalent or Decimal(0) for s in schemes if s.counts_toward_target),
        Decimal(0),
    )
    lines.append(
        f"planned beds-equivalent per day toward the target: {counted:g} of {programme.bed_target}"
    )
    return "\n".join(lines)
