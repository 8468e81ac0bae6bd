"""`wintertrack return MONTH`: the monthly NHSE return to a file."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from capacity.errors import DomainError
from projections.exports import to_csv, to_xlsx
from schemes.rules import InputRefused
from wintertrack.bootstrap import build_application, build_read_side
from wintertrack.cli.common import ProgrammeOpt, fail


def monthly_return(
    month: Annotated[str, typer.Argument(help="YYYY-MM, e.g. 2022-10")],
    programme: ProgrammeOpt,
    fmt: Annotated[str, typer.Option("--format", help="json, csv or xlsx")] = "json",
    out_file: Annotated[Path, typer.Option("--out", help="File to write")] = Path("return.json"),
    known_at: Annotated[int | None, typer.Option("--known-at", help="Event-log position")] = None,
) -> None:
    """Writes the monthly NHSE return, as it stands now or as known at an earlier position."""
    if fmt not in ("json", "csv", "xlsx"):
        raise fail(InputRefused("format", "must be json, csv or xlsx"))
    application = build_application()
    projector, read = build_read_side(application)
    projector.run_once()
    try:
        report = read.monthly_return(programme, month, known_at)
    except (DomainError, InputRefused) as error:
        raise fail(error) from None
    if fmt == "json":
        out_file.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    elif fmt == "csv":
        out_file.write_text(to_csv(report), encoding="utf-8", newline="")
    else:
        out_file.write_bytes(to_xlsx(report))
    summary = report["summary"]
    print(
        f"{report['financial_month']} {report['month']} return for {programme} written to "
        f"{out_file} (known at position {report['known_at']}): delivered "
        f"{summary['delivered_beds_equivalent']} of {summary['bed_target']} beds-equivalent, "
        f"spend to date £{Decimal(summary['spend_to_date_gbp']):,.2f}"
    )
