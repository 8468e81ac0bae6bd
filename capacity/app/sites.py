"""Acute sites and their daily flow."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from capacity.app.core import Change, Command, Receipt, WinterCore, correction_reason
from capacity.errors import (
    AlreadyExists,
    Conflict,
    DuplicateFlowReport,
    ReportNotFound,
)
from capacity.flow_figures import FlowFigures
from capacity.site import Site, SiteDay, site_day_id
from capacity.values import Actor
from schemes.rules import (
    InputRefused,
    check_text,
)


class SiteCommands(WinterCore):
    def register_site(
        self,
        actor: Actor,
        programme_code: str,
        ods_code: str,
        name: str,
        place: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act() -> Change:
            code = str(ods_code or "").strip().upper()
            if not (3 <= len(code) <= 5 and code.isalnum()):
                raise InputRefused("ods_code", "must be an ODS code of 3 to 5 letters and digits")
            if place not in ("ENH", "SW", "WE", "HERTS", "HWE"):
                raise InputRefused("place", "must be one of ENH, SW, WE, HERTS, HWE")
            programme = self.get_programme(programme_code)
            site = Site.register(actor, programme_code, code, check_text("name", name, 200), place)
            programme.add_site(actor, code)
            clash = AlreadyExists(f"site {code} is already registered", field="ods_code")
            return Change([programme, site], clash, {"site": code})

        request = {"p": programme_code, "ods": ods_code, "name": name, "place": place}
        command = Command(actor, "register_site", programme_code, None, "site", request)
        return self.run_command(command, act, idempotency_key)

    def _flow_day(
        self, programme_code: str, ods_code: str, raw: Mapping[str, Any]
    ) -> tuple[date, FlowFigures]:
        """A site's day of flow, checked: (day, figures)."""
        programme = self.get_programme(programme_code)
        self.get_site(programme_code, ods_code)
        return self._day(programme, "date", raw.get("date")), FlowFigures.clean(raw)

    def report_flow(
        self,
        actor: Actor,
        programme_code: str,
        ods_code: str,
        raw: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act() -> Change:
            day, flow = self._flow_day(programme_code, ods_code, raw)
            site_day = SiteDay.report(actor, programme_code, ods_code, day, flow)
            duplicate = DuplicateFlowReport(
                f"{ods_code} already reported flow for {day.isoformat()}; correct it instead",
                field="date",
            )
            return Change([site_day], duplicate, {"site": ods_code, "date": day.isoformat()})

        request = {"p": programme_code, "o": ods_code, **raw}
        command = Command(actor, "report_flow", programme_code, ods_code, "flow", request)
        return self.run_command(command, act, idempotency_key)

    def correct_flow(
        self,
        actor: Actor,
        programme_code: str,
        ods_code: str,
        raw: Mapping[str, Any],
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act() -> Change:
            day, flow = self._flow_day(programme_code, ods_code, raw)
            why = correction_reason(reason)
            site_day = self._get(
                SiteDay,
                site_day_id(programme_code, ods_code, day),
                ReportNotFound(f"no flow for {ods_code} on {day.isoformat()}", field="date"),
            )
            site_day.correct(actor, why, flow)
            return Change(
                [site_day], Conflict("flow changed meanwhile; try again"), {"site": ods_code}
            )

        request = {"p": programme_code, "o": ods_code, **raw}
        command = Command(actor, "correct_flow", programme_code, ods_code, "flow_correct", request)
        return self.run_command(command, act, idempotency_key)
