"""The application service: every write of the tracker, in plain values.

Each command gets its aggregates, calls their commands, saves (several aggregates in one atomic
save where they must change together) and returns a ``Receipt`` with the event-log position.
Library errors become domain errors here.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording

from capacity import figures
from capacity.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    DuplicateDailyReport,
    DuplicateFlowReport,
    DuplicateSpend,
    IdempotencyKeyReused,
    NotFound,
    ProgrammeNotFound,
    ReportNotFound,
    SchemeNotFound,
    SiteNotFound,
    Unauthenticated,
)
from capacity.policy import ALWAYS, refusal
from capacity.programme import Programme, programme_id
from capacity.reports import DailyReport, MonthlySpend, daily_report_id, spend_id
from capacity.returns import MonthlyReturn, return_id
from capacity.scheme import Scheme, scheme_id
from capacity.sessions import Session, SignInAudit
from capacity.site import Site, SiteDay, site_day_id, site_id
from capacity.transcodings import register_domain_transcodings
from capacity.users import (
    AccessToken,
    EmailIndex,
    IdempotencyRecord,
    User,
    email_index_id,
    idempotency_id,
    token_id,
)
from capacity.values import Actor, natural_id
from schemes.months import YearMonth
from schemes.rules import (
    InputRefused,
    check_count,
    check_email,
    check_money,
    check_month_in_period,
    check_text,
    parse_date,
)

A = TypeVar("A", bound=Aggregate)
# Aggregates written outside this class (see capacity/signin.py): imported here so their pinned
# topics are known wherever stored events are read.
SIGN_IN_AGGREGATES = (Session, SignInAudit)
# The name each command's idempotency fingerprint uses -> its row in the policy table.
POLICY_NAMES = {
    "bed_target": "revise_bed_target",
    "allocation": "revise_allocation",
    "funds": "record_funds_received",
    "approve": "approve_scheme",
    "kpi_target": "set_kpi_target",
    "planned_start": "change_planned_start",
    "mobilise": "mobilise_scheme",
    "beds": "change_beds",
    "status": "change_status",
    "narrative": "update_narrative",
}


@dataclass(frozen=True)
class Receipt:
    """What a write returns: the event-log position reached, and what it created or changed."""

    position: int
    ids: dict[str, str] = field(default_factory=dict)
    replayed: bool = False


def _reason(reason: str | None) -> str:
    why = check_text("reason", reason or "")
    if not why.strip():
        raise InputRefused("reason", "is required")
    return why


def _stream(funding_stream: str) -> str:
    if funding_stream not in ("capital", "revenue", "virtual_ward"):
        raise InputRefused("funding_stream", "must be capital, revenue or virtual_ward")
    return funding_stream


class _Collected(ProcessingEvent[UUID]):
    """Collects pending events from our aggregates by their concrete base class. The library
    tests each object against two runtime-checkable Protocols, which on Python 3.11 took a
    quarter of the time of saving a batch of daily reports."""

    def collect_events(
        self,
        *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None,
        **kwargs: Any,
    ) -> None:
        for obj in objs:
            if isinstance(obj, Aggregate):
                self.events.extend(obj.collect_events())
                self.aggregates[obj.id] = obj
            elif obj is not None:
                super().collect_events(obj)
        self.saved_kwargs.update(kwargs)


class WinterApplication(Application[UUID]):
    name = "Wintertrack"
    env = {"AGGREGATE_CACHE_MAXSIZE": "20000", "DEEPCOPY_FROM_AGGREGATE_CACHE": "y"}

    def __init__(
        self, env: Mapping[str, str] | None = None, today: Callable[[], date] = date.today
    ):
        super().__init__(env)
        self.today = today

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    def save(
        self,
        *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None,
        **kwargs: Any,
    ) -> list[Recording[UUID]]:
        """The library's save, collecting with :class:`_Collected`."""
        processing_event = _Collected()
        processing_event.collect_events(*objs, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    # --- reading aggregates ---------------------------------------------------------------

    def _get(self, cls: type[A], aggregate_id: UUID, missing: DomainError) -> A:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise missing from None
        assert isinstance(aggregate, cls)
        return aggregate

    def _exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def get_programme(self, code: str) -> Programme:
        return self._get(
            Programme,
            programme_id(code),
            ProgrammeNotFound(f"unknown programme '{code}'", field="programme"),
        )

    def get_scheme(self, programme: str, code: str) -> Scheme:
        return self._get(
            Scheme,
            scheme_id(programme, code),
            SchemeNotFound(f"unknown scheme '{code}' in {programme}", field="scheme_code"),
        )

    def get_site(self, programme: str, ods_code: str) -> Site:
        return self._get(
            Site,
            site_id(programme, ods_code),
            SiteNotFound(f"unknown site '{ods_code}' in {programme}", field="ods_code"),
        )

    def get_daily_report(self, programme: str, scheme: str, day: date) -> DailyReport:
        return self._get(
            DailyReport,
            daily_report_id(programme, scheme, day),
            ReportNotFound(f"no report for {scheme} on {day.isoformat()}", field="date"),
        )

    def get_user(self, name: str) -> User:
        return self._get(
            User, natural_id("user", name), NotFound(f"unknown user '{name}'", field="name")
        )

    def scheme_codes(self, programme: str) -> list[str]:
        return list(self.get_programme(programme).scheme_codes)

    def max_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    # --- saving ---------------------------------------------------------------------------

    def _commit(
        self,
        actor: Actor,
        aggregates: list[Aggregate],
        conflict: Conflict,
        idempotency: tuple[str, str] | None = None,
        ids: dict[str, str] | None = None,
    ) -> Receipt:
        record = None
        if idempotency is not None:
            record = IdempotencyRecord.use(actor, idempotency[0], idempotency[1], ids or {})
        try:
            recordings = self.save(*aggregates, record)
        except IntegrityError:
            if record is not None:
                replay = self._replay(actor, *idempotency)  # type: ignore[misc]
                if replay is not None:
                    return replay
            raise conflict from None
        position = max(r.notification.id for r in recordings)
        if record is not None:
            record.note_position(actor, position)
            self.save(record)
        return Receipt(position=position, ids=ids or {})

    def _replay(self, actor: Actor, key: str, request_sha256: str) -> Receipt | None:
        record_id = idempotency_id(actor.user_id, key)
        if not self._exists(record_id):
            return None
        record: Aggregate = self.repository.get(record_id)
        assert isinstance(record, IdempotencyRecord)
        if record.request_sha256 != request_sha256:
            raise IdempotencyKeyReused(
                f"Idempotency-Key '{key}' was already used for a different request",
                field="Idempotency-Key",
            )
        position = record.position if record.position is not None else self.max_position()
        return Receipt(position=position, ids=dict(record.result), replayed=True)

    def _idempotent(
        self, actor: Actor, key: str | None, command: str, request: Mapping[str, Any]
    ) -> tuple[tuple[str, str] | None, Receipt | None]:
        """Returns the (key, fingerprint) to save with the command, or the earlier result."""
        if key is None:
            return None, None
        if not key or len(key) > 200:
            raise InputRefused("Idempotency-Key", "must be 1 to 200 characters")
        body = json.dumps({"command": command, **request}, sort_keys=True, default=str)
        fingerprint = hashlib.sha256(body.encode()).hexdigest()
        return (key, fingerprint), self._replay(actor, key, fingerprint)

    def authorise(
        self,
        actor: Actor,
        command: str,
        programme: str | None = None,
        subject: str | None = None,
    ) -> None:
        """Refuses the command unless the policy table allows it to this actor (see
        ``capacity/policy.py``). The stored user's role and bindings decide, not the actor's
        claim; the system's own processes and administrators may do everything."""
        user = None
        role = actor.role
        if role not in ALWAYS:
            record_id = natural_id("user", actor.user_id)
            if record_id in self.repository:
                found: Aggregate = self.repository.get(record_id)
                assert isinstance(found, User)
                user, role = found, found.role
        refused = refusal(role, user, command, programme, subject)
        if refused is not None:
            raise refused

    # --- programme and catalogue ----------------------------------------------------------

    def open_programme(
        self, actor: Actor, spec: Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> Receipt:
        self.authorise(actor, "open_programme")
        key, replay = self._idempotent(actor, idempotency_key, "open_programme", spec)
        if replay:
            return replay
        code = str(spec["code"])
        if spec["period_end"] < spec["period_start"]:
            raise InputRefused("period_end", "must not be before period_start")
        check_text("icb_name", str(spec["icb_name"]), max_len=200)
        allocations = {
            stream: check_money(f"allocations.{stream}", amount)
            for stream, amount in dict(spec["allocations"]).items()
        }
        programme = Programme.open(actor, **{**dict(spec), "allocations": allocations})
        return self._commit(
            actor,
            [programme],
            AlreadyExists(f"programme {code} is already open", field="code"),
            key,
            {"programme": code},
        )

    def _programme_command(
        self,
        actor: Actor,
        programme_code: str,
        command: str,
        request: Mapping[str, Any],
        act: Callable[[Programme], None],
        idempotency_key: str | None,
    ) -> Receipt:
        self.authorise(actor, POLICY_NAMES[command], programme_code)
        key, replay = self._idempotent(
            actor, idempotency_key, command, {"programme": programme_code, **request}
        )
        if replay:
            return replay
        programme = self.get_programme(programme_code)
        act(programme)
        return self._commit(
            actor,
            [programme],
            Conflict(f"programme {programme_code} changed meanwhile; try again"),
            key,
            {"programme": programme_code},
        )

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
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act(programme: Programme) -> None:
            stream = _stream(funding_stream)
            amount = check_money("amount_gbp", amount_gbp)
            programme.revise_allocation(actor, stream, amount, _reason(reason))

        request = {"stream": funding_stream, "amount": str(amount_gbp), "reason": reason}
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
    ) -> Receipt:
        def act(programme: Programme) -> None:
            stream = _stream(funding_stream)
            amount = check_money("amount_gbp", amount_gbp)
            day = parse_date("received_on", received_on)
            if day > self.today():
                raise InputRefused("received_on", f"{day.isoformat()} is in the future")
            programme.receive_funds(actor, stream, amount, day)

        request = {"stream": funding_stream, "amount": str(amount_gbp), "on": str(received_on)}
        return self._programme_command(
            actor, programme_code, "funds", request, act, idempotency_key
        )

    def register_scheme(
        self,
        actor: Actor,
        programme_code: str,
        spec: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        self.authorise(actor, "register_scheme", programme_code)
        key, replay = self._idempotent(
            actor, idempotency_key, "register_scheme", {"programme": programme_code, **spec}
        )
        if replay:
            return replay
        programme = self.get_programme(programme_code)
        scheme = self._new_scheme(actor, programme, spec)
        programme.add_scheme(actor, scheme.code)
        return self._commit(
            actor,
            [programme, scheme],
            AlreadyExists(f"scheme {scheme.code} is already registered", field="code"),
            key,
            {"scheme": scheme.code},
        )

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
        self.authorise(actor, "load_catalogue", code)
        aggregates: list[Aggregate] = []
        if self._exists(programme_id(code)):
            programme = self.get_programme(code)
        elif spec is not None:
            fields = spec.model_dump()
            fields["code"] = code
            programme = Programme.open(actor, **fields)
            aggregates.append(programme)
        else:
            raise ProgrammeNotFound(f"unknown programme '{code}'", field="programme")
        added = present = 0
        for entry in catalogue.schemes:
            if entry.code in programme.scheme_codes:
                present += 1
                continue
            fields = entry.model_dump(exclude={"notes", "source_lines"})
            fields["kpis"] = [k.model_dump() for k in entry.kpis]
            aggregates.append(self._new_scheme(actor, programme, fields))
            programme.add_scheme(actor, entry.code)
            added += 1
        if programme not in aggregates and added:
            aggregates.append(programme)
        if not aggregates:
            return Receipt(self.max_position(), {"programme": code}), 0, present
        receipt = self._commit(
            actor, aggregates, Conflict(f"catalogue for {code} changed meanwhile; load again")
        )
        return Receipt(receipt.position, {"programme": code}), added, present

    # --- scheme lifecycle -----------------------------------------------------------------

    def _scheme_command(
        self,
        actor: Actor,
        programme_code: str,
        scheme_code: str,
        command: str,
        request: Mapping[str, Any],
        act: Callable[[Programme, Scheme], None],
        idempotency_key: str | None,
        conflict: Conflict | None = None,
    ) -> Receipt:
        self.authorise(actor, POLICY_NAMES[command], programme_code, scheme_code)
        key, replay = self._idempotent(
            actor,
            idempotency_key,
            command,
            {"programme": programme_code, "scheme": scheme_code, **request},
        )
        if replay:
            return replay
        programme = self.get_programme(programme_code)
        scheme = self.get_scheme(programme_code, scheme_code)
        act(programme, scheme)
        return self._commit(
            actor,
            [scheme],
            conflict or Conflict(f"scheme {scheme_code} changed meanwhile; try again"),
            key,
            {"scheme": scheme_code},
        )

    def _day(self, programme: Programme, field_name: str, raw: Any) -> date:
        return figures.clean_day(field_name, raw, programme, self.today())

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
    ) -> Receipt:
        """Moves money between two schemes: both changes saved atomically, or neither."""
        request = {
            "programme": programme_code,
            "from_scheme": from_scheme,
            "to_scheme": to_scheme,
            "amount_gbp": str(amount_gbp),
            "decision_ref": decision_ref,
            "decided_on": str(decided_on),
        }
        self.authorise(actor, "divert_funding", programme_code)
        key, replay = self._idempotent(actor, idempotency_key, "divert", request)
        if replay:
            return replay
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
        source.divert_out(actor, amount, to_scheme, ref, day)
        target.divert_in(actor, amount, from_scheme, ref, day)
        return self._commit(
            actor,
            [source, target],
            Conflict("one of the schemes changed meanwhile; try again"),
            key,
            {"from_scheme": from_scheme, "to_scheme": to_scheme},
        )

    def _scheme_for_field(self, programme: str, code: str, field_name: str) -> Scheme:
        """A scheme named in the body (not the path): unknown is invalid input (422)."""
        try:
            return self.get_scheme(programme, code)
        except SchemeNotFound:
            raise InputRefused(field_name, f"unknown scheme '{code}' in {programme}") from None

    # --- daily figures and spend ----------------------------------------------------------

    def prepare_daily(
        self, actor: Actor, programme_code: str, scheme_code: str, raw: Mapping[str, Any]
    ) -> tuple[date, dict[str, Any]]:
        """Validates a daily report exactly as every channel must; returns its day and figures."""
        programme = self.get_programme(programme_code)
        scheme = self.get_scheme(programme_code, scheme_code)
        day = self._day(programme, "date", raw.get("date"))
        return day, figures.clean_daily_figures(raw, scheme)

    def daily_validator(
        self, actor: Actor, programme_code: str
    ) -> Callable[[str, Mapping[str, Any]], tuple[date, dict[str, Any]]]:
        """Validates many reports for one programme, loading each aggregate once (bulk paths)."""
        programme = self.get_programme(programme_code)
        schemes: dict[str, Scheme] = {}

        def validate(scheme_code: str, raw: Mapping[str, Any]) -> tuple[date, dict[str, Any]]:
            scheme = schemes.get(scheme_code)
            if scheme is None:
                self.authorise(actor, "import_daily", programme_code, scheme_code)
                scheme = self.get_scheme(programme_code, scheme_code)
                schemes[scheme_code] = scheme
            day = self._day(programme, "date", raw.get("date"))
            return day, figures.clean_daily_figures(raw, scheme)

        return validate

    def report_daily(
        self,
        actor: Actor,
        programme: str,
        scheme: str,
        raw: Mapping[str, Any],
        *,
        source_ref: str | None = None,
        idempotency_key: str | None = None,
    ) -> Receipt:
        self.authorise(actor, "report_daily", programme, scheme)
        key, replay = self._idempotent(
            actor, idempotency_key, "daily", {"p": programme, "s": scheme, **raw}
        )
        if replay:
            return replay
        day, cleaned = self.prepare_daily(actor, programme, scheme, raw)
        report = DailyReport.report(actor, programme, scheme, day, source_ref=source_ref, **cleaned)
        return self._commit(
            actor,
            [report],
            DuplicateDailyReport(
                f"{scheme} already reported figures for {day.isoformat()}; "
                "send a correction (PUT) with a reason instead",
                field="date",
            ),
            key,
            {"scheme": scheme, "date": day.isoformat()},
        )

    def report_daily_batch(
        self, actor: Actor, programme: str, reports: list[tuple[date, str, dict[str, Any], str]]
    ) -> int:
        """Stores many validated reports (day, scheme, figures, source ref) in one atomic save."""
        for scheme in sorted({scheme for _, scheme, _, _ in reports}):
            self.authorise(actor, "import_daily", programme, scheme)
        aggregates: list[Aggregate] = [
            DailyReport.report(actor, programme, scheme, day, source_ref=ref, **cleaned)
            for day, scheme, cleaned, ref in reports
        ]
        receipt = self._commit(
            actor, aggregates, DuplicateDailyReport("a report in this batch already exists")
        )
        return receipt.position

    def correct_daily(
        self,
        actor: Actor,
        programme: str,
        scheme: str,
        raw: Mapping[str, Any],
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        key, replay = self._idempotent(
            actor,
            idempotency_key,
            "daily_correct",
            {"p": programme, "s": scheme, "why": reason, **raw},
        )
        self.authorise(actor, "correct_daily", programme, scheme)
        if replay:
            return replay
        why = check_text("reason", reason or "")
        if not why.strip():
            raise InputRefused("reason", "is required for a correction")
        day, cleaned = self.prepare_daily(actor, programme, scheme, raw)
        report = self.get_daily_report(programme, scheme, day)
        report.correct(actor, why, **cleaned)
        return self._commit(
            actor,
            [report],
            Conflict(f"the report for {day.isoformat()} changed meanwhile; reload and try again"),
            key,
            {"scheme": scheme, "date": day.isoformat()},
        )

    def _clean_spend(
        self, programme: Programme, month: Any, amount: Any, basis: Any
    ) -> tuple[str, Decimal, str]:
        ym = month if isinstance(month, YearMonth) else YearMonth.parse(str(month))
        check_month_in_period("month", ym, programme.period_start, programme.period_end)
        if basis not in ("actual", "accrual"):
            raise InputRefused("basis", "must be actual or accrual")
        return str(ym), check_money("amount_gbp", amount), str(basis)

    def record_spend(
        self,
        actor: Actor,
        programme_code: str,
        scheme_code: str,
        month: Any,
        amount_gbp: Any,
        basis: Any,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        request = {"p": programme_code, "s": scheme_code, "m": str(month), "a": str(amount_gbp)}
        self.authorise(actor, "record_spend", programme_code, scheme_code)
        key, replay = self._idempotent(actor, idempotency_key, "spend", {**request, "b": basis})
        if replay:
            return replay
        programme = self.get_programme(programme_code)
        self.get_scheme(programme_code, scheme_code)
        ym, amount, kind = self._clean_spend(programme, month, amount_gbp, basis)
        spend = MonthlySpend.record(actor, programme_code, scheme_code, ym, amount, kind)
        return self._commit(
            actor,
            [spend],
            DuplicateSpend(
                f"spend for {scheme_code} in {ym} is already recorded; correct it with a reason",
                field="month",
            ),
            key,
            {"scheme": scheme_code, "month": ym},
        )

    def correct_spend(
        self,
        actor: Actor,
        programme_code: str,
        scheme_code: str,
        month: Any,
        amount_gbp: Any,
        basis: Any,
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        request = {"p": programme_code, "s": scheme_code, "m": str(month), "a": str(amount_gbp)}
        self.authorise(actor, "correct_spend", programme_code, scheme_code)
        key, replay = self._idempotent(
            actor, idempotency_key, "spend_correct", {**request, "b": basis, "r": reason}
        )
        if replay:
            return replay
        programme = self.get_programme(programme_code)
        self.get_scheme(programme_code, scheme_code)
        ym, amount, kind = self._clean_spend(programme, month, amount_gbp, basis)
        why = check_text("reason", reason or "")
        if not why.strip():
            raise InputRefused("reason", "is required for a correction")
        spend = self._get(
            MonthlySpend,
            spend_id(programme_code, scheme_code, ym),
            ReportNotFound(f"no spend recorded for {scheme_code} in {ym}", field="month"),
        )
        spend.correct(actor, amount, kind, why)
        return self._commit(
            actor,
            [spend],
            Conflict(f"spend for {ym} changed meanwhile; reload and try again"),
            key,
            {"scheme": scheme_code, "month": ym},
        )

    # --- sites and flow -------------------------------------------------------------------

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

    # --- users and tokens -----------------------------------------------------------------

    def add_user(
        self,
        actor: Actor,
        name: str,
        role: str,
        programme: str | None = None,
        schemes: list[str] | None = None,
        email: str | None = None,
    ) -> tuple[Receipt, str]:
        """Adds a user and issues a first token; the token is returned once and never stored.
        An email lets the person sign in with their organisation's account (OIDC)."""
        self.authorise(actor, "add_user")
        if role not in ("admin", "board", "finance", "lead"):
            raise InputRefused("role", "must be one of admin, board, finance, lead")
        name = check_text("name", name.strip(), max_len=100)
        if not name:
            raise InputRefused("name", "is required")
        codes = list(schemes or [])
        if role == "lead" and not codes:
            raise InputRefused("scheme", "a lead must be bound to at least one scheme")
        if codes and programme is None:
            raise InputRefused("programme", "is required when binding schemes")
        if programme is not None:
            found = self.get_programme(programme)
            known = set(found.scheme_codes) | set(found.site_codes)
            for code in codes:
                if code not in known:
                    raise InputRefused("scheme", f"unknown scheme or site '{code}' in {programme}")
        user = User.add(actor, name, role, programme, codes)
        token = "wt_" + secrets.token_urlsafe(32)
        grant = AccessToken.issue(actor, name, token)
        aggregates: list[Aggregate] = [user, grant]
        if email:
            address = check_email(email)
            if email_index_id(address) in self.repository:
                raise AlreadyExists(f"another user has the email {address}", field="email")
            user.set_email(actor, address)
            aggregates.append(EmailIndex.claim(actor, address, name))
        receipt = self._commit(
            actor, aggregates, AlreadyExists(f"user {name} already exists", field="name")
        )
        return receipt, token

    def user_by_email(self, email: str) -> User | None:
        record = email_index_id(email)
        if record not in self.repository:
            return None
        index: Aggregate = self.repository.get(record)
        assert isinstance(index, EmailIndex)
        return self.get_user(index.user)

    def issue_token(self, actor: Actor, name: str) -> tuple[Receipt, str]:
        self.authorise(actor, "issue_token")
        self.get_user(name)
        token = "wt_" + secrets.token_urlsafe(32)
        receipt = self._commit(
            actor, [AccessToken.issue(actor, name, token)], Conflict("token clash; try again")
        )
        return receipt, token

    def revoke_token(self, actor: Actor, token: str, reason: str) -> Receipt:
        self.authorise(actor, "revoke_token")
        grant = self._get(AccessToken, token_id(token), NotFound("no such token", field="token"))
        grant.revoke(actor, reason)
        return self._commit(actor, [grant], Conflict("token changed meanwhile"))

    def authenticate(self, token: str) -> User:
        if not token or len(token) > 200:
            raise Unauthenticated("missing or malformed bearer token")
        try:
            grant: Aggregate = self.repository.get(token_id(token))
        except AggregateNotFoundError:
            raise Unauthenticated("unknown bearer token") from None
        assert isinstance(grant, AccessToken)
        if grant.revoked:
            raise Unauthenticated("this token has been revoked")
        return self.get_user(grant.user)

    # --- monthly returns ------------------------------------------------------------------

    def get_return(self, programme: str, month: str) -> MonthlyReturn | None:
        record_id = return_id(programme, month)
        if not self._exists(record_id):
            return None
        found: Aggregate = self.repository.get(record_id)
        assert isinstance(found, MonthlyReturn)
        return found

    def submit_return(
        self,
        actor: Actor,
        programme: str,
        month: str,
        position: int,
        csv_text: str,
        generated_at: str,
        reason: str = "",
        *,
        idempotency_key: str | None = None,
    ) -> tuple[Receipt, int]:
        """Records a submission (a restatement when not the first) of the month's return."""
        # The request is "submit this month": a retry recomputes at a later position, so the
        # fingerprint is the request, not the computed return.
        self.authorise(actor, "submit_return", programme)
        request = {"p": programme, "m": month, "reason": reason}
        key, replay = self._idempotent(actor, idempotency_key, "submit", request)
        if replay:
            return replay, int(replay.ids.get("revision", 0))
        self.get_programme(programme)
        monthly = self.get_return(programme, month) or MonthlyReturn.start(actor, programme, month)
        revision = monthly.submit(actor, position, csv_text, generated_at, reason)
        receipt = self._commit(
            actor,
            [monthly],
            Conflict(f"the {month} return was submitted meanwhile; reload and try again"),
            key,
            {"month": month, "revision": str(revision)},
        )
        return receipt, revision

    def sign_off_return(
        self, actor: Actor, programme: str, month: str, position: int, sha256: str
    ) -> Receipt:
        self.authorise(actor, "sign_off_return", programme)
        self.get_programme(programme)
        monthly = self.get_return(programme, month) or MonthlyReturn.start(actor, programme, month)
        monthly.sign_off(actor, position, sha256)
        return self._commit(actor, [monthly], Conflict("the return changed meanwhile"))
