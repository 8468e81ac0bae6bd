"""What a region reads (docs/rules.md §14): the submission tracker for a month and the ICBs'
figures by month and by winter, from the returns received (v_received) and the region
catalogue."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from capacity.application import WinterApplication
from capacity.errors import Conflict, NotFound
from projections.arithmetic import ZERO, rag
from projections.db import ViewDatabase
from projections.queries.region import received_rows
from projections.return_document import STREAMS
from projections.returns import gbp
from schemes.deadlines import status
from schemes.months import YearMonth, financial_month_label, financial_year, months_in_period
from schemes.regions import BUILT_IN, Region, load_region
from schemes.rules import InputRefused

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

STATUSES = ("submitted", "resubmitted", "late", "missing", "not_due")
NOT_SENT = ("missing", "not_due")


def received(views: ViewDatabase, region: str, month: str | None = None) -> list[dict[str, Any]]:
    """Every revision received (oldest first), with its summary and artefacts' SHA-256."""
    rows = received_rows(views, region, month)
    return [
        {
            "programme": programme,
            "icb_code": icb,
            "month": m,
            "revision": int(revision),
            "sha256": sha,
            "submitted_at": at,
            "position": int(position),
            **{k: v for k, v in json.loads(data).items() if k not in ("programme", "month")},
            "programme_info": json.loads(data)["programme"],
        }
        for programme, icb, m, revision, sha, at, data, position in rows
    ]


def _beds(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(str(value))


def icb_row(
    region: Region, code: str, revisions: list[dict[str, Any]], due: date, today: date
) -> dict[str, Any]:
    icb = region.icb(code)
    name = icb.name if icb else code
    if not revisions:
        # Nothing received is only "missing" once the due day has passed; before it the
        # ICB is not late, its return is simply not yet due.
        return {
            "icb_code": code,
            "icb_name": name,
            "programme": None,
            "status": "missing" if today > due else "not_due",
            "revision": None,
            "revisions": [],
            "submitted_at": None,
            "first_submitted_at": None,
            "sha256": None,
            "bed_target": None,
            "delivered_beds_equivalent": None,
            "planned_beds_equivalent": None,
            "spend_to_date_gbp": None,
            "allocation_gbp": None,
            "rag": None,
        }
    ordered = sorted(revisions, key=lambda r: r["revision"])
    latest = ordered[-1]
    first = datetime.fromisoformat(ordered[0]["submitted_at"])
    summary = latest["summary"]
    delivered = _beds(summary["delivered_beds_equivalent"])
    # One allocation figure per ICB: the sum of its funding streams' programme allocations,
    # the same figures the per-stream table shows (not the total assigned to schemes).
    allocation = sum(
        (_beds(stream["programme_allocation_gbp"]) for stream in summary["by_stream"].values()),
        ZERO,
    )
    return {
        "icb_code": code,
        "icb_name": name,
        "programme": latest["programme"],
        "status": status(first, len(ordered), due),
        "revision": latest["revision"],
        "revisions": [
            {
                "revision": r["revision"],
                "kind": r["kind"],
                "reason": r["reason"],
                "submitted_by": r["submitted_by"],
                "submitted_at": r["submitted_at"],
                "signed_off_by": r.get("signed_off_by", ""),
                "signed_off_at": r.get("signed_off_at", ""),
                "sha256": r["sha256"],
                "artefacts": r["artefacts"],
            }
            for r in ordered
        ],
        "submitted_at": latest["submitted_at"],
        "first_submitted_at": ordered[0]["submitted_at"],
        "sha256": latest["sha256"],
        "bed_target": summary["bed_target"],
        "delivered_beds_equivalent": summary["delivered_beds_equivalent"],
        "planned_beds_equivalent": summary["planned_beds_equivalent"],
        "spend_to_date_gbp": summary["spend_to_date_gbp"],
        "spend_in_month_gbp": summary["spend_in_month_gbp"],
        "allocation_gbp": gbp(allocation),
        "by_stream": summary["by_stream"],
        # Against the ICB's own bed target, as the region tracks each ICB's commitment.
        "rag": rag(delivered, _beds(summary["bed_target"]), "reported"),
    }


def _sum(rows: list[dict[str, Any]], key: str) -> Decimal:
    return sum((_beds(r[key]) for r in rows if r.get(key) is not None), ZERO)


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    sent = [r for r in rows if r["status"] not in NOT_SENT]
    delivered = _sum(sent, "delivered_beds_equivalent")
    target = Decimal(sum(int(r["bed_target"]) for r in sent))
    by_stream = {
        s: {
            k: gbp(sum((_beds(r["by_stream"][s][k]) for r in sent), ZERO))
            for k in ("programme_allocation_gbp", "spend_to_date_gbp")
        }
        for s in STREAMS
    }
    return {
        "icbs": len(rows),
        **{name: sum(1 for r in rows if r["status"] == name) for name in STATUSES},
        "bed_target": sum(int(r["bed_target"]) for r in sent),
        "delivered_beds_equivalent": float(delivered.quantize(Decimal("0.01"))),
        "planned_beds_equivalent": float(
            _sum(sent, "planned_beds_equivalent").quantize(Decimal("0.01"))
        ),
        "spend_to_date_gbp": gbp(_sum(sent, "spend_to_date_gbp")),
        "allocation_gbp": gbp(_sum(sent, "allocation_gbp")),
        "by_stream": by_stream,
        "rag": rag(delivered, target, "reported") if sent else None,
    }


def tracker(views: ViewDatabase, region: Region, month: str, today: date) -> dict[str, Any]:
    """The submission tracker for one month: every ICB of the region, missing ones too."""
    ym = YearMonth.parse(month)
    due = region.due(ym)
    by_icb: dict[str, list[dict[str, Any]]] = {}
    for row in received(views, region.code, str(ym)):
        by_icb.setdefault(row["icb_code"], []).append(row)
    rows = [icb_row(region, code, by_icb.get(code, []), due, today) for code in region.icb_codes]
    return {
        "region": region.code,
        "region_name": region.name,
        "month": str(ym),
        "deadline": due.isoformat(),
        "deadline_passed": today > due,
        "icbs": rows,
        "totals": totals(rows),
    }


def region_months(views: ViewDatabase, region: Region, today: date) -> list[str]:
    """The months of every winter received from (the current winter when nothing has come)."""
    months: set[str] = set()
    for row in received(views, region.code):
        info = row["programme_info"]
        start, end = (
            date.fromisoformat(info["period_start"]),
            date.fromisoformat(info["period_end"]),
        )
        months |= {str(m) for m in months_in_period(start, end)}
        months.add(row["month"])
    if not months:
        year = today.year if today.month >= 4 else today.year - 1
        months = {str(m) for m in months_in_period(date(year, 10, 1), date(year + 1, 3, 31))}
    return sorted(months)


def _cell(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "month": row["month"],
        "status": row["status"],
        "programme": row.get("programme"),
        "revision": row.get("revision"),
        "bed_target": row.get("bed_target"),
        "delivered_beds_equivalent": row.get("delivered_beds_equivalent"),
        "planned_beds_equivalent": row.get("planned_beds_equivalent"),
        "rag": row.get("rag"),
    }


def by_winter(months: list[dict[str, Any]], region: Region) -> list[dict[str, Any]]:
    """The trackers grouped by winter (financial year): per ICB, each month of each winter it
    returned, so the region compares ICBs and winters (months nobody returned are left out)."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for month in months:
        if month["totals"]["missing"] + month["totals"]["not_due"] == month["totals"]["icbs"]:
            continue  # nobody has returned this month (yet): no column
        grouped.setdefault(financial_year(YearMonth.parse(month["month"])), []).append(month)
    winters = []
    for winter, trackers in sorted(grouped.items()):
        trackers.sort(key=lambda t: t["month"])
        icbs = []
        for icb in region.icbs:
            cells = [
                _cell({**row, "month": t["month"]})
                for t in trackers
                for row in t["icbs"]
                if row["icb_code"] == icb.code
            ]
            programmes = sorted({c["programme"] for c in cells if c["programme"]})
            icbs.append(
                {
                    "icb_code": icb.code,
                    "icb_name": icb.name,
                    "programmes": programmes,
                    "months": cells,
                }
            )
        winters.append(
            {
                "winter": winter,
                "months": [
                    {
                        "month": t["month"],
                        "financial_month": financial_month_label(YearMonth.parse(t["month"])),
                    }
                    for t in trackers
                ],
                "icbs": icbs,
                "totals": [
                    {"month": t["month"], **{k: t["totals"][k] for k in WINTER_TOTALS}}
                    for t in trackers
                ],
            }
        )
    return winters


WINTER_TOTALS = ("bed_target", "delivered_beds_equivalent", "planned_beds_equivalent", "rag")


def overview(views: ViewDatabase, region: Region, today: date) -> dict[str, Any]:
    """The ICBs known with their latest figures, and each month's tracker."""
    months = [tracker(views, region, m, today) for m in region_months(views, region, today)]
    latest: dict[str, dict[str, Any]] = {}
    for month in months:
        for row in month["icbs"]:
            if row["status"] not in NOT_SENT:
                latest[row["icb_code"]] = {**row, "month": month["month"]}
    icbs = [
        latest.get(i.code, {"icb_code": i.code, "icb_name": i.name, "status": "missing"})
        for i in region.icbs
    ]
    return {
        "region": region.code,
        "region_name": region.name,
        "deadline_working_day": region.deadline_working_day,
        "deadline_rule": region.deadline_rule,
        "deadline_text": region.deadline_text,
        "icbs": icbs,
        "months": months,
        "winters": by_winter(months, region),
    }


def find_region(code: str, configured: Region | None = None) -> Region:
    """The configured region, or a built-in one; NotFound naming ``region`` otherwise."""
    if configured is not None and configured.code == code:
        return configured
    if code in BUILT_IN:
        return load_region(code)
    raise NotFound(f"unknown region '{code[:20]}'", field="region")


def artefact(
    application: WinterApplication,
    views: ViewDatabase,
    region: Region,
    month: str,
    icb: str,
    revision: int,
    name: str,
) -> tuple[str, str, bytes, str]:
    """(filename, media type, bytes, SHA-256) of an artefact as the ICB submitted it, checked
    against its SHA-256 again on the way out. The name and the media type are the region's own
    (``{programme}-{month}-r{n}.csv|xlsx``, text/csv or the XLSX type), never the ones the
    message carries: a sender's name cannot break the download or its type make the region's
    origin serve HTML or script."""
    if name not in ("csv", "xlsx"):
        raise InputRefused("artefact", "must be csv or xlsx")
    month = str(YearMonth.parse(month))
    rows = [r for r in received(views, region.code, month) if r["icb_code"] == icb]
    if not rows:
        raise NotFound(f"no return from {icb[:10]} for {month}", field="icb")
    found = application.get_received(rows[-1]["programme"], month)
    message = found.revisions.get(revision) if found else None
    if message is None:
        raise NotFound(f"no revision {revision} from {icb} for {month}", field="revision")
    stored = message["artefacts"][name]
    content = base64.b64decode(stored["base64"])
    if hashlib.sha256(content).hexdigest() != stored["sha256"]:  # pragma: no cover - tampering
        raise Conflict(f"the stored {name} no longer matches its SHA-256")
    assert found is not None  # a revision was found in it
    filename = f"{found.programme}-{month}-r{revision}.{name}"
    return filename, MEDIA_TYPES[name], content, str(stored["sha256"])
