"""Signing off and submitting a monthly return: commands, though each reads figures the read
side computes. The read side hands over what it computed (``ReturnFigures``, provided by
``projections/submission.py``); the decisions — which revision, whether a standing sign-off
covers these figures, what is recorded — and the write itself happen here.

A return is prepared (computed at a log position), signed off by someone with the
``sign_off_return`` permission, who sees its figures and their SHA-256, then submitted: the
submission recomputes the figures and names the sign-off only when it signed exactly these
figures (a change since voids it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from capacity.app.core import Receipt
from capacity.application import WinterApplication
from capacity.values import Actor
from schemes.rules import InputRefused


@dataclass(frozen=True)
class ComputedReturn:
    """A return computed for submission, with what is recorded beside it."""

    known_at: int
    csv: str
    xlsx: bytes
    report_json: str
    changed: bool  # its figures differ from the latest revision's (or it is the first)
    log: tuple[str | None, int | None, str | None]  # the "as of" day, the log digest's position


class ReturnFigures(Protocol):
    """What the read side computes for a sign-off or a submission."""

    def catch_up(self) -> None: ...

    def head(self) -> int: ...

    def figures_sha256(
        self, programme: str, month: str, known_at: int | None = None, generated_at: str = ""
    ) -> tuple[int, str]:
        """The position the return is computed at and its figures' SHA-256."""
        ...

    def for_submission(
        self,
        programme: str,
        month: str,
        revision: int,
        submitted_by: str,
        at: str,
        reason: str,
        signed: tuple[str, str],
    ) -> ComputedReturn: ...

    def submitted(self, programme: str, month: str, revision: int) -> tuple[int, str]:
        """A recorded revision's position and its CSV's SHA-256."""
        ...


def sign_off(
    application: WinterApplication,
    figures: ReturnFigures,
    actor: Actor,
    programme: str,
    month: str,
    position: int | None = None,
    sha256: str | None = None,
    idempotency_key: str | None = None,
) -> tuple[Receipt, int, str]:
    """Signs off the figures computed at ``position`` whose SHA-256 the signer saw (default:
    the return as it stands now). Refused when the SHA-256 is not that of those figures; a
    repeat of the same rendered form (its one-time key) records nothing new."""
    application.authorise(actor, "sign_off_return", programme)
    figures.catch_up()
    head = figures.head()
    at = head if position is None else position
    if at > head:
        raise InputRefused("position", f"must be at most {head} (the views' position)")
    known_at, actual = figures.figures_sha256(programme, month, known_at=at)
    if sha256 is not None and sha256 != actual:
        raise InputRefused(
            "sha256",
            f"is not the SHA-256 of the figures at position {at} ({actual[:12]}…): "
            "reload the return and sign off what you see",
        )
    receipt = application.sign_off_return(
        actor, programme, month, known_at, actual, idempotency_key=idempotency_key
    )
    figures.catch_up()
    return receipt, known_at, actual


def submit(
    application: WinterApplication,
    figures: ReturnFigures,
    actor: Actor,
    programme: str,
    month: str,
    reason: str = "",
    idempotency_key: str | None = None,
    unchanged: bool = False,
) -> tuple[Receipt, int, int, str]:
    """Computes the return at the views' current position and records it as the next revision,
    its cover naming the revision, who submitted it and when, with the CSV and the workbook
    exactly as submitted, the "as of" day and the log's running digest.

    A restatement must change the figures unless ``unchanged`` (resubmit them as they are).
    Returns the receipt, the revision, the position it was computed at and the CSV's SHA-256."""
    figures.catch_up()
    moment = application.clock()  # None: now (demos and tests set the clock)
    at = (moment or datetime.now(UTC)).replace(microsecond=0).isoformat()
    revision = application.next_return_revision(programme, month)
    _, sha = figures.figures_sha256(programme, month, generated_at=at)
    standing = application.get_return(programme, month)
    signed = standing.signed_off if standing is not None else None
    who = (signed[2], signed[3]) if signed and signed[1] == sha else ("", "")
    found = figures.for_submission(programme, month, revision, actor.user_id, at, reason, who)
    receipt, revision = application.submit_return(
        actor,
        programme,
        month,
        found.known_at,
        found.csv,
        at,
        reason,
        xlsx=found.xlsx,
        revision=revision,
        idempotency_key=idempotency_key,
        log=found.log,
        report_json=found.report_json,
        changed=found.changed,
        unchanged=unchanged,
        figures_sha256=sha,
    )
    figures.catch_up()
    position, csv_sha = figures.submitted(programme, month, revision)
    return receipt, revision, position, csv_sha
