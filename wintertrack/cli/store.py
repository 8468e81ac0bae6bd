"""`wintertrack store …`: backup, restore, copy between engines, archive, verify."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from wintertrack.cli.common import err
from wintertrack.store import archive, transfer
from wintertrack.store.engines import StoreError, describe
from wintertrack.store.verify import verify

app = typer.Typer(
    help="The event store: backup, restore, copy, archive, verify.", no_args_is_help=True
)

StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="Store URL (default: WINTERTRACK_STORE)", show_default=False),
]
REBUILD = "then rebuild the views: WINTERTRACK_STORE={url} wintertrack projections rebuild"


def _store(url: str | None) -> str:
    if url:
        return url
    from pydantic import ValidationError

    from wintertrack.config import get_settings

    try:
        return get_settings().store
    except ValidationError as error:
        raise _refuse(f"WINTERTRACK_STORE: {error.errors()[0]['msg']}") from None


def _refuse(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@contextmanager
def _bar(label: str) -> Iterator[Callable[[int, int], None]]:
    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            yield advance
        except StoreError as error:
            progress.stop()
            raise _refuse(str(error)) from None


@app.command("backup")
def backup(
    file: Annotated[Path, typer.Argument(help="New file for the backup")], store: StoreOpt = None
) -> None:
    """A consistent copy of a SQLite store while the services keep writing to it."""
    try:
        done = transfer.backup(_store(store), file)
    except StoreError as error:
        raise _refuse(str(error)) from None
    print(
        f"backed up to {file}: {done.events:,} events, last position {done.position}, "
        f"digest {done.digest}"
    )


@app.command("restore")
def restore(
    file: Annotated[Path, typer.Argument(help="A backup made by `wintertrack store backup`")],
    to: Annotated[str, typer.Option("--to", help="URL of an empty store")],
) -> None:
    """Restores a backup into an empty store (SQLite or PostgreSQL)."""
    with _bar("restoring") as progress:
        done = transfer.restore(file, to, progress)
    print(
        f"restored into {describe(to)}: {done.events:,} events, last position {done.position}, "
        f"digest {done.digest}"
    )
    print(REBUILD.format(url=describe(to)))


@app.command("copy")
def copy(
    source: Annotated[str, typer.Option("--from", help="Store URL to copy from")],
    target: Annotated[str, typer.Option("--to", help="Store URL to copy to (empty, or resuming)")],
    batch: Annotated[int, typer.Option(help="Events per transaction", min=1)] = transfer.BATCH,
) -> None:
    """Copies every event, positions kept, between SQLite and PostgreSQL; run it again to resume
    a copy cut short."""
    with _bar("copying") as progress:
        done = transfer.copy(source, target, progress, batch)
    resumed = f" (resumed after position {done.resumed_from})" if done.resumed_from else ""
    print(
        f"copied {done.copied:,} events{resumed}; {describe(target)} holds {done.events:,} "
        f"events, last position {done.position}, digest {done.digest} (same as the source)"
    )
    print(REBUILD.format(url=describe(target)))


@app.command("export")
def export(
    file: Annotated[Path, typer.Argument(help="New .jsonl file (docs/archive-format.md)")],
    store: StoreOpt = None,
) -> None:
    """Writes the whole log as a line-per-event JSON archive."""
    with _bar("exporting") as progress:
        done = archive.export(_store(store), file, progress)
    print(
        f"exported to {file}: {done.events:,} events, last position {done.position}, "
        f"digest {done.hex}"
    )


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="An archive written by `wintertrack store export`")],
    to: Annotated[
        str | None, typer.Option("--to", help="Store URL (default: WINTERTRACK_STORE)")
    ] = None,
) -> None:
    """Imports an archive into an empty store: the same log, the same digest."""
    url = _store(to)
    with _bar("importing") as progress:
        done = archive.import_archive(file, url, progress)
    print(
        f"imported into {describe(url)}: {done.events:,} events, last position "
        f"{done.position}, digest {done.hex}"
    )
    print(REBUILD.format(url=describe(url)))


@app.command("verify")
def verify_command(store: StoreOpt = None) -> None:
    """The log's running digest, checked against the digests recorded at submission, and a
    replay that recomputes every submitted return. Exits 1 on any difference."""
    url = _store(store)
    with _bar("verifying") as progress:
        report = verify(url, lambda stage, done, total: progress(done, total))
    print(f"log: {report.events:,} events, last position {report.position}, digest {report.digest}")
    print(
        f"digests recorded at submission: {len(report.checkpoints)}; "
        f"return revisions replayed: {report.revisions}"
        + (
            f"; {report.older_layout} submitted in an earlier layout (covered by the digest, "
            "not replayed)"
            if report.older_layout
            else ""
        )
    )
    print(f"digests recorded at the projector's checkpoints: {report.logged}")
    for problem in report.problems:
        print(problem)
    if report.first_differing is not None:
        print(f"first differing event: position {report.first_differing} ({report.first_event})")
    if not report.ok:
        print(f"verify: FAILED, {len(report.problems)} difference(s)")
        raise typer.Exit(code=1)
    print("verify: OK")
