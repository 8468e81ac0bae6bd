"""Chase reminders go out: at 10:30 on a working day, one email per lead with an unreported
scheme, sent to a real SMTP server on loopback (aiosmtpd), none to leads who reported, and the
reminders recorded once, on a real SQLite store."""

from __future__ import annotations

import email
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session

from capacity.commands import AddUser, MobiliseScheme, ReportDaily
from capacity.values import Actor
from projections.reminders import reminders_sent
from schemes.deadlines import LONDON
from tests.scenarios.ledger import ADMIN, P
from tests.support.postgres import free_port
from tests.support.world import World, make_world
from wintertrack.chase import ChaseSchedule, due_reminders, next_run, send_reminders
from wintertrack.config import Settings

MONDAY = date(2023, 1, 16)  # a working day; the figures for Sunday 15 January are due by 11:00
SUNDAY = date(2023, 1, 15)


@dataclass
class Inbox:
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def _world(tmp_path: Path) -> World:
    world = make_world(MONDAY, store=f"sqlite:///{tmp_path}/wintertrack.db")
    for code in ("ward-a", "ward-b", "ward-c", "ward-d"):
        world.scheme(code)
        world.app.run_command(
            MobiliseScheme(actor=ADMIN, programme=P, scheme=code, went_live_on=date(2022, 11, 1))
        )
    app = world.app
    app.run_command(
        AddUser(
            actor=ADMIN,
            name="jo.lead",
            role="lead",
            programme=P,
            schemes=["ward-a", "ward-b"],
            email="jo.lead@nhs.net",
        )
    )
    app.run_command(
        AddUser(
            actor=ADMIN,
            name="sam.lead",
            role="lead",
            programme=P,
            schemes=["ward-c"],
            email="sam.lead@nhs.net",
        )
    )
    app.run_command(
        AddUser(actor=ADMIN, name="kim.lead", role="lead", programme=P, schemes=["ward-d"])
    )  # no email address
    jo, sam = Actor("jo.lead", "lead", "web"), Actor("sam.lead", "lead", "web")
    app.run_command(
        ReportDaily(
            actor=jo, programme=P, scheme="ward-a", figures={"date": SUNDAY, "beds_equivalent": 9}
        )
    )
    app.run_command(
        ReportDaily(
            actor=sam, programme=P, scheme="ward-c", figures={"date": SUNDAY, "beds_equivalent": 4}
        )
    )
    world.catch_up()
    return world


def _settings(port: int) -> Settings:
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        mail_from="wintertrack@hwe.nhs.uk",
        public_url="https://wintertrack.example.nhs.uk",
    )


def test_reminders_go_to_leads_with_unreported_schemes_only(
    tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    world = _world(tmp_path)
    at_half_past_ten = datetime(2023, 1, 16, 10, 30, tzinfo=LONDON)
    schedule = ChaseSchedule(world.app, world.read, _settings(port), lambda: at_half_past_ten)

    outcome = schedule.run_once()

    assert [r.lead for r in outcome.sent] == ["jo.lead"]
    assert outcome.no_email == ["kim.lead"]
    assert len(box.messages) == 1 and not box.to("sam.lead@nhs.net")
    (message,) = box.to("jo.lead@nhs.net")
    body = str(message.get_payload())
    assert "Scheme ward-b: https://wintertrack.example.nhs.uk/schemes/ward-b" in body
    assert "ward-a" not in body  # reported on Sunday
    assert "Sunday 15 January 2023" in body and "11:00" in body
    assert message["From"] == "wintertrack@hwe.nhs.uk"

    world.catch_up()
    (sent,) = reminders_sent(world.read.views, P, SUNDAY)
    assert (sent.lead, sent.email, sent.schemes) == ("jo.lead", "jo.lead@nhs.net", ("ward-b",))
    assert sent.sent_at == at_half_past_ten

    again = schedule.run_once()  # a second run that morning reminds nobody twice
    assert again.sent == [] and again.already == ["jo.lead"]
    assert len(box.messages) == 1


def test_a_dry_run_lists_and_sends_nothing(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    box, _ = inbox
    world = _world(tmp_path)
    outcome = due_reminders(world.app, world.read, MONDAY)
    assert [(r.lead, [c for c, _ in r.schemes]) for r in outcome.due] == [("jo.lead", ["ward-b"])]
    assert box.messages == [] and reminders_sent(world.read.views, P, SUNDAY) == []


def test_a_refused_connection_records_no_reminder(tmp_path: Path) -> None:
    world = _world(tmp_path)
    found = due_reminders(world.app, world.read, MONDAY)
    with pytest.raises(OSError):
        send_reminders(world.app, found, _settings(free_port()))
    assert world.app.reminded_on(P, SUNDAY) == {}


def test_the_schedule_runs_at_half_past_ten_on_working_days() -> None:
    at = time(10, 30)
    friday_noon = datetime(2023, 1, 13, 12, 0, tzinfo=LONDON)
    assert next_run(friday_noon, at) == datetime(2023, 1, 16, 10, 30, tzinfo=LONDON)
    before = datetime(2023, 1, 16, 9, 0, tzinfo=LONDON)
    assert next_run(before, at) == datetime(2023, 1, 16, 10, 30, tzinfo=LONDON)
    christmas_eve = datetime(2022, 12, 24, 11, 0, tzinfo=LONDON)  # then two bank holidays
    assert next_run(christmas_eve, at) == datetime(2022, 12, 28, 10, 30, tzinfo=LONDON)


def test_the_command_line_sends_and_prints_the_counts(
    tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    _world(tmp_path)
    env: dict[str, Any] = {
        **os.environ,
        "WINTERTRACK_STORE": f"sqlite:///{tmp_path}/wintertrack.db",
        "WINTERTRACK_SMTP_HOST": "127.0.0.1",
        "WINTERTRACK_SMTP_PORT": str(port),
    }
    command = [sys.executable, "-m", "wintertrack", "chase", "--today", "2023-01-16"]
    listed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "would remind jo.lead <jo.lead@nhs.net>: ward-b" in listed.stdout
    assert box.messages == []
    sent = subprocess.run(
        [*command, "--send"], env=env, capture_output=True, text=True, timeout=120
    )
    assert sent.returncode == 0, sent.stderr
    assert "sent=1 due=0 already=0 no_email=1" in sent.stdout
    assert [m["To"] for m in box.messages] == ["jo.lead@nhs.net"]
