"""Schemes: registration, the catalogue, approval, KPIs, go-live, beds, status, narrative."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate

from capacity import figures
from capacity.app.core import handles
from capacity.app.reads import WinterReads
from capacity.commands_base import Change
from capacity.commands_programme import (
    ApproveScheme,
    ChangeBeds,
    ChangePlannedStart,
    ChangeStatus,
    LoadCatalogue,
    MobiliseScheme,
    RegisterScheme,
    SetKpiTarget,
    UpdateNarrative,
)
from capacity.errors import (
    AlreadyExists,
    Conflict,
    ProgrammeNotFound,
)
from capacity.programme import Programme, programme_id
from capacity.provenance import SchemeProvenance
from capacity.scheme import Scheme
from capacity.values import Actor
from schemes.rules import (
    InputRefused,
    check_money,
    check_text,
    parse_date,
)


@handles(RegisterScheme)
def register_scheme(app: WinterReads, c: RegisterScheme) -> Change:
    programme = app.get_programme(c.programme)
    scheme = _new_scheme(c.actor, programme, c.spec)
    programme.add_scheme(c.actor, scheme.code)
    clash = AlreadyExists(f"scheme {scheme.code} is already registered", field="code")
    return Change([programme, scheme], clash, {"scheme": scheme.code})


def _new_scheme(actor: Actor, programme: Programme, spec: Mapping[str, Any]) -> Scheme:
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


@handles(LoadCatalogue)
def load_catalogue(app: WinterReads, c: LoadCatalogue) -> Change:
    """Opens the catalogue's programme when needed and registers every scheme not yet there,
    all in one atomic save; its outcome is (schemes added, schemes already present)."""
    spec = c.catalogue.programme
    code = c.programme_code()
    added = present = 0
    aggregates: list[Aggregate] = []
    if app._exists(programme_id(code)):
        programme = app.get_programme(code)
    elif spec is not None:
        programme = Programme.open(c.actor, **{**spec.model_dump(), "code": code})
        aggregates.append(programme)
    else:
        raise ProgrammeNotFound(f"unknown programme '{code}'", field="programme")
    for entry in c.catalogue.schemes:
        if entry.code in programme.scheme_codes:
            present += 1
            continue
        fields = entry.model_dump(exclude={"notes", "source_lines"})
        fields["kpis"] = [k.model_dump() for k in entry.kpis]
        aggregates.append(_new_scheme(c.actor, programme, fields))
        if entry.notes or entry.source_lines:
            aggregates.append(
                SchemeProvenance.note(
                    c.actor, code, entry.code, entry.notes, list(entry.source_lines)
                )
            )
        programme.add_scheme(c.actor, entry.code)
        added += 1
    if programme not in aggregates and added:
        aggregates.append(programme)
    changed = Conflict(f"catalogue for {code} changed meanwhile; load again")
    return Change(aggregates, changed, {"programme": code}, (added, present))


def _scheme_change(
    app: WinterReads,
    programme_code: str,
    scheme_code: str,
    act: Callable[[Programme, Scheme], None],
) -> Change:
    programme = app.get_programme(programme_code)
    scheme = app.get_scheme(programme_code, scheme_code)
    act(programme, scheme)
    changed = Conflict(f"scheme {scheme_code} changed meanwhile; try again")
    return Change([scheme], changed, {"scheme": scheme_code})


@handles(ApproveScheme)
def approve_scheme(app: WinterReads, c: ApproveScheme) -> Change:
    def act(p: Programme, s: Scheme) -> None:
        on = (
            c.approved_on
            if isinstance(c.approved_on, date)
            else parse_date("approved_on", c.approved_on)
        )
        s.approve(c.actor, on, check_text("decision_ref", c.decision_ref, max_len=200))

    return _scheme_change(app, c.programme, c.scheme, act)


@handles(SetKpiTarget)
def set_kpi_target(app: WinterReads, c: SetKpiTarget) -> Change:
    def act(p: Programme, s: Scheme) -> None:
        s.set_kpi_target(c.actor, c.kpi_code, c.target, check_text("reason", c.reason))

    return _scheme_change(app, c.programme, c.scheme, act)


@handles(ChangePlannedStart)
def change_planned_start(app: WinterReads, c: ChangePlannedStart) -> Change:
    def act(p: Programme, s: Scheme) -> None:
        s.change_planned_start(c.actor, c.planned_start, check_text("reason", c.reason))

    return _scheme_change(app, c.programme, c.scheme, act)


@handles(MobiliseScheme)
def mobilise_scheme(app: WinterReads, c: MobiliseScheme) -> Change:
    def act(p: Programme, s: Scheme) -> None:
        s.mobilise(c.actor, app._day(p, "went_live_on", c.went_live_on))

    return _scheme_change(app, c.programme, c.scheme, act)


@handles(ChangeBeds)
def change_beds(app: WinterReads, c: ChangeBeds) -> Change:
    def act(p: Programme, s: Scheme) -> None:
        day = app._day(p, "date", c.on)
        n, kind = figures.clean_bed_change(c.change, c.bed_type)
        why = check_text("reason", c.reason or "")
        if n > 0:
            s.open_beds(c.actor, day, n, kind, why)
        else:
            s.close_beds(c.actor, day, -n, kind, why)

    return _scheme_change(app, c.programme, c.scheme, act)


@handles(ChangeStatus)
def change_status(app: WinterReads, c: ChangeStatus) -> Change:
    def act(p: Programme, s: Scheme) -> None:
        day = app._day(p, "on", c.on)
        why = check_text("reason", c.reason or "")
        if c.action == "pause":
            s.pause(c.actor, day, why)
        elif c.action == "resume":
            s.resume(c.actor, day, why)
        elif c.action == "close":
            s.close(c.actor, day, why)
        else:
            raise InputRefused("action", "must be one of pause, resume, close")

    return _scheme_change(app, c.programme, c.scheme, act)


@handles(UpdateNarrative)
def update_narrative(app: WinterReads, c: UpdateNarrative) -> Change:
    def act(p: Programme, s: Scheme) -> None:
        s.update_narrative(c.actor, check_text("narrative", c.narrative), app.today())

    return _scheme_change(app, c.programme, c.scheme, act)
