"""Acute sites and their daily flow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from capacity import figures
from capacity.app.core import Receipt, WinterCore
from capacity.errors import (
    AlreadyExists,
    Conflict,
    DuplicateFlowReport,
    ReportNotFound,
)
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
        request = {"p": programme_code, "ods": ods_code, "name": name, "place": place}
        self.authorise(actor, "register_site", programme_code)
        key, replay = self._idempotent(actor, idempotency_key, "site", request)
        if replay:
            return replay
        code = str(ods_code or "").strip().upper()
        if not (3 <= len(code) <= 5 and code.isalnum()):
            raise InputRefused("ods_code", "must be an ODS code of 3 to 5 letters and digits")
        if place not in ("ENH", "SW", "WE", "HERTS", "HWE"):
            raise InputRefused("place", "must be one of ENH, SW, WE, HERTS, HWE")
        programme = self.get_programme(programme_code)
        site = Site.register(actor, programme_code, code, check_text("name", name, 200), place)
        programme.add_site(actor, code)
        return self._commit(
            actor,
            [programme, site],
            AlreadyExists(f"site {code} is already registered", field="ods_code"),
            key,
            {"site": code},
        )

    def report_flow(
        self,
        actor: Actor,
        programme_code: str,
        ods_code: str,
        raw: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        self.authorise(actor, "report_flow", programme_code, ods_code)
        key, replay = self._idempotent(
            actor, idempotency_key, "flow", {"p": programme_code, "o": ods_code, **raw}
        )
        if replay:
            return replay
        programme = self.get_programme(programme_code)
        self.get_site(programme_code, ods_code)
        day = self._day(programme, "date", raw.get("date"))
        flow = figures.clean_flow(raw)
        site_day = SiteDay.report(actor, programme_code, ods_code, day, **flow)
        return self._commit(
            actor,
            [site_day],
            DuplicateFlowReport(
                f"{ods_code} already reported flow for {day.isoformat()}; correct it instead",
                field="date",
            ),
            key,
            {"site": ods_code, "date": day.isoformat()},
        )

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
        self.authorise(actor, "correct_flow", programme_code, ods_code)
        key, replay = self._idempotent(
            actor, idempotency_key, "flow_correct", {"p": programme_code, "o": ods_code, **raw}
        )
        if replay:
            return replay
        programme = self.get_programme(programme_code)
        self.get_site(programme_code, ods_code)
        day = self._day(programme, "date", raw.get("date"))
        flow = figures.clean_flow(raw)
        why = check_text("reason", reason or "")
        if not why.strip():
            raise InputRefused("reason", "is required for a correction")
        site_day = self._get(
            SiteDay,
            site_day_id(programme_code, ods_code, day),
            ReportNotFound(f"no flow for {ods_code} on {day.isoformat()}", field="date"),
        )
        site_day.correct(actor, why, **flow)
        return self._commit(
            actor,
            [site_day],
            Conflict("flow changed meanwhile; try again"),
            key,
            {"site": ods_code},
        )
