"""The board's monthly paper: prepared (as often as needed), then signed off, which freezes it.

Each preparation keeps the cover as entered, the event-log position and "as of" day its figures
were read at, what it contains (JSON) and its PDF byte for byte with the PDF's SHA-256. Sign-off
names the revision and its SHA-256, so the signed paper is exactly the one that was read; after
sign-off a new preparation is a new revision and the frozen one stays as it was.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from capacity.errors import Conflict
from capacity.values import Actor, natural_id
from schemes.rules import InputRefused, check_text

PURPOSES = ("approval", "decision", "discussion", "information")
TO_NOTE = "The board is asked to note the report."
COVER_LIMIT = 4000


def board_paper_id(programme: str, month: str) -> UUID:
    return natural_id("board-paper", programme, month)


@dataclass(frozen=True)
class Cover:
    """The ICB's cover sheet as the person preparing the paper fills it in."""

    title: str
    agenda_item: str
    author: str
    signed_off_by: str
    purpose: str = "information"
    recommendations: str = TO_NOTE
    conflicts_of_interest: str = "None identified."
    impact_assessments: str = "Not applicable: the paper reports delivery and spend."

    @classmethod
    def checked(cls, values: Mapping[str, Any]) -> Cover:
        """A cover from form or API values: required fields named, purpose one of four;
        recommendations left blank mean "to note"."""
        found: dict[str, str] = {}
        for name in cls.__dataclass_fields__:
            text = check_text(name, values.get(name, "") or "", COVER_LIMIT).strip()
            if text:
                found[name] = text
        for name in ("title", "agenda_item", "author", "signed_off_by"):
            if name not in found:
                raise InputRefused(name, "is required on the cover")
        purpose = found.get("purpose", "information").lower()
        if purpose not in PURPOSES:
            raise InputRefused("purpose", f"must be one of {', '.join(PURPOSES)}")
        found["purpose"] = purpose
        return cls(**found)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class BoardPaper(Aggregate):
    TOPIC = "wintertrack:BoardPaper"

    class Event(Aggregate.Event):
        actor: Actor

    class Started(Event, Aggregate.Created):
        TOPIC = "wintertrack:BoardPaper.Started"
        programme: str
        month: str

    Created = Started

    class Prepared(Event):
        TOPIC = "wintertrack:BoardPaper.Prepared"
        programme: str
        month: str
        revision: int
        position: int  # the event-log position the figures were read at
        as_of: str
        cover: dict[str, str]
        contents: str  # what the paper says, as JSON text
        pdf: str  # base64 of the PDF exactly as prepared
        sha256: str

        def apply(self, aggregate: Any) -> None:
            aggregate.revisions.append((self.revision, self.sha256))

    class SignedOff(Event):
        TOPIC = "wintertrack:BoardPaper.SignedOff"
        programme: str
        month: str
        revision: int
        sha256: str

        def apply(self, aggregate: Any) -> None:
            aggregate.signed_off = self.revision

    def __init__(self, programme: str, month: str) -> None:
        self.programme = programme
        self.month = month
        self.revisions: list[tuple[int, str]] = []
        self.signed_off: int | None = None

    @classmethod
    def start(cls, actor: Actor, programme: str, month: str) -> BoardPaper:
        return cls._create(
            cls.Started,
            id=board_paper_id(programme, month),
            actor=actor,
            programme=programme,
            month=month,
        )

    def prepare(
        self, actor: Actor, cover: Cover, position: int, as_of: str, contents: str, pdf: bytes
    ) -> int:
        revision = len(self.revisions) + 1
        self.trigger_event(
            self.Prepared,
            actor=actor,
            programme=self.programme,
            month=self.month,
            revision=revision,
            position=position,
            as_of=as_of,
            cover=cover.as_dict(),
            contents=contents,
            pdf=base64.b64encode(pdf).decode("ascii"),
            sha256=hashlib.sha256(pdf).hexdigest(),
        )
        return revision

    def sign_off(self, actor: Actor, revision: int) -> str:
        """Signs off the latest preparation (the one the signer read); returns its SHA-256."""
        if not self.revisions:
            raise InputRefused("revision", f"no {self.month} paper has been prepared yet")
        latest, sha256 = self.revisions[-1]
        if revision != latest:
            raise Conflict(
                f"revision {latest} of the {self.month} paper was prepared since; read it and "
                "sign that one off",
                field="revision",
            )
        if self.signed_off == revision:
            raise Conflict(f"revision {revision} of the {self.month} paper is already signed off")
        self.trigger_event(
            self.SignedOff,
            actor=actor,
            programme=self.programme,
            month=self.month,
            revision=revision,
            sha256=sha256,
        )
        return sha256
