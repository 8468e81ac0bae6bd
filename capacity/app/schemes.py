"""Schemes: registration, the catalogue, approval, KPIs, go-live, beds, status, narrative."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from capacity import figures
from capacity.app.core import Change, Command, Receipt, WinterCore
from capacity.errors import (
    AlreadyExists,
    Conflict,
    ProgrammeNotFound,
)
from capacity.programme import Programme, programme_id
from capacity.provenance import SchemeProvenance, provenance_id
from capacity.scheme import Scheme
from capacity.values import Actor
from schemes.rules import (
    InputRefused,
    check_money,
    check_text,
    parse_date,
)

# The name each scheme command's fingerprint uses -> its row in the policy table.
POLICY_NAMES = {
    "approve": "approve_scheme",
    "kpi_target": "set_kpi_target",
    "planned_start": "change_planned_start",
    "mobilise": "mobilise_scheme",
    "beds": "change_beds",
    "status": "change_status",
    "narrative": "update_narrative",
}


class SchemeCommands(WinterCore):
    def register_scheme(
        self,
        actor: Actor,
        programme_code: str,
        spec: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act() -> Change:
            programme = self.get_programme(programme_code)
            scheme = self._new_scheme(actor, programme, spec)
            programme.add_scheme(actor, scheme.code)
            clash = AlreadyExists(f"scheme {scheme.code} is already registered", field="code")
            return Change([programme, scheme], clash, {"scheme": scheme.code})

        request = {"programme": programme_code, **spec}
        command = Command(
            actor, "register_scheme", programme_code, None, "register_scheme", request
        )
        return self.run_command(command, act, idempotency_key)

    def _new_scheme(self, actor: Actor, programme: Programme, spec: Mapping[str, Any]) -> Scheme:
        fields = dict(spec)
        fields["allocation_gbp"] = check_money("allocation_gbp", fields["allocation_gbp"])
        for text_field in ("name", "provider", "lead"):
            if fields.get(text_field) is not None:
                check_text(text_field, str(fields[text_field]), max_len=500)
        for n, kpi in enumerate(fields.get("kpis") or []):
            for text_field in ("name", "unit"):
                if kpi.get(text_field) is not None:
                    check_text(f"kpis.{n}.{text_field}", str(kpi[text_field]), max_len=300)
        return Scheme.register(actor, programme=programme.code, **fields)

    def load_catalogue(
        self, actor: Actor, catalogue: Any, programme_code: str | None = None
    ) -> tuple[Receipt, int, int]:
        """Opens the catalogue's programme when needed and registers every scheme not yet there,
        all in one atomic save. Returns the receipt, schemes added and schemes already present."""
        spec = catalogue.programme
        code = programme_code or (spec.code if spec else None)
        if code is None:
            raise InputRefused("programme", "is required: the catalogue does not name one")
        added = present = 0

        def act() -> Change:
            nonlocal added, present
            aggregates: list[Aggregate] = []
            if self._exists(programme_id(code)):
                programme = self.get_programme(code)
            elif spec is not None:
                programme = Programme.open(actor, **{**spec.model_dump(), "code": code})
                aggregates.append(programme)
            else:
                raise ProgrammeNotFound(f"unknown programme '{code}'", field="programme")
            for entry in catalogue.schemes:
                if entry.code in programme.scheme_codes:
                    present += 1
                    continue
                fields = entry.model_dump(exclude={"notes", "source_lines"})
                fields["kpis"] = [k.model_dump() for k in entry.kpis]
                aggregates.append(self._new_scheme(actor, programme, fields))
                if entry.notes or entry.source_lines:
                    aggregates.append(
                        SchemeProvenance.note(
                            actor, code, entry.code, entry.notes, list(entry.source_lines)
                        )
                    )
                programme.add_scheme(actor, entry.code)
                added += 1
            if programme not in aggregates and added:
                aggregates.append(programme)
            changed = Conflict(f"catalogue for {code} changed meanwhile; load again")
            return Change(aggregates, changed, {"programme": code})

        receipt = self.run_command(Command(actor, "load_catalogue", code), act)
        return receipt, added, present

    def get_provenance(self, programme: str, code: str) -> SchemeProvenance | None:
        """The catalogue's notes and source references for a scheme, when it had any."""
        record = provenance_id(programme, code)
        if record not in self.repository:
            return None
        found: Any = self.repository.get(record)
        return found if isinstance(found, SchemeProvenance) else None

    def _scheme_command(
        self,
        actor: Actor,
        programme_code: str,
        scheme_code: str,
        command: str,
        request: Mapping[str, Any],
        act: Callable[[Programme, Scheme], None],
        idempotency_key: str | None,
    ) -> Receipt:
        def run() -> Change:
            programme = self.get_programme(programme_code)
            scheme = self.get_scheme(programme_code, scheme_code)
            act(programme, scheme)
            changed = Conflict(f"scheme {scheme_code} changed meanwhile; try again")
            return Change([scheme], changed, {"scheme": scheme_code})

        request = {"programme": programme_code, "scheme": scheme_code, **request}
        policy = POLICY_NAMES[command]
        write = Command(actor, policy, programme_code, scheme_code, command, request)
        return self.run_command(write, run, idempotency_key)

    def approve_scheme(
        self,
        actor: Actor,
        programme: str,
        scheme: str,
        approved_on: Any,
        decision_ref: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act(p: Programme, s: Scheme) -> None:
            on = (
                approved_on
                if isinstance(approved_on, date)
                else parse_date("approved_on", approved_on)
            )
            s.approve(actor, on, check_text("decision_ref", decision_ref, max_len=200))

        request = {"approved_on": str(approved_on), "decision_ref": decision_ref}
        return self._scheme_command(
            actor, programme, scheme, "approve", request, act, idempotency_key
        )

    def set_kpi_target(
        self,
        actor: Actor,
        programme: str,
        scheme: str,
        kpi_code: str,
        target: Decimal | str | None,
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act(p: Programme, s: Scheme) -> None:
            s.set_kpi_target(actor, kpi_code, target, check_text("reason", reason))

        request = {"kpi_code": kpi_code, "target": str(target), "reason": reason}
        return self._scheme_command(
            actor, programme, scheme, "kpi_target", request, act, idempotency_key
        )

    def change_planned_start(
        self,
        actor: Actor,
        programme: str,
        scheme: str,
        planned_start: date | None,
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act(p: Programme, s: Scheme) -> None:
            s.change_planned_start(actor, planned_start, check_text("reason", reason))

        request = {"planned_start": str(planned_start), "reason": reason}
        return self._scheme_command(
            actor, programme, scheme, "planned_start", request, act, idempotency_key
        )

    def mobilise_scheme(
        self,
        actor: Actor,
        programme: str,
        scheme: str,
        went_live_on: Any,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act(p: Programme, s: Scheme) -> None:
            s.mobilise(actor, self._day(p, "went_live_on", went_live_on))

        request = {"went_live_on": str(went_live_on)}
        return self._scheme_command(
            actor, programme, scheme, "mobilise", request, act, idempotency_key
        )

    def change_beds(
        self,
        actor: Actor,
        programme: str,
        scheme: str,
        on: Any,
        change: Any,
        bed_type: Any,
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        """Opens beds (change > 0) or closes them (change < 0, e.g. an infection closure)."""

        def act(p: Programme, s: Scheme) -> None:
            day = self._day(p, "date", on)
            n, kind = figures.clean_bed_change(change, bed_type)
            why = check_text("reason", reason or "")
            if n > 0:
                s.open_beds(actor, day, n, kind, why)
            else:
                s.close_beds(actor, day, -n, kind, why)

        request = {"date": str(on), "change": str(change), "bed_type": bed_type, "reason": reason}
        return self._scheme_command(actor, programme, scheme, "beds", request, act, idempotency_key)

    def change_status(
        self,
        actor: Actor,
        programme: str,
        scheme: str,
        action: str,
        on: Any,
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act(p: Programme, s: Scheme) -> None:
            day = self._day(p, "on", on)
            why = check_text("reason", reason or "")
            if action == "pause":
                s.pause(actor, day, why)
            elif action == "resume":
                s.resume(actor, day, why)
            elif action == "close":
                s.close(actor, day, why)
            else:
                raise InputRefused("action", "must be one of pause, resume, close")

        request = {"action": action, "on": str(on), "reason": reason}
        return self._scheme_command(
            actor, programme, scheme, "status", request, act, idempotency_key
        )

    def update_narrative(
        self,
        actor: Actor,
        programme: str,
        scheme: str,
        narrative: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act(p: Programme, s: Scheme) -> None:
            s.update_narrative(actor, check_text("narrative", narrative), self.today())

        return self._scheme_command(
            actor, programme, scheme, "narrative", {"narrative": narrative}, act, idempotency_key
        )
