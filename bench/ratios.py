"""Single rows of BENCHMARKS.md on a dataset already built, each with its same-run reference.

    python -m bench.ratios build 1M DIR        # the dataset bench.run builds (DIR/1M.db)
    python -m bench.ratios rebuild DIR/1M.db   # row 2: rebuild vs raw scan + JSON decode
    python -m bench.ratios import              # row 1: validated batch import vs library put
    python -m bench.ratios store DIR/1M.db     # rows 11 and 12: backup and copy (PostgreSQL)

Run from a checkout with ``PYTHONPATH=.``: the rows measure that checkout's code, so two
checkouts can be compared on one dataset, back to back.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench import measure


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=("build", "rebuild", "import", "store"))
    parser.add_argument("args", nargs="*")
    args = parser.parse_args()
    rows: list[measure.Row] = []
    if args.what == "build":
        from bench.run import build

        name, directory = args.args
        Path(directory).mkdir(parents=True, exist_ok=True)
        print(build(name, Path(directory)))
        return
    if args.what == "rebuild":
        db = Path(args.args[0])
        label = f"{measure.count_events(db):,} events"
        rows.append(measure.rebuild_rows(label, f"sqlite:///{db}", db)[0])
    elif args.what == "import":
        rows += measure.bulk_import(measure.tmpdir(), schemes=40, days=182)
    else:
        from bench import store_ops
        from tests.support.postgres import PostgresServer

        db = Path(args.args[0])
        label = f"{measure.count_events(db):,} events"
        with PostgresServer() as server:
            rows += store_ops.rows(label, db, measure.tmpdir(), server.create_database)
    for r in rows:
        print(f"| {r.measure} | {r.dataset} | {r.figure} | {r.reference} | {r.ratio:.2f}x |")


if __name__ == "__main__":
    main()
