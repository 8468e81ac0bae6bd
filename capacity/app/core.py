"""The core of the application service: the command skeleton, saving, idempotency,
authorisation, receipts.

Every command is data (``capacity/commands.py``) handed to :meth:`WinterCore.run_command`: it
is authorised against the policy table, a retry with the same idempotency key is answered with
its first receipt, then the command's handler (registered with :func:`handles`, one module per
context under ``capacity/app/``) loads its aggregates, checks the input and calls their
commands, and the change is saved (several aggregates in one atomic save where they must
change together) and answered with a ``Receipt`` holding the event-log position. Library
errors become domain errors here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    JSONTranscoder,
    Recording,
    Transcoder,
)
from eventsourcing.popo import POPOApplicationRecorder

from capacity import figures
from capacity.commands_base import Change, Command, Receipt
from capacity.errors import (
    Conflict,
    DomainError,
    IdempotencyKeyReused,
    NotFound,
    ProgrammeNotFound,
    ReportNotFound,
    SchemeNotFound,
    SiteNotFound,
)
from capacity.idempotency import KeyedPOPOApplicationRecorder, KeyRecord, KeyStore
from capacity.policy import ALWAYS, refusal
from capacity.programme import Programme, programme_id
from capacity.provenance import SchemeProvenance
from capacity.reports import DailyReport, daily_report_id
from capacity.scheme import Scheme, scheme_id
from capacity.sessions import Session, SignInAudit, SignInLink
from capacity.site import Site, site_id
from capacity.transcodings import FastJSONTranscoder, register_domain_transcodings
from capacity.users import (
    IdempotencyRecord,
    User,
    idempotency_id,
)
from capacity.values import Actor, natural_id
from schemes.rules import InputRefused, check_text

A = TypeVar("A", bound=Aggregate)
R = TypeVar("R")
# Aggregates written outside this class (see capacity/signin.py): imported here so their pinned
# topics are known wherever stored events are read.
SIGN_IN_AGGREGATES = (Session, SignInAudit, SignInLink, SchemeProvenance)


def correction_reason(reason: str | None) -> str:
    """The reason a correction must give."""
    why = check_text("reason", reason or "")
    if not why.strip():
        raise InputRefused("reason", "is required for a correction")
    return why


# A handler gets the application (``WinterReads``, capacity/app/reads.py) and its command.
Handler = Callable[[Any, Any], Change]
HANDLERS: dict[type[Command[Any]], Handler] = {}
H = TypeVar("H", bound=Handler)


def handles(kind: type[Command[Any]]) -> Callable[[H], H]:
    """Registers the function that acts for commands of ``kind`` (one per command)."""

    def register(handler: H) -> H:
        if kind in HANDLERS:
            raise TypeError(f"{kind.__name__} already has a handler")
        HANDLERS[kind] = handler
        return handler

    return register


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


class WinterCore(Application[UUID]):
    """What every command module builds on (see capacity/app/*.py)."""

    name = "Wintertrack"
    env = {"AGGREGATE_CACHE_MAXSIZE": "20000", "DEEPCOPY_FROM_AGGREGATE_CACHE": "y"}

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        today: Callable[[], date] = date.today,
        clock: Callable[[], datetime | None] = lambda: None,
    ):
        """``clock``: when a return submission happened (None: now); demos and tests set it."""
        super().__init__(env)
        self.today = today
        self.clock = clock
        # Keyed writes need a recorder that stores the key with the events (see
        # capacity/idempotency.py); the stores built by wintertrack/config.py all do.
        self.keeps_keys = isinstance(self.recorder, KeyStore)

    def construct_recorder(self) -> ApplicationRecorder:
        recorder = super().construct_recorder()
        if type(recorder) is POPOApplicationRecorder:
            return KeyedPOPOApplicationRecorder()
        return recorder

    def construct_transcoder(self) -> Transcoder:
        """The library's JSON transcoding, written by ``orjson`` (the same bytes, faster)."""
        transcoder = super().construct_transcoder()
        if type(transcoder) is JSONTranscoder:
            transcoder = FastJSONTranscoder()
            self.register_transcodings(transcoder)
        return transcoder

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

    def recorded(self, position: int) -> tuple[datetime | None, str | None]:
        """When the event at ``position`` was recorded, and by whom (for "already recorded
        at 10:42 by …" when a form is sent twice)."""
        found = self.recorder.select_notifications(start=position, limit=1)
        if not found or found[0].id != position:
            return None, None
        event = self.mapper.to_domain_event(found[0])
        actor = getattr(event, "actor", None)
        who = getattr(actor, "user_id", None)
        return getattr(event, "timestamp", None), str(who) if who else None

    # --- saving ---------------------------------------------------------------------------

    def run_command(self, command: Command[R], idempotency_key: str | None = None) -> R:
        """The one skeleton of every write: authorise, answer a retry with its first receipt,
        act (the command's handler loads, checks and changes), then commit the change with
        the key; answered as the command says (mostly its ``Receipt``)."""
        handler = HANDLERS.get(type(command))
        if handler is None:
            raise TypeError(f"no handler for {type(command).__name__}")
        programme = command.programme_code()
        for subject in command.subjects():
            self.authorise(command.actor, command.policy, programme, subject)
        for attempt in range(command.retries + 1):
            try:
                return self._run(command, handler, idempotency_key)
            except Conflict:
                if attempt == command.retries:
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _run(self, command: Command[R], handler: Handler, key: str | None) -> R:
        idempotency, replay = self._idempotent(command, key)
        if replay is not None:
            return command.answer(replay, None)
        change = handler(self, command)
        return command.answer(self._commit(command.actor, change, idempotency), change.outcome)

    def _commit(
        self, actor: Actor, change: Change, idempotency: tuple[str, str] | None = None
    ) -> Receipt:
        """Saves the change's events; with a key, the key is stored in the same transaction
        (beside the log, not in it) and a clash on it replays the first result."""
        if not change.aggregates and idempotency is None:
            return Receipt(position=self.max_position(), ids=change.ids)
        try:
            if idempotency is None:
                recordings = self.save(*change.aggregates)
            else:
                if not self.keeps_keys:
                    raise TypeError(f"{type(self.recorder).__name__} cannot keep idempotency keys")
                key, sha = idempotency
                record = KeyRecord(actor.user_id, key, sha, dict(change.ids))
                recordings = self.save(*change.aggregates, idempotency=record)
        except IntegrityError:
            if idempotency is not None:
                replay = self._replay(actor, *idempotency)
                if replay is not None:
                    return replay
            raise change.conflict from None
        ids_ = [r.notification.id for r in recordings]
        position = max(ids_) if ids_ else self.max_position()
        return Receipt(position=position, ids=change.ids)

    def _replay(self, actor: Actor, key: str, request_sha256: str) -> Receipt | None:
        keys = cast(KeyStore, self.recorder)
        found = keys.select_key(actor.user_id, key) if self.keeps_keys else None
        if found is None:
            found = self._legacy_key(actor, key)
        if found is None:
            return None
        if found.request_sha256 != request_sha256:
            raise IdempotencyKeyReused(
                f"Idempotency-Key '{key}' was already used for a different request",
                field="Idempotency-Key",
            )
        return Receipt(position=found.position, ids=dict(found.result), replayed=True)

    def _legacy_key(self, actor: Actor, key: str) -> KeyRecord | None:
        """A key used before keys moved out of the log: an ``IdempotencyRecord`` aggregate."""
        record_id = idempotency_id(actor.user_id, key)
        if not self._exists(record_id):
            return None
        record: Aggregate = self.repository.get(record_id)
        assert isinstance(record, IdempotencyRecord)
        position = record.position if record.position is not None else self.max_position()
        return KeyRecord(actor.user_id, key, record.request_sha256, record.result, position)

    def _idempotent(
        self, command: Command[Any], key: str | None
    ) -> tuple[tuple[str, str] | None, Receipt | None]:
        """Returns the (key, fingerprint) to save with the command, or the earlier result."""
        if key is None:
            return None, None
        if command.fingerprint is None:
            raise TypeError(f"{type(command).__name__} takes no idempotency key")
        if not key or len(key) > 200:
            raise InputRefused("Idempotency-Key", "must be 1 to 200 characters")
        sha256 = command.fingerprint.sha256(command)
        return (key, sha256), self._replay(command.actor, key, sha256)

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

    def _day(self, programme: Programme, field_name: str, raw: Any) -> date:
        return figures.clean_day(field_name, raw, programme, self.today())
