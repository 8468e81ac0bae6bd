"""The read side: what the dashboard, the delivery pages and the return ask for.

Every read takes ``as_of`` (the valid date, default today) and ``known_at`` (an event-log
position, default what the views have reached), and is computed from the fact views only.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from capacity.errors import NotFound
from projections.arithmetic import (
    ZERO,
    chase_list,
    complete_months,
    diversion_candidates,
    full_days_through,
    scheme_month,
    system_daily,
)
from projections.dashboard import (
    bed_occupancy,
    flow_summary,
    headroom,
    pct,
    scheme_line,
    spend_by_stream,
    target_check,
)
from projections.db import ViewDatabase
from projections.facts import ProgrammeFacts, load_facts
from projections.memo import Memo, now_iso
from projections.projector import Projector
from projections.queries import returns as return_rows
from projections.return_document import build_document, to_json
from projections.returns import beds, gbp
from projections.shapes import (
    BedOccupancy,
    Dashboard,
    DeliveryDaily,
    DeliveryDay,
    DeliveryMonth,
    DiversionCandidate,
    Headline,
)
from schemes.months import YearMonth, window_days
from schemes.rules import InputRefused


class ReadModel:
    """Reads are deterministic functions of (arguments, position): results are memoised per
    position, so repeated reads at the same position cost a dictionary lookup, and any new event
    moves the position on and so computes afresh. The facts of the latest (programme,
    position) pairs are kept too, so a read with new arguments only computes. Callers get a
    shallow copy: treat the nested values as read-only."""

    CACHE_SIZE = 2048
    FACTS_SIZE = 48  # every ICB in England (42) at once; about 4 MB each for a national winter

    def __init__(self, projector: Projector, today: Callable[[], date] = date.today) -> None:
        self.projector = projector
        self.views: ViewDatabase = projector.views
        self.today = today
        self._reads = Memo(self.CACHE_SIZE)
        self._facts = Memo(self.FACTS_SIZE)

    def _memo(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        return copy.copy(self._reads.get((*key, self.today()), compute))

    def _position(self, known_at: int | None, programme: str | None = None) -> int:
        """An explicit position, or else the latest one that changed the programme's facts:
        writes to other programmes (or to users) leave this programme's reads memoised."""
        if known_at is not None:
            return known_at
        if programme is not None:
            latest = self.projector.programme_position(programme)
            if latest is not None:
                return latest
        return self.head()

    def warm(self, programmes: list[str]) -> None:
        """Computes the reads people open first (the dashboard and the latest month's return),
        so nobody waits for them after a change."""
        for programme in programmes:
            try:
                board = self.dashboard(programme)
                self.monthly_return(programme, board.headline.month)
            except (NotFound, InputRefused):
                continue

    def head(self) -> int:
        return self.projector.position()

    def facts(self, programme: str, known_at: int | None = None) -> ProgrammeFacts:
        head = self.head()
        if known_at is not None and (known_at < 0 or known_at > head):
            raise InputRefused("known_at", f"must be between 0 and {head} (views have reached it)")
        at = head if known_at is None else known_at
        facts: ProgrammeFacts = self._facts.get(
            (programme, at), lambda: load_facts(self.views, programme, at)
        )
        return facts

    def _as_of(self, as_of: date | None) -> date:
        return as_of or self.today()

    def through(self, day: date) -> date:
        """The last day a month's figures count "as of" ``day``: a past day counts to its end;
        today counts full days only, its reports still arriving (docs/rules.md §1)."""
        return full_days_through(day) if day >= self.today() else day

    # --- memoised reads -------------------------------------------------------------------

    def delivery_month(
        self, programme: str, month: str, as_of: date | None = None, known_at: int | None = None
    ) -> DeliveryMonth:
        at = self._position(known_at, programme)
        result: DeliveryMonth = self._memo(
            ("delivery", programme, month, as_of, at),
            lambda: self._compute_delivery_month(programme, month, as_of, at),
        )
        return result

    def delivery_daily(
        self, programme: str, start: date | None, end: date | None, known_at: int | None = None
    ) -> DeliveryDaily:
        at = self._position(known_at, programme)
        result: DeliveryDaily = self._memo(
            ("daily", programme, start, end, at),
            lambda: self._compute_delivery_daily(programme, start, end, at),
        )
        return result

    def dashboard(
        self, programme: str, as_of: date | None = None, known_at: int | None = None
    ) -> Dashboard:
        at = self._position(known_at, programme)
        result: Dashboard = self._memo(
            ("dashboard", programme, as_of, at),
            lambda: self._compute_dashboard(programme, as_of, at),
        )
        return result

    # --- delivery -------------------------------------------------------------------------

    def _compute_delivery_month(
        self, programme: str, month: str, as_of: date | None = None, known_at: int | None = None
    ) -> DeliveryMonth:
        p = self.facts(programme, known_at)
        ym = YearMonth.parse(month)
        day = self._as_of(as_of)
        through = self.through(day)
        rows = []
        planned = delivered = ZERO
        for scheme in sorted(p.schemes.values(), key=lambda s: s.code):
            m = scheme_month(p, scheme, ym, day, through=through)
            if scheme.counts_toward_target:
                planned += m.planned
                delivered += m.delivered or ZERO
            rows.append(scheme_line(scheme, m, day))
        return DeliveryMonth(
            programme=programme,
            month=str(ym),
            as_of=day.isoformat(),
            through=through.isoformat(),
            window_days=len(window_days(ym, p.period_start, p.period_end, through)),
            known_at=p.known_at,
            bed_target=p.bed_target,
            planned_beds_equivalent=beds(planned),
            delivered_beds_equivalent=beds(delivered),
            delivered_pct_of_plan=pct(delivered / planned if planned else None),
            delivered_pct_of_target=pct(delivered / p.bed_target if p.bed_target else None),
            schemes=rows,
        )

    def _compute_delivery_daily(
        self, programme: str, start: date | None, end: date | None, known_at: int | None = None
    ) -> DeliveryDaily:
        p = self.facts(programme, known_at)
        first = start or p.period_start
        last = end or min(self.today(), p.period_end)
        if last < first:
            raise InputRefused("to", "must not be before from")
        series = system_daily(p, first, last)
        return DeliveryDaily(
            programme=programme,
            known_at=p.known_at,
            bed_target=p.bed_target,
            days=[
                DeliveryDay(
                    date=d.day.isoformat(),
                    delivered_beds_equivalent=beds(d.delivered),
                    planned_beds_equivalent=beds(d.planned),
                    target=d.target,
                    reports_due=d.expected,
                    reports_in=d.reported,
                    complete=d.reported >= d.expected,
                )
                for d in series
            ],
        )

    # --- the board's dashboard ------------------------------------------------------------

    def _compute_dashboard(
        self, programme: str, as_of: date | None = None, known_at: int | None = None
    ) -> Dashboard:
        p = self.facts(programme, known_at)
        day = self._as_of(as_of)
        if day < p.period_start:
            raise InputRefused("as_of", f"must be on or after {p.period_start.isoformat()}")
        clipped = min(day, p.period_end)
        month = YearMonth.of(clipped)
        # The headline day is the latest full day: daily sitreps arrive by 11:00 the next day.
        latest = max(min(day - timedelta(days=1), p.period_end), p.period_start)
        today = system_daily(p, latest, latest)
        so_far = system_daily(p, day, day)  # today's reports, still arriving
        month_view = self._compute_delivery_month(programme, str(month), day, p.known_at)
        window = window_days(month, p.period_start, p.period_end, day)
        yesterday = [clipped - timedelta(days=1)]
        spend = spend_by_stream(p, month, day)
        return Dashboard(
            programme=programme,
            icb_name=p.icb_name,
            as_of=day.isoformat(),
            known_at=p.known_at,
            bed_target=p.bed_target,
            target_check=target_check(p),
            headline=Headline(
                date=latest.isoformat(),
                delivered=beds(today[0].delivered) if today else None,
                planned=beds(today[0].planned) if today else None,
                month=str(month),
                delivered_month_to_date=month_view.delivered_beds_equivalent,
                planned_month_to_date=month_view.planned_beds_equivalent,
                month_to_date_through=month_view.through,
                month_to_date_days=month_view.window_days,
                delivered_pct_of_plan=month_view.delivered_pct_of_plan,
                delivered_pct_of_target=month_view.delivered_pct_of_target,
                today=day.isoformat(),
                delivered_today_so_far=beds(so_far[0].delivered) if so_far else None,
                reports_today_so_far=so_far[0].reported if so_far else 0,
            ),
            spend=spend,
            headroom=headroom(spend),
            schemes=month_view.schemes,
            chase_list=chase_list(p, day),
            diversion_candidates=[
                DiversionCandidate(
                    scheme_code=c.code, reasons=c.reasons, uncommitted_gbp=gbp(c.uncommitted)
                )
                for c in diversion_candidates(p, day)
            ],
            complete_months=[str(m) for m in complete_months(p, day)],
            flow=flow_summary(p, window, yesterday),
        )

    # --- the monthly return ---------------------------------------------------------------

    def monthly_return(
        self,
        programme: str,
        month: str,
        known_at: int | None = None,
        generated_at: str | None = None,
    ) -> dict[str, Any]:
        at = self._position(known_at, programme)

        def compute() -> dict[str, Any]:
            p = self.facts(programme, at)
            ym = YearMonth.parse(month)
            if not (YearMonth.of(p.period_start) <= ym <= YearMonth.of(p.period_end)):
                raise InputRefused("month", f"{ym} is outside the programme period")
            return to_json(build_document(p, ym, self.today()))

        report: dict[str, Any] = self._memo(("return", programme, month, at), compute)
        report["generated_at"] = generated_at or now_iso()
        return report

    def scheme_beds(
        self, programme: str, code: str, as_of: date | None = None
    ) -> BedOccupancy | None:
        """Beds open beside beds occupied for a bedded scheme (None for other schemes)."""
        scheme = self.facts(programme).schemes.get(code)
        return None if scheme is None else bed_occupancy(scheme, self._as_of(as_of))

    def submissions(self, programme: str, month: str) -> list[dict[str, Any]]:
        rows = return_rows.submitted_revisions(self.views, programme, month)
        found = []
        for revision, data, position in rows:
            d = json.loads(data)
            found.append(
                {
                    "revision": int(revision),
                    "computed_at_position": d["position"],
                    "recorded_at_position": int(position),
                    "sha256": d["sha256"],
                    "generated_at": d["generated_at"],
                    "submitted_by": d["actor"]["user_id"],
                    "reason": d.get("reason", ""),
                    "csv": d["csv"],
                    "xlsx_sha256": d.get("xlsx_sha256", ""),
                    "figures_sha256": d.get("figures_sha256", ""),
                    "signed_off_by": d.get("signed_off_by", ""),
                    "signed_off_at": d.get("signed_off_at", ""),
                    "xlsx": base64.b64decode(d.get("xlsx") or ""),
                }
            )
        return found

    def submission(self, programme: str, month: str, revision: int) -> dict[str, Any]:
        for found in self.submissions(programme, month):
            if found["revision"] == revision:
                return found
        raise NotFound(f"no revision {revision} of the {month} return", field="revision")
