"""Acute sites and their daily flow."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from capacity.app.core import correction_reason, handles
from capacity.app.reads import WinterReads
from capacity.commands_base import Change
from capacity.commands_figures import CorrectFlow, RegisterSite, ReportFlow
from capacity.errors import (
    AlreadyExists,
    Conflict,
    DuplicateFlowReport,
    ReportNotFound,
)
from capacity.flow_figures import FlowFigures
from capacity.site import Site, SiteDay, site_day_id
from schemes.rules import (
    InputRefused,
    check_text,
)


@handles(RegisterSite)
def register_site(app: WinterReads, c: RegisterSite) -> Change:
    code = str(c.ods_code or "").strip().upper()
    if not (3 <= len(code) <= 5 and code.isalnum()):
        raise InputRefused("ods_code", "must be an ODS code of 3 to 5 letters and digits")
    if c.place not in ("ENH", "SW", "WE", "HERTS", "HWE"):
        raise InputRefused("place", "must be one of ENH, SW, WE, HERTS, HWE")
    programme = app.get_programme(c.programme)
    site = Site.register(c.actor, c.programme, code, check_text("name", c.name, 200), c.place)
    programme.add_site(c.actor, code)
    clash = AlreadyExists(f"site {code} is already registered", field="ods_code")
    return Change([programme, site], clash, {"site": code})


def _flow_day(
    app: WinterReads, programme_code: str, ods_code: str, raw: Mapping[str, Any]
) -> tuple[date, FlowFigures]:
    """A site's day of flow, checked: (day, figures)."""
    programme = app.get_programme(programme_code)
    app.get_site(programme_code, ods_code)
    return app._day(programme, "date", raw.get("date")), FlowFigures.clean(raw)


@handles(ReportFlow)
def report_flow(app: WinterReads, c: ReportFlow) -> Change:
    day, flow = _flow_day(app, c.programme, c.ods_code, c.figures)
    site_day = SiteDay.report(c.actor, c.programme, c.ods_code, day, flow)
    duplicate = DuplicateFlowReport(
        f"{c.ods_code} already reported flow for {day.isoformat()}; correct it instead",
        field="date",
    )
    return Change([site_day], duplicate, {"site": c.ods_code, "date": day.isoformat()})


@handles(CorrectFlow)
def correct_flow(app: WinterReads, c: CorrectFlow) -> Change:
    day, flow = _flow_day(app, c.programme, c.ods_code, c.figures)
    why = correction_reason(c.reason)
    site_day = app._get(
        SiteDay,
        site_day_id(c.programme, c.ods_code, day),
        ReportNotFound(f"no flow for {c.ods_code} on {day.isoformat()}", field="date"),
    )
    site_day.correct(c.actor, why, flow)
    return Change([site_day], Conflict("flow changed meanwhile; try again"), {"site": c.ods_code})
