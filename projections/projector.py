"""Follows the event log into the view tables, a page at a time, exactly once.

Each page's rows and the new tracking position are written in one transaction: a page applied
twice (after a crash between reading and committing) is rolled back or skipped as a whole.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from eventsourcing.persistence import Notification

from capacity.application import WinterApplication
from capacity.programme import Programme
from capacity.reports import DailyReport, MonthlySpend
from capacity.returns import MonthlyReturn
from capacity.scheme import Scheme
from capacity.site import Site, SiteDay
from projections.db import ViewDatabase
from projections.schema import LOOKUP_INDEXES, READ_INDEXES, TABLES

NAME = "views"
PAGE_SIZE = 1000  # following live: a page commits within milliseconds
REBUILD_PAGE_SIZE = 10_000  # rebuilding: fewer commits and WAL checkpoints
REBUILD_CACHE_MIB = 32  # rebuilding: SQLite page cache (peak RSS about 100 MB at 1.1M events)


def to_json(value: Any) -> str:
    """Compact, key-sorted JSON for view rows; money and beds-equivalent as exact strings."""
    return orjson.dumps(value, default=_plain, option=orjson.OPT_SORT_KEYS).decode()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


class PageWriter:
    """Writes one page's rows inside its transaction: INSERTs are buffered and sent with one
    ``executemany`` per statement; any read or update flushes them first, so each handler sees
    every row written before it."""

    def __init__(self, db: ViewDatabase) -> None:
        self.db = db
        self.pending: dict[str, list[tuple[Any, ...]]] = {}

    def insert(self, sql: str, row: tuple[Any, ...]) -> None:
        self.pending.setdefault(sql, []).append(row)

    def flush(self) -> None:
        for sql, rows in self.pending.items():
            self.db.executemany(sql, rows)
        self.pending.clear()

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self.flush()
        self.db.execute(sql, params)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        self.flush()
        return self.db.query(sql, params)


class Projector:
    def __init__(
        self,
        application: WinterApplication,
        views: ViewDatabase,
        page_size: int = PAGE_SIZE,
        read_indexes: bool = True,
    ) -> None:
        self.application = application
        self.views = views
        self.page_size = page_size
        self._advanced = threading.Condition()
        self.on_advance: Callable[[list[str]], None] = lambda programmes: None
        self.create_tables(read_indexes)

    def create_tables(self, read_indexes: bool = True) -> None:
        with self.views.transaction() as db:
            for table, columns in TABLES.items():
                db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
            for index in LOOKUP_INDEXES + (READ_INDEXES if read_indexes else ()):
                db.execute(index)
            if not db.query("SELECT position FROM v_tracking WHERE name = ?", (NAME,)):
                db.execute("INSERT INTO v_tracking (name, position) VALUES (?, 0)", (NAME,))

    def drop_tables(self) -> None:
        with self.views.transaction() as db:
            for table in TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")

    def programme_position(self, programme: str) -> int | None:
        """The position of the latest event that changed this programme's facts."""
        rows = self.views.query(
            "SELECT position FROM v_programme_head WHERE programme = ?", (programme,)
        )
        return int(rows[0][0]) if rows else None

    def position(self) -> int:
        rows = self.views.query("SELECT position FROM v_tracking WHERE name = ?", (NAME,))
        return int(rows[0][0]) if rows else 0

    def run_once(
        self,
        on_page: Callable[[int, int], None] = lambda n, p: None,
        page_size: int | None = None,
    ) -> int:
        """Catches up to the head of the log; returns the number of events applied."""
        applied = 0
        while True:
            start = self.position()
            page = self.application.recorder.select_notifications(
                start, page_size or self.page_size, inclusive_of_start=False
            )
            if not page:
                return applied
            self.apply_page(page)
            applied += len(page)
            on_page(len(page), page[-1].id)
            with self._advanced:
                self._advanced.notify_all()

    def apply_page(self, page: Any) -> None:
        lock = " FOR UPDATE" if self.views.is_postgres else ""
        with self.views.transaction() as db:
            # Concurrent projectors serialise here (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
            # row lock), so a page is never applied twice.
            rows = db.query(f"SELECT position FROM v_tracking WHERE name = ?{lock}", (NAME,))
            tracked = int(rows[0][0])
            touched: dict[str, int] = {}
            writer = PageWriter(db)
            for notification in page:
                if notification.id <= tracked:
                    continue  # already applied: redelivery is harmless
                programme = self.apply(writer, notification)
                if programme is not None:
                    touched[programme] = notification.id
            writer.flush()
            for programme, position in touched.items():
                db.execute("DELETE FROM v_programme_head WHERE programme = ?", (programme,))
                db.execute(
                    "INSERT INTO v_programme_head (programme, position) VALUES (?, ?)",
                    (programme, position),
                )
            # Never move backwards: another projector may have applied further meanwhile.
            head = max(page[-1].id, tracked)
            db.execute("UPDATE v_tracking SET position = ? WHERE name = ?", (head, NAME))
        if touched:
            self.on_advance(sorted(touched))

    def apply(self, db: PageWriter, notification: Notification) -> str | None:
        """Applies one event; returns the programme whose facts it changed, if any."""
        event = self.application.mapper.to_domain_event(notification)
        handler = HANDLERS.get(type(event))
        if handler is None:
            return None
        return handler(db, event, notification.id)

    def rebuild(
        self,
        on_page: Callable[[int, int], None] = lambda n, p: None,
        page_size: int = REBUILD_PAGE_SIZE,
    ) -> int:
        """Rebuilds every view from the whole log. On a SQLite file the views are built in a
        fresh file that then replaces the old one (no DELETE of a million rows; readers in
        other processes switch to it at their next query); elsewhere the tables are dropped and
        rebuilt in place."""
        target = self.views.file
        if target is None:
            self.drop_tables()
            return self._build(self, on_page, page_size)
        fresh = target.with_name(target.name + ".rebuild")
        for stale in (fresh, *_sidecars(fresh)):
            stale.unlink(missing_ok=True)
        views = ViewDatabase(self.views.store_url, fresh)
        building = Projector(self.application, views, read_indexes=False)
        try:
            applied = self._build(building, on_page, page_size)
            building.views.settle()
        finally:
            building.views.close()
        self.views.close()
        os.replace(fresh, target)
        for sidecar in _sidecars(target):  # the old file's log: it must not meet the new file
            sidecar.unlink(missing_ok=True)
        return applied

    @staticmethod
    def _build(projector: Projector, on_page: Callable[[int, int], None], page_size: int) -> int:
        projector.create_tables(read_indexes=False)
        with projector.views.bulk_writes(REBUILD_CACHE_MIB):
            applied = projector.run_once(on_page, page_size)
        projector.create_tables()  # the read indexes, built once over the finished tables
        return applied

    def wait_until(self, position: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while self.position() < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._advanced:
                self._advanced.wait(min(remaining, 0.05))
        return True

    def follow(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Polls the notification log (SQLite cannot push); also used on PostgreSQL for one code
        path, with a short interval."""
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:
                time.sleep(1.0)
            stop.wait(interval)


def _sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


# --- handlers: one per event type ---------------------------------------------------------------


def _supersede(db: PageWriter, table: str, where: str, params: tuple[Any, ...], pos: int) -> None:
    db.execute(
        f"UPDATE {table} SET superseded_at = ? WHERE {where} AND superseded_at IS NULL",
        (pos, *params),
    )


def _programme_version(db: PageWriter, event: Any, pos: int, changes: dict[str, Any]) -> str:
    agg = str(event.originator_id)
    code = changes.pop("code", None)
    if code is None:
        rows = db.query(
            "SELECT code, data FROM v_programme WHERE agg = ? AND superseded_at IS NULL", (agg,)
        )
        code, data = rows[0][0], json.loads(rows[0][1])
    else:
        data = {}
    data.update(json.loads(to_json(changes)))
    _supersede(db, "v_programme", "agg = ?", (agg,), pos)
    db.insert(
        "INSERT INTO v_programme (agg, code, data, position) VALUES (?, ?, ?, ?)",
        (agg, code, to_json(data), pos),
    )
    return str(code)


def on_programme(db: PageWriter, event: Any, pos: int) -> str:
    if isinstance(event, Programme.ProgrammeOpened):
        fields = (
            "code",
            "icb_code",
            "icb_name",
            "region_code",
            "winter",
            "period_start",
            "period_end",
            "bed_target",
            "allocations",
        )
        return _programme_version(db, event, pos, {f: getattr(event, f) for f in fields})
    if isinstance(event, Programme.BedTargetRevised):
        return _programme_version(db, event, pos, {"bed_target": event.bed_target})
    rows = db.query(  # AllocationRevised
        "SELECT data FROM v_programme WHERE agg = ? AND superseded_at IS NULL",
        (str(event.originator_id),),
    )
    allocations = json.loads(rows[0][0])["allocations"]
    allocations[event.stream] = str(event.amount_gbp)
    return _programme_version(db, event, pos, {"allocations": allocations})


SCHEME_FIELDS = (
    "programme",
    "code",
    "name",
    "category",
    "place",
    "provider",
    "funding_stream",
    "allocation_gbp",
    "measure",
    "planned_beds_equivalent",
    "place_split",
    "counts_toward_target",
    "planned_start",
    "kpis",
    "lead",
)


def _scheme_key(db: PageWriter, event: Any) -> tuple[str, str, dict[str, Any]]:
    rows = db.query(
        "SELECT programme, code, data FROM v_scheme WHERE agg = ? AND superseded_at IS NULL",
        (str(event.originator_id),),
    )
    return rows[0][0], rows[0][1], json.loads(rows[0][2])


def _scheme_version(db: PageWriter, event: Any, pos: int, changes: dict[str, Any]) -> str:
    programme, code, data = _scheme_key(db, event)
    data.update(json.loads(to_json(changes)))
    agg = str(event.originator_id)
    _supersede(db, "v_scheme", "agg = ?", (agg,), pos)
    db.insert(
        "INSERT INTO v_scheme (agg, programme, code, data, position) VALUES (?, ?, ?, ?, ?)",
        (agg, programme, code, to_json(data), pos),
    )
    return programme


def on_scheme(db: PageWriter, event: Any, pos: int) -> str:
    if isinstance(event, Scheme.SchemeRegistered):
        data = {f: getattr(event, f) for f in SCHEME_FIELDS}
        data.update(narrative="", went_live_on=None, approved_on=None)
        db.insert(
            "INSERT INTO v_scheme (agg, programme, code, data, position) VALUES (?, ?, ?, ?, ?)",
            (str(event.originator_id), event.programme, event.code, to_json(data), pos),
        )
        return str(event.programme)
    if isinstance(event, Scheme.KpiTargetSet):
        _, _, data = _scheme_key(db, event)
        kpis = [
            {**k, "target": event.target} if k["code"] == event.kpi_code else k
            for k in data["kpis"]
        ]
        return _scheme_version(db, event, pos, {"kpis": kpis})
    elif isinstance(event, Scheme.PlannedStartChanged):
        return _scheme_version(db, event, pos, {"planned_start": event.planned_start})
    elif isinstance(event, Scheme.SchemeApproved):
        return _scheme_version(db, event, pos, {"approved_on": event.approved_on})
    elif isinstance(event, Scheme.NarrativeUpdated):
        return _scheme_version(db, event, pos, {"narrative": event.narrative})
    elif isinstance(event, Scheme.SchemeMobilised):
        _scheme_version(db, event, pos, {"went_live_on": event.went_live_on})
        return _status(db, event, pos, event.went_live_on, "active")
    if isinstance(event, Scheme.BedsOpened | Scheme.BedsClosed):
        programme, code, _ = _scheme_key(db, event)
        sign = 1 if isinstance(event, Scheme.BedsOpened) else -1
        db.insert(
            "INSERT INTO v_bed_change (programme, scheme, day, change, bed_type, reason, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                programme,
                code,
                event.on.isoformat(),
                sign * event.change,
                event.bed_type,
                event.reason,
                pos,
            ),
        )
        return programme
    if isinstance(event, Scheme.SchemePaused):
        return _status(db, event, pos, event.on, "paused")
    if isinstance(event, Scheme.SchemeResumed):
        return _status(db, event, pos, event.on, "active")
    if isinstance(event, Scheme.SchemeClosed):
        return _status(db, event, pos, event.on, "closed")
    # FundingDivertedOut or FundingDivertedIn
    programme, code, _ = _scheme_key(db, event)
    if isinstance(event, Scheme.FundingDivertedOut):
        amount, counterpart = -event.amount_gbp, event.to_scheme
    else:
        amount, counterpart = event.amount_gbp, event.from_scheme
    db.insert(
        "INSERT INTO v_diversion (programme, scheme, amount_gbp, counterpart, decision_ref,"
        " decided_on, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            programme,
            code,
            str(amount),
            counterpart,
            event.decision_ref,
            event.decided_on.isoformat(),
            pos,
        ),
    )
    return programme


def _status(db: PageWriter, event: Any, pos: int, on: date, status: str) -> str:
    programme, code, _ = _scheme_key(db, event)
    db.insert(
        "INSERT INTO v_status_change (programme, scheme, day, status, position)"
        " VALUES (?, ?, ?, ?, ?)",
        (programme, code, on.isoformat(), status, pos),
    )
    return programme


FIGURES = (
    "beds_equivalent",
    "beds_occupied",
    "discharges",
    "patients_supported",
    "hours_delivered",
    "kpis",
    "narrative",
)


def on_daily(db: PageWriter, event: Any, pos: int) -> str:
    data = {f: getattr(event, f) for f in FIGURES}
    actor = to_json(event.actor.as_dict())
    agg = str(event.originator_id)
    if isinstance(event, DailyReport.DailyFiguresReported):
        key = (event.programme, event.scheme_code, event.on.isoformat())
    else:
        rows = db.query(
            "SELECT programme, scheme, day FROM v_daily WHERE agg = ? AND superseded_at IS NULL",
            (agg,),
        )
        key = (rows[0][0], rows[0][1], rows[0][2])
        data["reason"] = event.reason
        _supersede(db, "v_daily", "agg = ?", (agg,), pos)
    db.insert(
        "INSERT INTO v_daily (agg, programme, scheme, day, data, actor, recorded_at, position)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (agg, *key, to_json(data), actor, event.timestamp.isoformat(), pos),
    )
    return str(key[0])


def on_spend(db: PageWriter, event: Any, pos: int) -> str:
    agg = str(event.originator_id)
    if isinstance(event, MonthlySpend.SpendRecorded):
        key = (event.programme, event.scheme_code, event.month)
    else:
        rows = db.query(
            "SELECT programme, scheme, month FROM v_spend WHERE agg = ? AND superseded_at IS NULL",
            (agg,),
        )
        key = (rows[0][0], rows[0][1], rows[0][2])
        _supersede(db, "v_spend", "agg = ?", (agg,), pos)
    db.insert(
        "INSERT INTO v_spend (agg, programme, scheme, month, amount_gbp, basis, actor,"
        " recorded_at, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            agg,
            *key,
            str(event.amount_gbp),
            event.basis,
            to_json(event.actor.as_dict()),
            event.timestamp.isoformat(),
            pos,
        ),
    )
    return str(key[0])


def on_site(db: PageWriter, event: Any, pos: int) -> str:
    db.insert(
        "INSERT INTO v_site (programme, ods, name, place, position) VALUES (?, ?, ?, ?, ?)",
        (event.programme, event.ods_code, event.name, event.place, pos),
    )
    return str(event.programme)


FLOW = (
    "core_beds_open",
    "escalation_beds_open",
    "beds_occupied",
    "nctr",
    "nctr_discharged",
    "nctr_discharged_by_5pm",
    "discharges",
)


def on_flow(db: PageWriter, event: Any, pos: int) -> str:
    data: dict[str, Any] = {f: getattr(event, f) for f in FLOW}
    agg = str(event.originator_id)
    if isinstance(event, SiteDay.FlowReported):
        key = (event.programme, event.ods_code, event.on.isoformat())
    else:
        rows = db.query(
            "SELECT programme, ods, day FROM v_flow WHERE agg = ? AND superseded_at IS NULL",
            (agg,),
        )
        key = (rows[0][0], rows[0][1], rows[0][2])
        _supersede(db, "v_flow", "agg = ?", (agg,), pos)
    db.insert(
        "INSERT INTO v_flow (agg, programme, ods, day, data, position) VALUES (?, ?, ?, ?, ?, ?)",
        (agg, *key, to_json(data), pos),
    )
    return str(key[0])


def on_return(db: PageWriter, event: Any, pos: int) -> str:
    kind = type(event).__name__
    data = {k: v for k, v in vars(event).items() if k not in ("originator_id", "timestamp")}
    data["actor"] = event.actor.as_dict()
    db.insert(
        "INSERT INTO v_return (programme, month, revision, kind, data, position)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (event.programme, event.month, getattr(event, "revision", 0), kind, to_json(data), pos),
    )
    return str(event.programme)


Handler = Callable[[PageWriter, Any, int], str]  # returns the programme whose facts changed
SCHEME_EVENTS = (
    "SchemeRegistered",
    "KpiTargetSet",
    "PlannedStartChanged",
    "SchemeApproved",
    "NarrativeUpdated",
    "SchemeMobilised",
    "BedsOpened",
    "BedsClosed",
    "SchemePaused",
    "SchemeResumed",
    "SchemeClosed",
    "FundingDivertedOut",
    "FundingDivertedIn",
)
HANDLERS: dict[type, Handler] = {
    Programme.ProgrammeOpened: on_programme,
    Programme.BedTargetRevised: on_programme,
    Programme.AllocationRevised: on_programme,
    **{getattr(Scheme, name): on_scheme for name in SCHEME_EVENTS},
    DailyReport.DailyFiguresReported: on_daily,
    DailyReport.DailyFiguresCorrected: on_daily,
    MonthlySpend.SpendRecorded: on_spend,
    MonthlySpend.SpendCorrected: on_spend,
    Site.SiteRegistered: on_site,
    SiteDay.FlowReported: on_flow,
    SiteDay.FlowCorrected: on_flow,
    MonthlyReturn.ReturnSignedOff: on_return,
    MonthlyReturn.ReturnSubmitted: on_return,
    MonthlyReturn.ReturnRestated: on_return,
}
