"""Runs every benchmark and writes BENCHMARKS.md (``python -m bench.run [--quick]``)."""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench import measure
from bench.dataset import national_winter

ROOT = Path(__file__).resolve().parents[1]
SIZES = {
    # name: (programmes, schemes, days, sites, winters)
    "quick-small": (2, 8, 60, 1, 1),
    "quick-large": (6, 8, 60, 1, 1),
    "10k": (2, 25, 182, 2, 1),
    "100k": (20, 25, 182, 2, 1),
    # 181 days: the last day of each winter is left for the deadline burst to submit.
    "1M": (42, 31, 181, 3, 4),
}


def build(name: str, workdir: Path) -> tuple[str, Path, int]:
    programmes, schemes, days, sites, winters = SIZES[name]
    db = workdir / f"{name}.db"
    store = f"sqlite:///{db}"
    app = measure.app_for(store)
    total = programmes * schemes * days * winters
    columns = (
        TextColumn(f"dataset {name}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns) as progress:
        task = progress.add_task("reports", total=total)
        events = national_winter(
            app,
            programmes,
            schemes,
            days,
            sites,
            winters,
            progress=lambda n: progress.advance(task, n),
        )
    app.close()
    return store, db, events


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kb = int(handle.readline().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{platform.machine()}, {cpus} cores{memory}, Python {platform.python_version()}"


def run(quick: bool) -> list[measure.Row]:
    workdir = measure.tmpdir()
    small_name, large_name = ("quick-small", "quick-large") if quick else ("10k", "1M")
    rows: list[measure.Row] = []
    rows += measure.bulk_import(workdir, schemes=4 if quick else 40, days=60 if quick else 182)
    small = build(small_name, workdir)
    large = build(large_name, workdir)
    mid = build("100k", workdir) if not quick else small
    rebuild_small, result_small = measure.rebuild_rows(f"{small[2]:,} events", small[0], small[1])
    rebuild_large, result_large = measure.rebuild_rows(f"{large[2]:,} events", large[0], large[1])
    rows += [rebuild_small, rebuild_large]
    if not quick:
        _, result_mid = measure.rebuild_rows(f"{mid[2]:,} events", mid[0], mid[1])
        rows.append(measure.rss_row((f"{mid[2]:,}", result_mid), (f"{large[2]:,}", result_large)))
    else:
        rows.append(
            measure.rss_row((f"{small[2]:,}", result_small), (f"{large[2]:,}", result_large))
        )
    requests = 60 if quick else 400
    p99 = {}
    for label, (store, _, events) in (("small", small), ("large", large)):
        server = measure.Server(store, workdir)
        try:
            found, p99[label] = measure.request_rows(
                server, f"{events:,} events", "Q00-2022-23", "2022-11", requests
            )
            rows += found
            if label == "small":
                rows.append(
                    measure.submission_row(
                        server, f"{events:,} events", "Q01-2022-23", 40 if quick else 300
                    )
                )
        finally:
            server.stop()
    for name in ("dashboard", "return"):
        ratio = p99["large"][name] / p99["small"][name]
        rows.append(
            measure.Row(
                f"3. {name} p99 growth",
                f"{small[2]:,} -> {large[2]:,} events",
                f"{p99['large'][name]:.1f} ms",
                f"{p99['small'][name]:.1f} ms",
                ratio,
                "<= 1.5x",
                ratio <= 1.5,
            )
        )
    rows.append(
        measure.naive_row(large[0], large[1], f"{large[2]:,} events", "Q00-2022-23", "2022-11")
    )
    rows += distributed(quick, workdir, small, large, large_name, requests)
    return rows


def distributed(
    quick: bool,
    workdir: Path,
    small: tuple[str, Path, int],
    large: tuple[str, Path, int],
    large_name: str,
    requests: int,
) -> list[measure.Row]:
    """PostgreSQL, Kafka and the deadline burst, on a PostgreSQL server and a broker started
    here (the same helpers the test suite uses)."""
    from bench import postgres, store_ops, streams
    from tests.support.broker import Broker
    from tests.support.postgres import PostgresServer

    rows: list[measure.Row] = []
    with PostgresServer() as server:
        store = server.create_database("bench_import")
        rows.append(postgres.import_row(store, 4 if quick else 40, 60 if quick else 182))
        p99: dict[str, dict[str, float]] = {}
        stores = {}
        for label, (_, db, events) in (("small", small), ("large", large)):
            stores[label] = server.create_database(f"bench_{label}")
            columns = (TextColumn(f"copy {label} to PostgreSQL"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns) as progress:
                task = progress.add_task("events", total=measure.count_events(db))
                postgres.copy_log(db, stores[label], partial(progress.advance, task))
            rows.append(postgres.rebuild_row(f"{events:,} events", stores[label]))
            running = measure.Server(stores[label], workdir)
            try:
                found, p99[label] = measure.request_rows(
                    running, f"PostgreSQL, {events:,} events", "Q00-2022-23", "2022-11", requests
                )
            finally:
                running.stop()
            rows += [r.renamed("PostgreSQL ") for r in found]
        rows += store_ops.rows(f"{large[2]:,} events", large[1], workdir, server.create_database)
        for name in ("dashboard", "return"):
            ratio = p99["large"][name] / p99["small"][name]
            rows.append(
                measure.Row(
                    f"3. PostgreSQL {name} p99 growth",
                    f"{small[2]:,} -> {large[2]:,} events",
                    f"{p99['large'][name]:.1f} ms",
                    f"{p99['small'][name]:.1f} ms",
                    ratio,
                    "<= 1.5x",
                    ratio <= 1.5,
                )
            )
        with Broker(workdir) as broker:
            kafka_store = server.create_database("bench_kafka")
            rows += streams.kafka_rows(
                kafka_store,
                broker.bootstrap,
                workdir,
                10 if quick else 40,
                30 if quick else 120,
                200 if quick else 1302,
            )
        _, _, days, _, winters = SIZES[large_name]
        burst_day = date(2022 + winters - 1, 10, 1) + timedelta(days=days)
        rows.append(streams.burst_row(stores["large"], workdir, burst_day, 10 if quick else 60, 50))
    return rows


def render(rows: list[measure.Row], quick: bool, seconds: float) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {machine()}. Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        f"{' (QUICK dataset)' if quick else ''}, {seconds:.0f} s in all. Every ratio compares"
        " two figures measured in the same run on the same machine.",
        "",
        "| measure | dataset | figure | reference (same run) | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.measure} | {r.dataset} | {r.figure} | {r.reference} | "
            f"{r.ratio:.2f}x | {r.target} | {'yes' if r.met else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = run(args.quick)
    text = render(rows, args.quick, time.perf_counter() - started)
    print(text)
    out = args.out or (ROOT / ("bench/results-quick.md" if args.quick else "BENCHMARKS.md"))
    notes = ROOT / "bench" / "NOTES.md"
    if not args.quick and notes.exists():
        text += "\n" + notes.read_text()
    out.write_text(text)


if __name__ == "__main__":
    main()
