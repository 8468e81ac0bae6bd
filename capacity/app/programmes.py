"""Programme and funding: opening, bed target, allocations, funds received, forecasts,
diversions."""

from __future__ import annotations

from collections.abc import Callable

from capacity import figures
from capacity.app.core import handles
from capacity.app.reads import WinterReads
from capacity.commands_base import Change
from capacity.commands_programme import (
    DivertFunding,
    OpenProgramme,
    ReceiveFunds,
    RecordManagementForecast,
    ReviseAllocation,
    ReviseBedTarget,
)
from capacity.errors import (
    AlreadyExists,
    Conflict,
    SchemeNotFound,
)
from capacity.programme import Programme
from capacity.scheme import Scheme
from schemes.months import YearMonth, months_in_period
from schemes.rules import (
    InputRefused,
    check_count,
    check_money,
    check_streams_compatible,
    check_text,
    parse_date,
)


def _reason(reason: str | None) -> str:
    why = check_text("reason", reason or "")
    if not why.strip():
        raise InputRefused("reason", "is required")
    return why


def _stream(funding_stream: str) -> str:
    if funding_stream not in ("capital", "revenue", "virtual_ward"):
        raise InputRefused("funding_stream", "must be capital, revenue or virtual_ward")
    return funding_stream


@handles(OpenProgramme)
def open_programme(app: WinterReads, c: OpenProgramme) -> Change:
    spec = c.spec
    code = str(spec["code"])
    if spec["period_end"] < spec["period_start"]:
        raise InputRefused("period_end", "must not be before period_start")
    check_text("icb_name", str(spec["icb_name"]), max_len=200)
    allocations = {
        stream: check_money(f"allocations.{stream}", amount)
        for stream, amount in dict(spec["allocations"]).items()
    }
    programme = Programme.open(c.actor, **{**dict(spec), "allocations": allocations})
    clash = AlreadyExists(f"programme {code} is already open", field="code")
    return Change([programme], clash, {"programme": code})


def _programme_change(
    app: WinterReads, programme_code: str, act: Callable[[Programme], None]
) -> Change:
    programme = app.get_programme(programme_code)
    act(programme)
    changed = Conflict(f"programme {programme_code} changed meanwhile; try again")
    return Change([programme], changed, {"programme": programme_code})


@handles(ReviseBedTarget)
def revise_bed_target(app: WinterReads, c: ReviseBedTarget) -> Change:
    def act(programme: Programme) -> None:
        target = check_count("bed_target", c.bed_target, 100_000)
        programme.revise_bed_target(c.actor, target, _reason(c.reason))

    return _programme_change(app, c.programme, act)


@handles(ReviseAllocation)
def revise_allocation(app: WinterReads, c: ReviseAllocation) -> Change:
    def act(programme: Programme) -> None:
        stream = _stream(c.funding_stream)
        amount = check_money("amount_gbp", c.amount_gbp)
        day = None
        if c.effective_on not in (None, ""):
            # Any day of the winter, a future one too: NHSE may confirm money from next month.
            day = figures.clean_day("effective_on", c.effective_on, programme, programme.period_end)
        programme.revise_allocation(c.actor, stream, amount, _reason(c.reason), day)

    return _programme_change(app, c.programme, act)


@handles(ReceiveFunds)
def receive_funds(app: WinterReads, c: ReceiveFunds) -> Change:
    def act(programme: Programme) -> None:
        stream = _stream(c.funding_stream)
        amount = check_money("amount_gbp", c.amount_gbp)
        day = parse_date("received_on", c.received_on)
        if day > app.today():
            raise InputRefused("received_on", f"{day.isoformat()} is in the future")
        programme.receive_funds(c.actor, stream, amount, day, c.confirm_repeat)

    return _programme_change(app, c.programme, act)


@handles(RecordManagementForecast)
def record_management_forecast(app: WinterReads, c: RecordManagementForecast) -> Change:
    def act(programme: Programme) -> None:
        stream = _stream(c.funding_stream)
        amount = check_money("amount_gbp", c.amount_gbp)
        ym = YearMonth.parse(c.month)
        if ym not in months_in_period(programme.period_start, programme.period_end):
            raise InputRefused("month", f"{ym} is outside the programme period")
        why = check_text("note", c.note or "")
        if not why.strip():
            raise InputRefused("note", "is required: say why it differs from the straight line")
        programme.record_management_forecast(c.actor, stream, str(ym), amount, why)

    return _programme_change(app, c.programme, act)


@handles(DivertFunding)
def divert_funding(app: WinterReads, c: DivertFunding) -> Change:
    programme = app.get_programme(c.programme)
    amount = check_money("amount_gbp", c.amount_gbp)
    if amount <= 0:
        raise InputRefused("amount_gbp", "must be more than £0.00")
    if c.from_scheme == c.to_scheme:
        raise InputRefused("to_scheme", "must differ from from_scheme")
    source = _scheme_for_field(app, c.programme, c.from_scheme, "from_scheme")
    target = _scheme_for_field(app, c.programme, c.to_scheme, "to_scheme")
    day = app._day(programme, "decided_on", c.decided_on)
    ref = check_text("decision_ref", c.decision_ref, max_len=200)
    check_streams_compatible(source.funding_stream, target.funding_stream)
    spent = app.spend_recorded(programme, c.from_scheme)
    source.divert_out(c.actor, amount, c.to_scheme, ref, day, spent, c.confirm_repeat)
    target.divert_in(c.actor, amount, c.from_scheme, ref, day)
    changed = Conflict("one of the schemes changed meanwhile; try again")
    ids = {"from_scheme": c.from_scheme, "to_scheme": c.to_scheme}
    return Change([source, target], changed, ids)


def _scheme_for_field(app: WinterReads, programme: str, code: str, field_name: str) -> Scheme:
    """A scheme named in the body (not the path): unknown is invalid input (422)."""
    try:
        return app.get_scheme(programme, code)
    except SchemeNotFound:
        raise InputRefused(field_name, f"unknown scheme '{code}' in {programme}") from None
