"""What the application answers besides commands: checking input the way every channel must
(a day's figures, many at once), the aggregates the edges and the handlers look up (returns,
board papers, received returns, reminders, provenance), and who a token or an email is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from capacity.app.core import WinterCore
from capacity.board_papers import BoardPaper, board_paper_id
from capacity.daily_figures import DailyFigures
from capacity.errors import Conflict, ReportNotFound, Unauthenticated
from capacity.plausibility import SPEND_ABOVE_PROFILE, scheme_doubts, spend_doubts
from capacity.programme import Programme
from capacity.provenance import SchemeProvenance, provenance_id
from capacity.region import ReceivedReturn, received_id
from capacity.reminders import ChaseDay, chase_day_id
from capacity.reports import spend_id
from capacity.returns import MonthlyReturn, return_id
from capacity.scheme import Scheme
from capacity.spend_figures import SpendFigures
from capacity.users import AccessToken, EmailIndex, User, email_index_id, token_id
from capacity.values import Actor
from schemes.months import YearMonth, months_in_period
from schemes.profile import profile_months, straight_line


class WinterReads(WinterCore):
    # spend more than this share above the month's profile asks for a comment (the settings'
    # WINTERTRACK_SPEND_ABOVE_PROFILE, set by wintertrack/bootstrap.py)
    spend_above_profile: Decimal = SPEND_ABOVE_PROFILE

    # --- figures ---------------------------------------------------------------------------

    def prepare_daily(
        self, actor: Actor, programme_code: str, scheme_code: str, raw: Mapping[str, Any]
    ) -> tuple[date, DailyFigures]:
        """Validates a daily report exactly as every channel must; returns its day and figures."""
        programme = self.get_programme(programme_code)
        scheme = self.get_scheme(programme_code, scheme_code)
        day = self._day(programme, "date", raw.get("date"))
        return day, DailyFigures.clean(raw, scheme)

    def daily_doubts(
        self, programme: str, scheme_code: str, day: date, figures: DailyFigures
    ) -> list[str]:
        """What looks wrong in a day's figures against the scheme's beds open that day (for a
        scheme with beds) and the figures of the day before."""
        scheme = self.get_scheme(programme, scheme_code)
        try:
            before = self.get_daily_report(programme, scheme_code, day - timedelta(days=1))
        except ReportNotFound:
            return scheme_doubts(scheme, day, figures, None)
        return scheme_doubts(scheme, day, figures, before.figures)

    def daily_validator(
        self, actor: Actor, programme_code: str
    ) -> Callable[[str, Mapping[str, Any]], tuple[date, DailyFigures]]:
        """Validates many reports for one programme, loading each aggregate once (bulk paths)."""
        programme = self.get_programme(programme_code)
        schemes: dict[str, Scheme] = {}

        def validate(scheme_code: str, raw: Mapping[str, Any]) -> tuple[date, DailyFigures]:
            scheme = schemes.get(scheme_code)
            if scheme is None:
                self.authorise(actor, "import_daily", programme_code, scheme_code)
                scheme = self.get_scheme(programme_code, scheme_code)
                schemes[scheme_code] = scheme
            day = self._day(programme, "date", raw.get("date"))
            return day, DailyFigures.clean(raw, scheme)

        return validate

    def spend_recorded(self, programme: Programme, scheme: str) -> Decimal:
        """The latest spend figure of every month recorded so far for the scheme."""
        total = Decimal("0")
        for month in months_in_period(programme.period_start, programme.period_end):
            record = spend_id(programme.code, scheme, str(month))
            if record in self.repository:
                spend: Any = self.repository.get(record)
                total += spend.amount_gbp
        return total

    def spend_doubts(
        self, programme_code: str, scheme_code: str, month: str, figures: SpendFigures
    ) -> list[str]:
        """What looks wrong in a month's spend: more than the set share above the month's
        profile as it stands today (the profile the dashboard shows, ``schemes/profile.py``)."""
        programme = self.get_programme(programme_code)
        scheme = self.get_scheme(programme_code, scheme_code)
        ym = YearMonth.parse(month)
        months = profile_months(programme.period_start, programme.period_end, scheme.planned_start)
        diversions = scheme.__dict__.get("diversions", [])  # missing on older snapshots
        profile = straight_line(months, scheme.allocation_gbp, diversions, self.today())
        found = profile.get(ym, Decimal(0))
        return spend_doubts(figures.amount_gbp, ym, found, self.spend_above_profile)

    # --- records looked up by their natural keys --------------------------------------------

    def _found(self, cls: type[Any], record_id: Any) -> Any:
        if not self._exists(record_id):
            return None
        found: Aggregate = self.repository.get(record_id)
        assert isinstance(found, cls)
        return found

    def get_provenance(self, programme: str, code: str) -> SchemeProvenance | None:
        """The catalogue's notes and source references for a scheme, when it had any."""
        record = provenance_id(programme, code)
        if record not in self.repository:
            return None
        found: Any = self.repository.get(record)
        return found if isinstance(found, SchemeProvenance) else None

    def get_return(self, programme: str, month: str) -> MonthlyReturn | None:
        found: MonthlyReturn | None = self._found(MonthlyReturn, return_id(programme, month))
        return found

    def next_return_revision(self, programme: str, month: str) -> int:
        found = self.get_return(programme, month)
        return 1 if found is None else found.next_revision

    def get_board_paper(self, programme: str, month: str) -> BoardPaper | None:
        found: BoardPaper | None = self._found(BoardPaper, board_paper_id(programme, month))
        return found

    def get_received(self, programme: str, month: str) -> ReceivedReturn | None:
        found: ReceivedReturn | None = self._found(ReceivedReturn, received_id(programme, month))
        return found

    def reminded_on(self, programme: str, day: date) -> dict[str, datetime]:
        """The leads already reminded for ``day`` and when (the sender's own check)."""
        record_id = chase_day_id(programme, day)
        if not self._exists(record_id):
            return {}
        return dict(self._get(ChaseDay, record_id, Conflict("no chase day")).reminded)

    # --- people ----------------------------------------------------------------------------

    def user_by_email(self, email: str) -> User | None:
        record = email_index_id(email)
        if record not in self.repository:
            return None
        index: Aggregate = self.repository.get(record)
        assert isinstance(index, EmailIndex)
        return self.get_user(index.user)

    def authenticate(self, token: str) -> User:
        if not token or len(token) > 200:
            raise Unauthenticated("missing or malformed bearer token")
        try:
            grant: Aggregate = self.repository.get(token_id(token))
        except AggregateNotFoundError:
            raise Unauthenticated("unknown bearer token") from None
        assert isinstance(grant, AccessToken)
        if grant.revoked:
            raise Unauthenticated("this token has been revoked")
        return self.get_user(grant.user)
