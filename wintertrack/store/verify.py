"""``store verify``: the log's running digest, checked against the digests recorded when returns
were submitted and at the projector's checkpoints (``projections/checkpoints.py``), and a
replay from scratch that recomputes every submitted return revision.

A replay into a temporary read side recomputes each revision as known at the position it was
computed at, for the day it was computed "as of", and compares the CSV's SHA-256 with the one
recorded at submission. The first differing event is found by comparing the replayed views
with the live ones (which were projected from the events as they were written), table by
table, position by position; when the live views cannot tell (rebuilt since), the digests
recorded at submissions bound it between two positions.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from capacity.application import WinterApplication
from projections.checkpoints import checkpoints
from projections.db import ViewDatabase
from projections.digest import LogDigest
from projections.exports import to_csv
from projections.projector import Projector
from projections.queries.returns import all_submissions
from projections.queries.tracking import views_position
from projections.readmodel import ReadModel
from projections.return_document import with_submission
from wintertrack.config import event_store_env
from wintertrack.store.compare import first_difference
from wintertrack.store.engines import EventStore, StoreError

SUBMITTED = "wintertrack:MonthlyReturn.ReturnSubmitted"


@dataclass
class Checkpoint:
    programme: str
    month: str
    revision: int
    position: int  # where the submission event is
    log_position: int
    log_digest: str
    replayed: str = ""


@dataclass
class Report:
    events: int = 0
    position: int = 0
    digest: str = ""
    checkpoints: list[Checkpoint] = field(default_factory=list)
    logged: int = 0  # the projector's checkpoints compared
    revisions: int = 0
    # Submitted in an earlier layout of the return (no workbook kept): the log's digest covers
    # them, but today's code writes a different layout, so their bytes cannot be replayed.
    older_layout: int = 0
    problems: list[str] = field(default_factory=list)
    altered_after: int | None = None  # the log is unchanged up to here, as the digests tell
    first_differing: int | None = None
    first_event: str = ""  # the first differing event's topic, aggregate and version

    @property
    def ok(self) -> bool:
        return not self.problems


def _checkpoints(store: EventStore) -> list[Checkpoint]:
    found = []
    for row in store.rows():
        if row.topic != SUBMITTED:
            continue
        state = json.loads(row.state)
        if state.get("log_position") is None or not state.get("log_digest"):
            continue  # submitted before digests were recorded
        found.append(
            Checkpoint(
                state["programme"],
                state["month"],
                int(state["revision"]),
                row.id,
                int(state["log_position"]),
                str(state["log_digest"]),
            )
        )
    return found


def check_log(
    store: EventStore,
    report: Report,
    progress: Callable[[int, int], None],
    logged: list[tuple[int, int, str]] = [],  # noqa: B006 - never changed
) -> None:
    """The whole log's digest, and the digest at every position a submission or the projector
    recorded one."""
    report.checkpoints = _checkpoints(store)
    report.logged = len(logged)
    wanted = {c.log_position for c in report.checkpoints} | {p for p, _, _ in logged}
    at: dict[int, str] = {0: bytes(32).hex()}

    done = LogDigest()
    total = store.count()
    for row in store.rows():
        done.add(row)
        if row.id in wanted:
            at[row.id] = done.hex
        if done.events % 5_000 == 0:
            progress(done.events, total)
    progress(done.events, total)
    report.events, report.position, report.digest = done.events, done.position, done.hex
    _check_logged(report, logged, at)
    matched = [0]
    for c in sorted(report.checkpoints, key=lambda c: c.log_position):
        c.replayed = at.get(c.log_position, "(no event at that position)")
        if c.replayed == c.log_digest:
            matched.append(c.log_position)
            continue
        after = max(p for p in matched if p < c.log_position)
        if report.altered_after is None:
            report.altered_after = after
        report.problems.append(
            f"log changed: the digest at position {c.log_position:,} recorded by the "
            f"{c.programme} {c.month} return revision {c.revision} was {c.log_digest}, now "
            f"{c.replayed}: an event after position {after:,} and at or before "
            f"{c.log_position:,} was altered"
        )


def _check_logged(report: Report, logged: list[tuple[int, int, str]], at: dict[int, str]) -> None:
    """The first of the projector's checkpoints whose digest is not the log's any more."""
    matched = 0
    for position, _, digest in logged:
        now = at.get(position, "(no event at that position)")
        if now == digest:
            matched = position
            continue
        report.altered_after = matched
        report.problems.append(
            f"log changed: the digest at position {position:,} recorded at a checkpoint was "
            f"{digest}, now {now}: an event after position {matched:,} and at or before "
            f"{position:,} was altered"
        )
        return


def _logged(store_url: str) -> list[tuple[int, int, str]]:
    """The projector's checkpoints for this store, when it has views."""
    if store_url.startswith("sqlite:///"):
        path = Path(store_url.removeprefix("sqlite:///"))
        if not path.with_name(path.name + ".views").is_file():
            return []
    views = ViewDatabase(store_url)
    try:
        return checkpoints(views)
    except Exception:  # no checkpoint table: views projected by an older version, or none
        return []
    finally:
        views.close()


def _as_of(found: dict[str, Any]) -> date:
    if found.get("as_of"):
        return date.fromisoformat(found["as_of"])
    # Submitted before the day was recorded: the day it was generated.
    return datetime.fromisoformat(found["generated_at"]).date()


def replay_returns(
    store_url: str, report: Report, progress: Callable[[int, int], None], workdir: Path
) -> None:
    application = WinterApplication(env=event_store_env(store_url))
    # Always a SQLite file in the temporary directory, whatever the store's engine.
    views = ViewDatabase(f"sqlite:///{workdir}/replay.db", workdir / "replay.views")
    projector = Projector(application, views, read_indexes=False, keep_checkpoints=False)
    try:
        with views.bulk_writes(32):
            projector.run_once(lambda n, p: progress(p, report.position), page_size=10_000)
        projector.create_tables()
        _compare_revisions(projector, report)
        if not report.ok:
            live = _live_views(store_url)
            if live is not None:
                try:
                    report.first_differing = first_difference(live, views)
                finally:
                    live.close()
            _name_first_event(report)
    finally:
        views.close()
        application.close()


def _compare_revisions(projector: Projector, report: Report) -> None:
    read = ReadModel(projector)
    rows = all_submissions(projector.views)
    for programme, month, revision, data in rows:
        found = json.loads(data)
        if not found.get("xlsx_sha256"):
            report.older_layout += 1
            continue
        report.revisions += 1
        day = _as_of(found)
        read.today = _fixed(day)
        computed = read.monthly_return(programme, month, int(found["position"]))
        submitted = with_submission(
            computed,
            int(revision),
            str(found["actor"]["user_id"]),
            str(found["generated_at"]),
            str(found.get("reason") or ""),
            (str(found.get("signed_off_by") or ""), str(found.get("signed_off_at") or "")),
        )
        text = to_csv(submitted)
        replayed = hashlib.sha256(text.encode("utf-8")).hexdigest()
        stored = hashlib.sha256(str(found["csv"]).encode("utf-8")).hexdigest()
        if replayed != found["sha256"] or stored != found["sha256"]:
            report.problems.append(
                f"return differs: {programme} {month} revision {revision} "
                f"(computed at position {int(found['position']):,}, as of {day}): "
                f"recorded sha256 {found['sha256']}, replayed {replayed}"
                + ("" if stored == found["sha256"] else f", stored CSV {stored}")
            )


def _name_first_event(report: Report) -> None:
    if report.first_differing is not None:
        where = f"position {report.first_differing:,}"
    elif report.altered_after is not None:
        where = (
            f"after position {report.altered_after:,} (the live views cannot say which: they "
            "were rebuilt since or never followed this store)"
        )
    else:
        return
    report.problems = [
        f"{p}; first differing event: {where}" if p.startswith("return differs") else p
        for p in report.problems
    ]


def _live_views(store_url: str) -> ViewDatabase | None:
    """The views the projector keeps for this store, when there are any."""
    if store_url.startswith("sqlite:///"):
        path = Path(store_url.removeprefix("sqlite:///"))
        if not path.with_name(path.name + ".views").is_file():
            return None
    views = ViewDatabase(store_url)
    try:
        if views_position(views):
            return views
    except Exception:  # no view tables in this database
        pass
    views.close()
    return None


def verify(
    store_url: str,
    progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
) -> Report:
    report = Report()
    logged = _logged(store_url)
    store = EventStore(store_url)
    try:
        check_log(store, report, lambda d, t: progress("digest", d, t), logged)
    finally:
        store.close()
    if report.events == 0:
        raise StoreError(f"{store_url}: the store holds no events")
    with tempfile.TemporaryDirectory(prefix="wintertrack-verify-") as workdir:
        replay_returns(store_url, report, lambda d, t: progress("replay", d, t), Path(workdir))
    if report.first_differing is not None:
        store = EventStore(store_url)
        try:
            for row in store.rows(report.first_differing - 1, report.first_differing):
                report.first_event = (
                    f"{row.topic}, aggregate {row.originator_id}, version {row.originator_version}"
                )
        finally:
            store.close()
    return report


def _fixed(day: date) -> Callable[[], date]:
    return lambda: day
