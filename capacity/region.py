"""What a region holds: every return revision received from its ICBs, one aggregate per
programme and month, with the artefacts exactly as the ICB submitted them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from capacity.values import Actor, natural_id


def received_id(programme: str, month: str) -> UUID:
    return natural_id("received-return", programme, month)


class ReceivedReturn(Aggregate):
    TOPIC = "wintertrack:ReceivedReturn"

    class Event(Aggregate.Event):
        actor: Actor

    class Opened(Event, Aggregate.Created):
        TOPIC = "wintertrack:ReceivedReturn.Opened"
        region: str
        programme: str
        icb_code: str
        month: str

    Created = Opened

    class ReturnReceived(Event):
        """``message``: the whole message as received (JSON values; artefacts in base64)."""

        TOPIC = "wintertrack:ReceivedReturn.ReturnReceived"
        region: str
        programme: str
        icb_code: str
        month: str
        revision: int
        sha256: str
        message: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            aggregate.revisions[self.revision] = self.message

    def __init__(self, region: str, programme: str, icb_code: str, month: str) -> None:
        self.region = region
        self.programme = programme
        self.icb_code = icb_code
        self.month = month
        self.revisions: dict[int, dict[str, Any]] = {}

    @classmethod
    def open(
        cls, actor: Actor, region: str, programme: str, icb_code: str, month: str
    ) -> ReceivedReturn:
        return cls._create(
            cls.Opened,
            id=received_id(programme, month),
            actor=actor,
            region=region,
            programme=programme,
            icb_code=icb_code,
            month=month,
        )

    def receive(self, actor: Actor, revision: int, sha256: str, message: dict[str, Any]) -> None:
        self.trigger_event(
            self.ReturnReceived,
            actor=actor,
            region=self.region,
            programme=self.programme,
            icb_code=self.icb_code,
            month=self.month,
            revision=revision,
            sha256=sha256,
            message=message,
        )
