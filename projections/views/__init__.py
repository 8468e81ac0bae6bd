"""Every view's handlers in one table: the projector loop applies each event through it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from capacity.board_papers import BoardPaper
from capacity.programme import Programme
from capacity.provenance import SchemeProvenance
from capacity.region import ReceivedReturn
from capacity.reminders import ChaseDay
from capacity.reports import DailyReport, MonthlySpend
from capacity.returns import MonthlyReturn
from capacity.scheme import Scheme
from capacity.site import Site, SiteDay
from projections.views.board_papers import on_board_paper
from projections.views.figures import on_daily, on_spend
from projections.views.flow import on_flow, on_site
from projections.views.programme import on_programme
from projections.views.region import on_received
from projections.views.reminders import on_reminder
from projections.views.returns import on_return
from projections.views.schemes import on_provenance, on_scheme
from projections.views.writer import PageWriter

# returns the programme whose facts changed, if any
Handler = Callable[[PageWriter, Any, int], str | None]
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
    Programme.FundsReceived: on_programme,
    Programme.ManagementForecastRecorded: on_programme,
    **{getattr(Scheme, name): on_scheme for name in SCHEME_EVENTS},
    SchemeProvenance.SourceNoted: on_provenance,
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
    ReceivedReturn.ReturnReceived: on_received,
    BoardPaper.Prepared: on_board_paper,
    BoardPaper.SignedOff: on_board_paper,
    ChaseDay.ReminderSent: on_reminder,
}
