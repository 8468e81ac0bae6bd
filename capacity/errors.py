"""Domain errors, in the language of the users. The API maps each family to one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """A code that names nothing (404)."""


class ProgrammeNotFound(NotFound):
    pass


class SchemeNotFound(NotFound):
    pass


class SiteNotFound(NotFound):
    pass


class ReportNotFound(NotFound):
    pass


class Conflict(DomainError):
    """A duplicate, or a change against a state that no longer holds (409)."""


class AlreadyExists(Conflict):
    pass


class DuplicateDailyReport(Conflict):
    pass


class DuplicateSpend(Conflict):
    pass


class DuplicateFlowReport(Conflict):
    pass


class LooksWrong(Conflict):
    """A figure that can be true but looks wrong (beds occupied above beds open, a day's figure
    more than double or less than half the day before's): held back (409) until the person
    confirms it with a comment (``confirm_comment``), which is kept with the event."""


class StaleWrite(Conflict):
    pass


class IdempotencyKeyReused(Conflict):
    pass


class InvalidTransition(Conflict):
    """A status change the scheme's current status does not allow (409)."""


class SignOffRequired(Conflict):
    """A return submitted without a sign-off of exactly its figures (409)."""


class RepeatSuspected(Conflict):
    """A decision that looks like one already recorded (409): held back until the person
    confirms it is a second, separate decision (``confirm_repeat``)."""


class Forbidden(DomainError):
    """The actor may not do this (403)."""


class NotYourScheme(Forbidden):
    pass


class Unauthenticated(DomainError):
    """No token, or a token that is unknown or revoked (401)."""
