"""Monthly returns: submission (and restatement) and sign-off."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from capacity.app.core import Change, Command, Receipt, WinterCore
from capacity.errors import (
    Conflict,
)
from capacity.return_rules import check_month_ended, check_restatement
from capacity.returns import MonthlyReturn, return_id
from capacity.values import Actor
from schemes.months import YearMonth


class ReturnCommands(WinterCore):
    def next_return_revision(self, programme: str, month: str) -> int:
        found = self.get_return(programme, month)
        return 1 if found is None else found.next_revision

    def get_return(self, programme: str, month: str) -> MonthlyReturn | None:
        record_id = return_id(programme, month)
        if not self._exists(record_id):
            return None
        found: Aggregate = self.repository.get(record_id)
        assert isinstance(found, MonthlyReturn)
        return found

    def submit_return(
        self,
        actor: Actor,
        programme: str,
        month: str,
        position: int,
        csv_text: str,
        generated_at: str,
        reason: str = "",
        *,
        xlsx: bytes = b"",
        revision: int | None = None,
        idempotency_key: str | None = None,
        log: tuple[str | None, int | None, str | None] = (None, None, None),
        report_json: str = "",
        changed: bool = True,
        unchanged: bool = False,
        figures_sha256: str | None = None,
    ) -> tuple[Receipt, int]:
        """Records a submission (a restatement when not the first) of the month's return, with
        the return's JSON and workbook as submitted (sent on to the region by the relay);
        ``log`` is the "as of" day it was computed for and the log's digest at a position.
        ``changed``: the figures differ from the latest revision; ``unchanged``: the submitter
        chose to resubmit them unchanged (see ``capacity/return_rules.py``)."""

        def act() -> Change:
            self.get_programme(programme)
            check_month_ended(YearMonth.parse(month), self.today())
            monthly = self.get_return(programme, month) or MonthlyReturn.start(
                actor, programme, month
            )
            why = reason
            if monthly.next_revision > 1:
                why = check_restatement(reason, changed, unchanged)
            revision_ = monthly.submit(
                actor,
                position,
                csv_text,
                generated_at,
                why,
                xlsx,
                revision,
                log,
                report_json,
                self.clock(),
                figures_sha256,
            )
            clash = Conflict(f"the {month} return was submitted meanwhile; reload and try again")
            return Change([monthly], clash, {"month": month, "revision": str(revision_)})

        # The request is "submit this month": a retry recomputes at a later position, so the
        # fingerprint is the request, not the computed return.
        request = {"p": programme, "m": month, "reason": reason}
        if unchanged:  # keys stored before this option keep their fingerprints
            request["unchanged"] = "yes"
        command = Command(actor, "submit_return", programme, None, "submit", request)
        receipt = self.run_command(command, act, idempotency_key)
        return receipt, int(receipt.ids.get("revision", 0))

    def sign_off_return(
        self,
        actor: Actor,
        programme: str,
        month: str,
        position: int,
        sha256: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act() -> Change:
            self.get_programme(programme)
            monthly = self.get_return(programme, month) or MonthlyReturn.start(
                actor, programme, month
            )
            monthly.sign_off(actor, position, sha256)
            return Change([monthly], Conflict("the return changed meanwhile"))

        request = {"programme": programme, "month": month, "sha256": sha256}
        command = Command(actor, "sign_off_return", programme, request=request)
        return self.run_command(command, act, idempotency_key)
