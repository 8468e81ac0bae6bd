"""Programme and funding: opening, bed target, allocations, funds received, diversions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from capacity import figures
from capacity.app.core import Change, Command, Receipt, WinterCore
from capacity.errors import (
    AlreadyExists,
    Conflict,
    SchemeNotFound,
)
from capacity.programme import Programme
from capacity.reports import spend_id
from capacity.scheme import Scheme
from capacity.values import Actor
from schemes.months import YearMonth, months_in_period
from schemes.rules import (
    InputRefused,
    check_count,
    check_money,
    check_streams_compatible,
    check_text,
    parse_date,
)

# The name each programme command's fingerprint uses -> its row in the policy table.
POLICY_NAMES = {
    "bed_target": "revise_bed_target",
    "allocation": "revise_allocation",
    "funds": "record_funds_received",
    "forecast": "record_management_forecast",
}


def _reason(reason: str | None) -> str:
    why = check_text("reason", reason or "")
    if not why.strip():
        raise InputRefused("reason", "is required")
    return why


def _stream(funding_stream: str) -> str:
    if funding_stream not in ("capital", "revenue", "virtual_ward"):
        raise InputRefused("funding_stream", "must be capital, revenue or virtual_ward")
    return funding_stream


class ProgrammeCommands(WinterCore):
    def open_programme(
        self, actor: Actor, spec: Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> Receipt:
        def act() -> Change:
            code = str(spec["code"])
            if spec["period_end"] < spec["period_start"]:
                raise InputRefused("period_end", "must not be before period_start")
            check_text("icb_name", str(spec["icb_name"]), max_len=200)
            allocations = {
                stream: check_money(f"allocations.{stream}", amount)
                for stream, amount in dict(spec["allocations"]).items()
            }
            programme = Programme.open(actor, **{**dict(spec), "allocations": allocations})
            clash = AlreadyExists(f"programme {code} is already open", field="code")
            return Change([programme], clash, {"programme": code})

        command = Command(actor, "open_programme", None, None, "open_programme", spec)
        return self.run_command(command, act, idempotency_key)

    def _programme_command(
        self,
        actor: Actor,
        programme_code: str,
        command: str,
        request: Mapping[str, Any],
        act: Callable[[Programme], None],
        idempotency_key: str | None,
    ) -> Receipt:
        def run() -> Change:
            programme = self.get_programme(programme_code)
            act(programme)
            changed = Conflict(f"programme {programme_code} changed meanwhile; try again")
            return Change([programme], changed, {"programme": programme_code})

        request = {"programme": programme_code, **request}
        write = Command(actor, POLICY_NAMES[command], programme_code, None, command, request)
        return self.run_command(write, run, idempotency_key)

    def revise_bed_target(
        self,
        actor: Actor,
        programme_code: str,
        bed_target: Any,
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act(programme: Programme) -> None:
            target = check_count("bed_target", bed_target, 100_000)
            programme.revise_bed_target(actor, target, _reason(reason))

        request = {"bed_target": str(bed_target), "reason": reason}
        return self._programme_command(
            actor, programme_code, "bed_target", request, act, idempotency_key
        )

    def revise_allocation(
        self,
        actor: Actor,
        programme_code: str,
        funding_stream: str,
        amount_gbp: Any,
        reason: str,
        effective_on: Any = None,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        """A new amount for a funding stream from ``effective_on`` (default: the whole winter,
        from the programme's start)."""

        def act(programme: Programme) -> None:
            stream = _stream(funding_stream)
            amount = check_money("amount_gbp", amount_gbp)
            day = None
            if effective_on not in (None, ""):
                # Any day of the winter, a future one too: NHSE may confirm money from next month.
                day = figures.clean_day(
                    "effective_on", effective_on, programme, programme.period_end
                )
            programme.revise_allocation(actor, stream, amount, _reason(reason), day)

        request = {"stream": funding_stream, "amount": str(amount_gbp), "reason": reason}
        if effective_on not in (None, ""):
            request["effective_on"] = str(effective_on)
        return self._programme_command(
            actor, programme_code, "allocation", request, act, idempotency_key
        )

    def record_funds_received(
        self,
        actor: Actor,
        programme_code: str,
        funding_stream: str,
        amount_gbp: Any,
        received_on: Any,
        *,
        idempotency_key: str | None = None,
        confirm_repeat: bool = False,
    ) -> Receipt:
        """Records money received; one that repeats a stored receipt (same stream, amount
        and day) is held back unless ``confirm_repeat``."""

        def act(programme: Programme) -> None:
            stream = _stream(funding_stream)
            amount = check_money("amount_gbp", amount_gbp)
            day = parse_date("received_on", received_on)
            if day > self.today():
                raise InputRefused("received_on", f"{day.isoformat()} is in the future")
            programme.receive_funds(actor, stream, amount, day, confirm_repeat)

        request = {"stream": funding_stream, "amount": str(amount_gbp), "on": str(received_on)}
        if confirm_repeat:  # keys stored before this option keep their fingerprints
            request["repeat"] = "yes"
        return self._programme_command(
            actor, programme_code, "funds", request, act, idempotency_key
        )

    def record_management_forecast(
        self,
        actor: Actor,
        programme_code: str,
        funding_stream: str,
        month: str,
        amount_gbp: Any,
        note: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        """Finance's forecast outturn to March for a stream, for the month's return and later
        ones (docs/rules.md §16): it stands in place of the straight line, with its note."""

        def act(programme: Programme) -> None:
            stream = _stream(funding_stream)
            amount = check_money("amount_gbp", amount_gbp)
            ym = YearMonth.parse(month)
            if ym not in months_in_period(programme.period_start, programme.period_end):
                raise InputRefused("month", f"{ym} is outside the programme period")
            why = check_text("note", note or "")
            if not why.strip():
                raise InputRefused("note", "is required: say why it differs from the straight line")
            programme.record_management_forecast(actor, stream, str(ym), amount, why)

        request = {"stream": funding_stream, "month": month, "amount": str(amount_gbp)}
        return self._programme_command(
            actor, programme_code, "forecast", request, act, idempotency_key
        )

    def divert_funding(
        self,
        actor: Actor,
        programme_code: str,
        from_scheme: str,
        to_scheme: str,
        amount_gbp: Any,
        decision_ref: str,
        decided_on: Any,
        *,
        idempotency_key: str | None = None,
        confirm_repeat: bool = False,
    ) -> Receipt:
        """Moves money between two schemes: both changes saved atomically, or neither. One
        that repeats a stored diversion (same decision reference, or same schemes, amount
        and day) is held back unless ``confirm_repeat``."""
        request = {
            "programme": programme_code,
            "from_scheme": from_scheme,
            "to_scheme": to_scheme,
            "amount_gbp": str(amount_gbp),
            "decision_ref": decision_ref,
            "decided_on": str(decided_on),
        }
        if confirm_repeat:
            request["repeat"] = "yes"

        def act() -> Change:
            programme = self.get_programme(programme_code)
            amount = check_money("amount_gbp", amount_gbp)
            if amount <= 0:
                raise InputRefused("amount_gbp", "must be more than £0.00")
            if from_scheme == to_scheme:
                raise InputRefused("to_scheme", "must differ from from_scheme")
            source = self._scheme_for_field(programme_code, from_scheme, "from_scheme")
            target = self._scheme_for_field(programme_code, to_scheme, "to_scheme")
            day = self._day(programme, "decided_on", decided_on)
            ref = check_text("decision_ref", decision_ref, max_len=200)
            check_streams_compatible(source.funding_stream, target.funding_stream)
            spent = self.spend_recorded(programme, from_scheme)
            source.divert_out(actor, amount, to_scheme, ref, day, spent, confirm_repeat)
            target.divert_in(actor, amount, from_scheme, ref, day)
            changed = Conflict("one of the schemes changed meanwhile; try again")
            ids = {"from_scheme": from_scheme, "to_scheme": to_scheme}
            return Change([source, target], changed, ids)

        command = Command(actor, "divert_funding", programme_code, None, "divert", request)
        return self.run_command(command, act, idempotency_key)

    def spend_recorded(self, programme: Programme, scheme: str) -> Decimal:
        """The latest spend figure of every month recorded so far for the scheme."""
        total = Decimal("0")
        for month in months_in_period(programme.period_start, programme.period_end):
            record = spend_id(programme.code, scheme, str(month))
            if record in self.repository:
                spend: Any = self.repository.get(record)
                total += spend.amount_gbp
        return total

    def _scheme_for_field(self, programme: str, code: str, field_name: str) -> Scheme:
        """A scheme named in the body (not the path): unknown is invalid input (422)."""
        try:
            return self.get_scheme(programme, code)
        except SchemeNotFound:
            raise InputRefused(field_name, f"unknown scheme '{code}' in {programme}") from None
