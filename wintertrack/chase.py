"""Chase reminders that go out: an email to each lead with a scheme not yet reported.

The national sitrep for a day is due by 11:00 the next morning. At a set time (default 10:30,
on working days) every lead whose live, reported schemes have no figures for yesterday gets one
email listing them, with a link to each scheme's entry page. A reminder is recorded (an event,
shown on the dashboard's chase list) once the mail server has accepted it, so a lead gets one
reminder a day however often the run is repeated; a crash between the two could send one
twice, never none. Mail goes through any SMTP relay (NHSmail offers one): docs/rules.md §5.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage

from api.web.user_directory import list_users
from capacity.application import WinterApplication
from capacity.commands import RecordReminder
from capacity.values import Actor
from projections.arithmetic import chase_list
from projections.readmodel import ReadModel
from projections.winters import programmes
from schemes.deadlines import LONDON, is_working_day
from wintertrack.config import Settings

log = logging.getLogger("wintertrack.chase")
SENDER = Actor("chase-reminders", "system", "system")


@dataclass(frozen=True)
class Reminder:
    programme: str
    day: date  # the day whose figures are missing
    lead: str
    email: str
    schemes: tuple[tuple[str, str], ...]  # (code, name)


@dataclass
class ChaseOutcome:
    sent: list[Reminder] = field(default_factory=list)
    due: list[Reminder] = field(default_factory=list)  # found, not sent (a dry run)
    already: list[str] = field(default_factory=list)  # leads reminded earlier that day
    no_email: list[str] = field(default_factory=list)  # leads with no address to send to

    def lines(self) -> list[str]:
        out = [f"reminded {r.lead} <{r.email}>: {_codes(r)}" for r in self.sent]
        out += [f"would remind {r.lead} <{r.email}>: {_codes(r)}" for r in self.due]
        out += [f"already reminded today: {lead}" for lead in self.already]
        out += [f"no email address for {lead}" for lead in self.no_email]
        return out


def _codes(reminder: Reminder) -> str:
    return ", ".join(code for code, _ in reminder.schemes)


def due_reminders(
    application: WinterApplication, read: ReadModel, today: date, only: str | None = None
) -> ChaseOutcome:
    """Who to remind today of yesterday's missing reports, in every programme running."""
    outcome = ChaseOutcome()
    users = [u for u in list_users(application) if u.role == "lead"]
    day = today - timedelta(days=1)
    for info in programmes(read.views):
        if (only and info.code != only) or not info.period_start <= day <= info.period_end:
            continue
        facts = read.facts(info.code)
        missing = set(chase_list(facts, today))
        reminded = application.reminded_on(info.code, day)
        for user in users:
            if info.code not in (user.programme or "").split(", "):
                continue
            theirs = sorted(code for code in user.schemes if code in missing)
            if not theirs:
                continue
            if user.name in reminded:
                outcome.already.append(user.name)
            elif not user.email:
                outcome.no_email.append(user.name)
            else:
                named = tuple((code, facts.schemes[code].name) for code in theirs)
                outcome.due.append(Reminder(info.code, day, user.name, user.email, named))
    return outcome


def compose(reminder: Reminder, sender: str, public_url: str | None) -> EmailMessage:
    when = f"{reminder.day:%A} {reminder.day.day} {reminder.day:%B %Y}"
    base = (public_url or "").rstrip("/")
    lines = [
        f"Hello {reminder.lead},",
        "",
        f"These schemes have no figures for {when} yet. The report is due by 11:00 today.",
        "",
    ]
    for code, name in reminder.schemes:
        lines.append(f"- {name}: {base}/schemes/{code}" if base else f"- {name}")
    lines += ["", "If a scheme did not run that day, say so on its page.", "", "Wintertrack"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = reminder.email
    message["Subject"] = f"Winter figures for {reminder.day.day} {reminder.day:%b %Y} not reported"
    message.set_content("\n".join(lines))
    return message


def send_reminders(
    application: WinterApplication,
    outcome: ChaseOutcome,
    settings: Settings,
    now: Callable[[], datetime] = lambda: datetime.now(LONDON),
) -> ChaseOutcome:
    """Emails every reminder due and records each one the mail server accepted."""
    if not settings.smtp_host:
        raise ValueError("WINTERTRACK_SMTP_HOST must be set to send reminders")
    if not outcome.due:
        return outcome
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        for reminder in outcome.due:
            smtp.send_message(compose(reminder, settings.mail_from, settings.public_url))
            codes = [code for code, _ in reminder.schemes]
            application.run_command(
                RecordReminder(
                    actor=SENDER,
                    programme=reminder.programme,
                    day=reminder.day,
                    lead=reminder.lead,
                    email=reminder.email,
                    schemes=codes,
                    sent_at=now(),
                )
            )
            outcome.sent.append(reminder)
    outcome.due = []
    return outcome


def next_run(after: datetime, at: time) -> datetime:
    """The first working day's ``at`` (London time) strictly after ``after``."""
    moment = after.astimezone(LONDON)
    day = moment.date()
    while True:
        candidate = datetime.combine(day, at, LONDON)
        if candidate > moment and is_working_day(day):
            return candidate
        day += timedelta(days=1)


class ChaseSchedule:
    """Runs the chase inside ``serve`` at the set time on working days (a daemon thread)."""

    def __init__(
        self,
        application: WinterApplication,
        read: ReadModel,
        settings: Settings,
        clock: Callable[[], datetime] = lambda: datetime.now(LONDON),
    ) -> None:
        self.application, self.read, self.settings, self.clock = application, read, settings, clock
        self.stopped = threading.Event()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="chase-reminders", daemon=True)
        thread.start()
        return thread

    def run(self) -> None:
        while not self.stopped.is_set():
            due = next_run(self.clock(), self.settings.chase_time())
            if self.stopped.wait((due - self.clock()).total_seconds()):
                return
            self.run_once()

    def run_once(self) -> ChaseOutcome:
        try:
            self.read.projector.run_once()
            found = due_reminders(self.application, self.read, self.application.today())
            outcome = send_reminders(self.application, found, self.settings, self.clock)
        except (OSError, smtplib.SMTPException, ValueError) as error:
            log.error("chase reminders not sent: %s", error)
            return ChaseOutcome()
        for line in outcome.lines():
            log.info(line)
        return outcome
