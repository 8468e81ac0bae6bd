"""The monthly NHSE return: sign-off, submission and restatement, one aggregate per month.

A submission records the event-log position the return was computed at, the CSV exactly as
submitted and its SHA-256, and (from class_version 2) the return's JSON, the XLSX bytes and the
restatement's reason, so the revision can be served again, and sent to the region, byte for
byte later.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

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
            aggregate.signed_off = (self.position, self.sha256, self.actor.user_id)

    class ReturnSubmitted(Event):
        """class_version 2 adds the return's JSON, the XLSX (base64) and the reason; version 1
        stored the CSV only."""

        TOPIC = "wintertrack:MonthlyReturn.ReturnSubmitted"
        class_version = 2
        programme: str
        month: str
        revision: int
        position: int
        sha256: str
        generated_at: str
        csv: str
        report: str
        xlsx: str
        reason: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.setdefault("report", "")
            state.setdefault("xlsx", "")
            state.setdefault("reason", "")

        def apply(self, aggregate: Any) -> None:
            aggregate.submissions.append(
                {
                    "revision": self.revision,
                    "position": self.position,
                    "sha256": self.sha256,
                    "generated_at": self.generated_at,
                    "csv": self.csv,
                    "submitted_by": self.actor.user_id,
                    "submitted_at": self.timestamp.isoformat(),
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
        self.signed_off: tuple[int, str, str] | None = None

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
        report: str = "",
        xlsx: str = "",
        at: datetime | None = None,
    ) -> int:
        """``report``: the return as JSON text; ``xlsx``: its workbook, base64; ``at``: when
        (the clock's time; None for now)."""
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
            report=report,
            xlsx=xlsx,
            reason=reason,
            timestamp=at,
        )
        return revision
