"""The ``wintertrack`` command line."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from capacity.application import WinterApplication
from capacity.errors import DomainError
from capacity.values import Actor
from projections.exports import to_csv, to_xlsx
from schemes.catalogue import Catalogue, load_catalogue
from schemes.rules import InputRefused
from wintertrack.bootstrap import build_application, build_read_side
from wintertrack.importer import count_rows, import_daily
from wintertrack.present import scheme_public

app = typer.Typer(help="Wintertrack: winter capacity and flow tracker.", no_args_is_help=True)
user_app = typer.Typer(help="Users and their bearer tokens.", no_args_is_help=True)
catalogue_app = typer.Typer(help="Scheme catalogues.", no_args_is_help=True)
schemes_app = typer.Typer(help="Schemes of a programme.", no_args_is_help=True)
import_app = typer.Typer(help="Bulk imports.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(schemes_app, name="schemes")
app.add_typer(import_app, name="import")
projections_app = typer.Typer(help="Read-side views.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")

out = Console()
err = Console(stderr=True)

ProgrammeOpt = Annotated[str, typer.Option("--programme", help="Programme code, e.g. QM7-2022-23")]


def _actor(channel: str = "cli") -> Actor:
    return Actor(f"cli:{getpass.getuser()}", "admin", channel)


def _fail(error: Exception) -> typer.Exit:
    if isinstance(error, DomainError):
        text = f"{error.field}: {error.message}" if error.field else error.message
    else:
        text = str(error)
    err.print(f"[red]error:[/red] {text}")
    return typer.Exit(code=2)


@user_app.command("add")
def user_add(
    name: str,
    role: Annotated[str, typer.Option(help="admin, board, finance or lead")],
    programme: Annotated[str | None, typer.Option(help="Programme code")] = None,
    scheme: Annotated[list[str] | None, typer.Option(help="Scheme code (repeatable)")] = None,
    email: Annotated[
        str | None, typer.Option(help="Organisation email, for sign-in with its account")
    ] = None,
) -> None:
    """Adds a user and prints a new bearer token as the last line (shown once only)."""
    application = build_application()
    try:
        _, token = application.add_user(_actor(), name, role, programme, scheme or [], email=email)
    except (DomainError, InputRefused) as error:
        raise _fail(error) from None
    out.print(f"user {name} added with role {role}", highlight=False)
    print(token)


@catalogue_app.command("load")
def catalogue_load(
    source: Annotated[str, typer.Argument(help="A catalogue JSON file, or hwe-2022-23")],
    programme: ProgrammeOpt,
) -> None:
    """Loads a scheme catalogue (opening its programme when the catalogue carries one)."""
    application = build_application()
    try:
        catalogue = load_catalogue(source)
        receipt, added, present = application.load_catalogue(_actor(), catalogue, programme)
    except (DomainError, InputRefused, OSError) as error:
        raise _fail(error) from None
    out.print(
        f"{programme}: {added} scheme(s) registered, {present} already present "
        f"(event-log position {receipt.position})",
        highlight=False,
    )


@schemes_app.command("list")
def schemes_list(
    programme: ProgrammeOpt,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON")] = False,
) -> None:
    """Lists the schemes of a programme."""
    application = build_application()
    try:
        schemes = [
            scheme_public(application.get_scheme(programme, code))
            for code in application.scheme_codes(programme)
        ]
    except DomainError as error:
        raise _fail(error) from None
    if as_json:
        print(json.dumps(schemes, indent=2))
        return
    table = Table(title=f"Schemes of {programme}")
    for column in ("code", "category", "place", "stream", "allocation", "beds/day", "counts"):
        table.add_column(column)
    for s in schemes:
        table.add_row(
            s["code"],
            s["category"],
            s["place"],
            s["funding_stream"],
            f"£{Decimal(s['allocation_gbp']):,.2f}",
            "" if s["planned_beds_equivalent"] is None else f"{s['planned_beds_equivalent']:g}",
            "yes" if s["counts_toward_target"] else "no",
        )
    out.print(table)


@import_app.command("daily")
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
                _actor("csv"),
                programme,
                file,
                on_progress=lambda n: progress.advance(task, n),
                on_commit=lambda o: print(
                    f"committed through line {o.last_committed_line} ({o.stored} stored)",
                    flush=True,
                ),
            )
    except (DomainError, InputRefused) as error:
        raise _fail(error) from None
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


@app.command("demo")
def demo(programme: ProgrammeOpt = "QM7-2022-23") -> None:
    """Loads the built-in HWE 2022/23 catalogue into the configured store and summarises it."""
    application = build_application()
    catalogue: Catalogue = load_catalogue("hwe-2022-23")
    application.load_catalogue(_actor(), catalogue, programme)
    print(programme_summary(application, programme))


@projections_app.command("rebuild")
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


@projections_app.command("follow")
def projections_follow(interval: float = 0.5) -> None:
    """Keeps the views following the event log (for when the API runs elsewhere)."""
    import signal
    import threading

    application = build_application()
    projector, _ = build_read_side(application)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        projector.follow(stop, interval)
    except KeyboardInterrupt:
        stop.set()


@app.command("return")
def monthly_return(
    month: Annotated[str, typer.Argument(help="YYYY-MM, e.g. 2022-10")],
    programme: ProgrammeOpt,
    fmt: Annotated[str, typer.Option("--format", help="json, csv or xlsx")] = "json",
    out_file: Annotated[Path, typer.Option("--out", help="File to write")] = Path("return.json"),
    known_at: Annotated[int | None, typer.Option("--known-at", help="Event-log position")] = None,
) -> None:
    """Writes the monthly NHSE return, as it stands now or as known at an earlier position."""
    if fmt not in ("json", "csv", "xlsx"):
        raise _fail(InputRefused("format", "must be json, csv or xlsx"))
    application = build_application()
    projector, read = build_read_side(application)
    projector.run_once()
    try:
        report = read.monthly_return(programme, month, known_at)
    except (DomainError, InputRefused) as error:
        raise _fail(error) from None
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


DEMO_USERS: tuple[tuple[str, str, list[str]], ...] = (
    ("demo-admin", "admin", []),
    ("uec-board", "board", []),
    ("icb-finance", "finance", []),
    ("imc-lead", "lead", ["imc-beds-enh", "hct-bridging-enh", "smart-ed-specialist-review-whth"]),
)


def _demo_tokens(application: WinterApplication, programme: str) -> list[tuple[str, str, str]]:
    tokens = []
    for name, role, schemes in DEMO_USERS:
        try:
            application.get_user(name)
            _, token = application.issue_token(_actor(), name)
        except DomainError:
            _, token = application.add_user(_actor(), name, role, programme, schemes)
        tokens.append((role, name, token))
    return tokens


@app.command("serve")
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    demo: Annotated[bool, typer.Option(help="Load the HWE 2022/23 demo on an empty store")] = False,
    demo_date: Annotated[
        str, typer.Option(help="With --demo: the day the demo winter has reached")
    ] = "2023-01-16",
) -> None:
    """Serves the API and the web pages."""
    import secrets
    from datetime import date

    import uvicorn

    from api.main import create_app
    from wintertrack.config import get_settings
    from wintertrack.demo import generate_winter

    settings = get_settings()
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    today = date.today
    if demo:
        day = date.fromisoformat(demo_date)
        today = lambda: day  # noqa: E731 - the demo winter is frozen on its own date
        secret = secret or secrets.token_urlsafe(32)
    if not secret:
        raise _fail(InputRefused("WINTERTRACK_SECRET_KEY", "must be set to serve the web pages"))
    application = build_application(settings, today)
    projector, read = build_read_side(application, settings, today)
    programme = "QM7-2022-23"
    if demo:
        if application.max_position() == 0:
            err.print(f"loading the HWE 2022/23 programme and a winter of figures to {demo_date}")
            generate_winter(application, programme, day - timedelta(days=1))
        projector.run_once()
        print(f"Wintertrack demo: http://{host}:{port}/ (programme {programme})")
        for role, name, token in _demo_tokens(application, programme):
            print(f"{role:<8} {name:<12} {token}")
    oidc = None
    if settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret:
        from api.web.oidc import OidcClient

        oidc = OidcClient(
            settings.oidc_issuer,
            settings.oidc_client_id,
            settings.oidc_client_secret.get_secret_value(),
            secret,
        )
    app = create_app(application, read, secret, public_url=settings.public_url, oidc=oidc)
    uvicorn.run(app, host=host, port=port, log_level="info")


@app.command("relay")
def relay_command(
    interval: float = 0.5,
    once: Annotated[bool, typer.Option(help="Publish what is stored, then stop")] = False,
) -> None:
    """Publishes every stored event to {prefix}.events, resuming from its durable position."""
    import signal
    import threading

    from projections.db import ViewDatabase
    from wintertrack.config import get_settings
    from wintertrack.streams.relay import Relay

    settings = get_settings()
    if not settings.kafka_bootstrap:
        raise _fail(InputRefused("WINTERTRACK_KAFKA_BOOTSTRAP", "must be set"))
    application = build_application(settings)
    relay = Relay(
        application,
        ViewDatabase(settings.store),
        settings.kafka_bootstrap,
        settings.kafka_topic_prefix,
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


@app.command("ingest")
def ingest_command(group: str = "wintertrack-ingest") -> None:
    """Consumes {prefix}.daily-figures into daily reports; invalid messages go to the DLQ."""
    import signal
    import threading

    from wintertrack.config import get_settings
    from wintertrack.streams.ingest import Ingest

    settings = get_settings()
    if not settings.kafka_bootstrap:
        raise _fail(InputRefused("WINTERTRACK_KAFKA_BOOTSTRAP", "must be set"))
    ingest = Ingest(
        build_application(settings), settings.kafka_bootstrap, settings.kafka_topic_prefix, group
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        ingest.run(stop)
    except KeyboardInterrupt:
        stop.set()
    ingest.close()


@app.command("project")
def project_command(interval: float = 0.5) -> None:
    """Runs the projections on their own (when the API runs elsewhere)."""
    projections_follow(interval)


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
