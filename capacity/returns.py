"""The monthly NHSE return: sign-off, submission and restatement, one aggregate per month.

A submission records the event-log position the return was computed at, the CSV exactly as
submitted and its SHA-256, so the revision can be served again byte for byte later; since
version 2 also the "as of" day it was computed for and the running digest of the log at a
position (``projections/digest.py``), so a replay can check both the log and the return.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from capacity.errors import Conflict, SignOffRequired
from capacity.values import Actor, natural_id


def return_id(programme: str, month: str) -> UUID:
    return natural_id("return", programme, month)


class MonthlyReturn(Aggregate):
    TOPIC = "wintertrack:MonthlyReturn"

    class Event(Aggregate.Event):
        actor: Actor

    class Started(Event, Aggregate.Created):
        TOPIC = "wintertrack:MonthlyReturn.Started"
        programme: str
        month: str

    Created = Started

    class ReturnSignedOff(Event):
        TOPIC = "wintertrack:MonthlyReturn.ReturnSignedOff"
        programme: str
        month: str
        revision: int
        position: int
        sha256: str

        def apply(self, aggregate: Any) -> None:
            aggregate.signed_off = (
                self.position,
                self.sha256,
                self.actor.user_id,
                self.timestamp.isoformat(),
            )

    class ReturnSubmitted(Event):
        """class_version 2 keeps the return's JSON and its workbook as submitted (base64) with
        the workbook's SHA-256, the reason for a restatement, the "as of" day it was computed
        for, and the log's position and digest (docs/archive-format.md); version 1 kept the
        CSV only. Version 3 adds the SHA-256 of the figures and who signed them off, when
        (blank for submissions made before sign-off was required)."""

        TOPIC = "wintertrack:MonthlyReturn.ReturnSubmitted"
        class_version = 3
        programme: str
        month: str
        revision: int
        position: int
        sha256: str
        generated_at: str
        csv: str
        xlsx: str
        xlsx_sha256: str
        reason: str
        report: str  # the return as JSON text, as submitted (sent on to the region)
        as_of: str | None
        log_position: int | None
        log_digest: str | None
        figures_sha256: str
        signed_off_by: str
        signed_off_at: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.setdefault("xlsx", "")
            state.setdefault("xlsx_sha256", "")
            state.setdefault("reason", "")
            state.setdefault("report", "")
            for name in ("as_of", "log_position", "log_digest"):
                state.setdefault(name, None)

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            for name in ("figures_sha256", "signed_off_by", "signed_off_at"):
                state.setdefault(name, "")

        def apply(self, aggregate: Any) -> None:
            aggregate.submissions.append(
                {
                    "revision": self.revision,
                    "position": self.position,
                    "sha256": self.sha256,
                    "generated_at": self.generated_at,
                    "csv": self.csv,
                    "xlsx_sha256": self.xlsx_sha256,
                    "submitted_by": self.actor.user_id,
                    "submitted_at": self.timestamp.isoformat(),
                    "as_of": self.as_of,
                    "log_position": self.log_position,
                    "log_digest": self.log_digest,
                    "figures_sha256": self.figures_sha256,
                    "signed_off_by": self.signed_off_by,
                    "signed_off_at": self.signed_off_at,
                }
            )
            aggregate.signed_off = None

    class ReturnRestated(Event):
        TOPIC = "wintertrack:MonthlyReturn.ReturnRestated"
        programme: str
        month: str
        revision: int
        reason: str

    def __init__(self, programme: str, month: str) -> None:
        self.programme = programme
        self.month = month
        self.submissions: list[dict[str, Any]] = []
        # (position, figures' SHA-256, by, at) of the sign-off standing since the last submission
        self.signed_off: tuple[int, str, str, str] | None = None

    @classmethod
    def start(cls, actor: Actor, programme: str, month: str) -> MonthlyReturn:
        return cls._create(
            cls.Started,
            id=return_id(programme, month),
            actor=actor,
            programme=programme,
            month=month,
        )

    @property
    def next_revision(self) -> int:
        return len(self.submissions) + 1

    def sign_off(self, actor: Actor, position: int, sha256: str) -> None:
        self.trigger_event(
            self.ReturnSignedOff,
            actor=actor,
            programme=self.programme,
            month=self.month,
            revision=self.next_revision,
            position=position,
            sha256=sha256,
        )

    def submit(
        self,
        actor: Actor,
        position: int,
        csv: str,
        generated_at: str,
        reason: str,
        xlsx: bytes = b"",
        revision: int | None = None,
        log: tuple[str | None, int | None, str | None] = (None, None, None),
        report: str = "",
        at: datetime | None = None,
        figures_sha256: str | None = None,
    ) -> int:
        """Records the next revision. ``revision``, when given, is the one the files were
        written for: another submission in between is a conflict, not a mislabelled file.
        ``log`` is (as of day, log position, log digest at that position); ``report`` the
        return as JSON text; ``at`` when (the application's clock; None for now).
        ``figures_sha256``: the SHA-256 of the figures submitted, which must be the ones signed
        off since the last submission (docs/rules.md §12)."""
        signed = self.check_signed_off(figures_sha256) if figures_sha256 is not None else None
        if revision is not None and revision != self.next_revision:
            raise Conflict(
                f"revision {self.next_revision - 1} of the {self.month} return was submitted "
                "meanwhile; reload and try again"
            )
        revision = self.next_revision
        reason = (reason or "restated after corrections") if revision > 1 else ""
        if revision > 1:
            self.trigger_event(
                self.ReturnRestated,
                actor=actor,
                programme=self.programme,
                month=self.month,
                revision=revision,
                reason=reason,
                timestamp=at,
            )
        self.trigger_event(
            self.ReturnSubmitted,
            actor=actor,
            programme=self.programme,
            month=self.month,
            revision=revision,
            position=position,
            sha256=hashlib.sha256(csv.encode("utf-8")).hexdigest(),
            generated_at=generated_at,
            csv=csv,
            xlsx=base64.b64encode(xlsx).decode("ascii"),
            xlsx_sha256=hashlib.sha256(xlsx).hexdigest() if xlsx else "",
            reason=reason,
            report=report,
            as_of=log[0],
            log_position=log[1],
            log_digest=log[2],
            figures_sha256=figures_sha256 or "",
            signed_off_by=signed[2] if signed else "",
            signed_off_at=signed[3] if signed else "",
            timestamp=at,
        )
        return revision

    def check_signed_off(self, figures_sha256: str) -> tuple[int, str, str, str]:
        """The standing sign-off of exactly these figures; a change since voids it."""
        if self.signed_off is None:
            raise SignOffRequired(
                f"the {self.month} return is not signed off: someone with the sign-off "
                f"permission signs off its figures (SHA-256 {figures_sha256[:12]}…) first"
            )
        if self.signed_off[1] != figures_sha256:
            raise SignOffRequired(
                f"the figures changed after {self.signed_off[2]} signed them off "
                f"(signed {self.signed_off[1][:12]}…, now {figures_sha256[:12]}…): the sign-off "
                "is void; sign off the figures as they are now"
            )
        return self.signed_off
