"""The region's side: recording the returns its ICBs send, idempotent on programme, month and
revision."""

from __future__ import annotations

from typing import Literal

from eventsourcing.domain import Aggregate

from capacity.app.core import Change, Command, Receipt, WinterCore
from capacity.errors import Conflict
from capacity.region import ReceivedReturn, received_id
from capacity.return_message import ReturnMessage, Sender, check_sender, verify
from capacity.values import Actor
from schemes.regions import Region
from schemes.rules import InputRefused

Outcome = Literal["stored", "duplicate"]


class RegionCommands(WinterCore):
    def get_received(self, programme: str, month: str) -> ReceivedReturn | None:
        record_id = received_id(programme, month)
        if not self._exists(record_id):
            return None
        found: Aggregate = self.repository.get(record_id)
        assert isinstance(found, ReceivedReturn)
        return found

    def receive_return(
        self, actor: Actor, region: Region, message: ReturnMessage, sender: Sender
    ) -> tuple[Outcome, Receipt | None]:
        """Verifies the message (InputRefused naming the field when it fails) and records it
        once: signed by a key of the ICB it names, for a programme of that ICB, and the next
        revision for its month. A revision already received with the same SHA-256 is a
        duplicate and stores nothing; with a different one it is refused, as is a gap."""
        duplicate = False

        def act() -> Change:
            nonlocal duplicate
            icb = message.programme.icb_code
            listed = region.icb(icb)
            if listed is None:
                raise InputRefused(
                    "programme.icb_code", f"{icb} is not an ICB of region {region.code}"
                )
            check_sender(listed, message, sender)
            verify(message, region.code)
            found = self.get_received(message.programme.code, message.month)
            if found is not None and message.revision in found.revisions:
                if found.revisions[message.revision]["sha256"] != message.sha256:
                    raise InputRefused(
                        "sha256", f"revision {message.revision} was received with other content"
                    )
                duplicate = True
                return Change([], Conflict("received meanwhile"))  # nothing to store
            expected = max(found.revisions, default=0) + 1 if found else 1
            if message.revision != expected:
                raise InputRefused(
                    "revision",
                    f"is {message.revision}: the next revision of {message.programme.code} "
                    f"{message.month} is {expected}",
                )
            received = found or ReceivedReturn.open(
                actor, region.code, message.programme.code, icb, message.month
            )
            received.receive(
                actor,
                message.revision,
                message.sha256,
                message.model_dump(mode="json", by_alias=True),
            )
            return Change([received], Conflict("received meanwhile"))

        for attempt in range(2):
            try:
                receipt = self.run_command(Command(actor, "receive_return"), act)
            except Conflict:
                if attempt:
                    raise
                continue  # another follower stored something meanwhile: look again
            return ("duplicate", None) if duplicate else ("stored", receipt)
        raise Conflict("received meanwhile")  # pragma: no cover - the loop returns or raises
