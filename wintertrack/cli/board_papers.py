"""`wintertrack board-paper MONTH --pdf FILE`: the board's monthly paper to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from capacity.errors import DomainError
from schemes.rules import InputRefused
from wintertrack.bootstrap import build_application, build_read_side
from wintertrack.cli.common import ProgrammeOpt, fail


def board_paper(
    month: Annotated[str, typer.Argument(help="YYYY-MM, e.g. 2022-12")],
    programme: ProgrammeOpt,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="PDF file to write")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="HTML file to write")] = None,
    revision: Annotated[int | None, typer.Option("--revision", help="A kept revision")] = None,
) -> None:
    """Writes the month's board paper: the latest kept revision (its PDF byte for byte), or a
    draft read from the figures now when none has been prepared."""
    # Imported here, as every command's heavy imports are: the web layer (and the libraries it
    # loads) stays out of start-up, so `serve` has set up its JSON log before anything warns.
    from api.web.paper import chart, kept, paper_html, pdf_of

    if pdf is None and html is None:
        raise fail(InputRefused("pdf", "name a file with --pdf (or --html)"))
    application = build_application()
    projector, read = build_read_side(application)
    projector.run_once()
    try:
        paper, record = kept(application, read, programme, month, revision)
    except (DomainError, InputRefused) as error:
        raise fail(error) from None
    what = f"revision {record.revision}" if record else "draft"
    if pdf is not None:
        body, sha = pdf_of(read, paper, record)
        pdf.write_bytes(body)
        print(
            f"{paper.month_label} board paper ({what}) for {programme} written to {pdf}: "
            f"{len(body):,} bytes, sha256 {sha}, figures as at event {paper.known_at}"
        )
    if html is not None:
        html.write_text(paper_html(paper, chart(read, paper)), encoding="utf-8")
        print(f"{paper.month_label} board paper ({what}) for {programme} written to {html}")
