"""The region's side: recording the returns its ICBs send, idempotent on programme, month and
revision; and the chase reminders an ICB emails its leads."""

from __future__ import annotations

from capacity.app.core import handles
from capacity.app.reads import WinterReads
from capacity.commands_base import Change
from capacity.commands_people import RecordReminder
from capacity.commands_returns import ReceiveReturn
from capacity.errors import Conflict
from capacity.region import ReceivedReturn
from capacity.reminders import ChaseDay, chase_day_id
from capacity.return_message import check_sender, verify
from schemes.rules import InputRefused, check_text


@handles(ReceiveReturn)
def receive_return(app: WinterReads, c: ReceiveReturn) -> Change:
    """Verifies the message (InputRefused naming the field when it fails) and records it once:
    signed by a key of the ICB it names, for a programme of that ICB, and the next revision
    for its month. A revision already received with the same SHA-256 is a duplicate and
    stores nothing (outcome ``"duplicate"``); with a different one it is refused, as is a
    gap."""
    message, region = c.message, c.region
    icb = message.programme.icb_code
    listed = region.icb(icb)
    if listed is None:
        raise InputRefused("programme.icb_code", f"{icb} is not an ICB of region {region.code}")
    check_sender(listed, message, c.sender)
    verify(message, region.code)
    found = app.get_received(message.programme.code, message.month)
    if found is not None and message.revision in found.revisions:
        if found.revisions[message.revision]["sha256"] != message.sha256:
            raise InputRefused(
                "sha256", f"revision {message.revision} was received with other content"
            )
        return Change([], Conflict("received meanwhile"), outcome="duplicate")
    expected = max(found.revisions, default=0) + 1 if found else 1
    if message.revision != expected:
        raise InputRefused(
            "revision",
            f"is {message.revision}: the next revision of {message.programme.code} "
            f"{message.month} is {expected}",
        )
    received = found or ReceivedReturn.open(
        c.actor, region.code, message.programme.code, icb, message.month
    )
    received.receive(
        c.actor,
        message.revision,
        message.sha256,
        message.model_dump(mode="json", by_alias=True),
    )
    return Change([received], Conflict("received meanwhile"))


@handles(RecordReminder)
def record_reminder(app: WinterReads, c: RecordReminder) -> Change:
    app.get_programme(c.programme)
    check_text("email", c.email, max_len=320)
    record_id = chase_day_id(c.programme, c.day)
    chase = (
        app._get(ChaseDay, record_id, Conflict("no chase day"))
        if app._exists(record_id)
        else ChaseDay.open(c.actor, c.programme, c.day)
    )
    chase.record_reminder(c.actor, c.lead, c.email, c.schemes, c.sent_at)
    return Change([chase], Conflict("a reminder was recorded meanwhile; run again"))
