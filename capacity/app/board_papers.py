"""The board's monthly paper: preparation and sign-off."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from capacity.app.core import Change, Command, Receipt, WinterCore
from capacity.board_papers import BoardPaper, Cover, board_paper_id
from capacity.errors import Conflict
from capacity.values import Actor


class BoardPaperCommands(WinterCore):
    def get_board_paper(self, programme: str, month: str) -> BoardPaper | None:
        record_id = board_paper_id(programme, month)
        if not self._exists(record_id):
            return None
        found: Aggregate = self.repository.get(record_id)
        assert isinstance(found, BoardPaper)
        return found

    def prepare_board_paper(
        self,
        actor: Actor,
        programme: str,
        month: str,
        cover: Cover,
        figures: tuple[int, str],
        contents: str,
        pdf: bytes,
        idempotency_key: str | None = None,
    ) -> tuple[Receipt, int]:
        """Keeps the next revision of the month's paper: its cover, the figures' position and
        "as of" day (``figures``), what it says (JSON text) and its PDF as rendered."""

        def act() -> Change:
            self.get_programme(programme)
            paper = self.get_board_paper(programme, month) or BoardPaper.start(
                actor, programme, month
            )
            revision = paper.prepare(actor, cover, figures[0], figures[1], contents, pdf)
            clash = Conflict(f"the {month} paper was prepared meanwhile; reload and try again")
            return Change([paper], clash, {"month": month, "revision": str(revision)})

        # A retry renders again at a later position: the fingerprint is the request.
        request = {"p": programme, "m": month, "cover": cover.as_dict()}
        command = Command(actor, "prepare_board_paper", programme, None, "prepare_paper", request)
        receipt = self.run_command(command, act, idempotency_key)
        return receipt, int(receipt.ids.get("revision", 0))

    def sign_off_board_paper(
        self,
        actor: Actor,
        programme: str,
        month: str,
        revision: int,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act() -> Change:
            self.get_programme(programme)
            paper = self.get_board_paper(programme, month)
            if paper is None:
                paper = BoardPaper.start(actor, programme, month)
            sha256 = paper.sign_off(actor, revision)
            clash = Conflict(f"the {month} paper changed meanwhile; reload and try again")
            return Change([paper], clash, {"revision": str(revision), "sha256": sha256})

        request = {"p": programme, "m": month, "revision": revision}
        command = Command(actor, "sign_off_board_paper", programme, None, "sign_off_paper", request)
        return self.run_command(command, act, idempotency_key)
