"""Monthly returns and the board's monthly paper: submission (and restatement), sign-off,
preparation."""

from __future__ import annotations

from capacity.app.core import handles
from capacity.app.reads import WinterReads
from capacity.board_papers import BoardPaper
from capacity.commands_base import Change
from capacity.commands_returns import (
    PrepareBoardPaper,
    SignOffBoardPaper,
    SignOffReturn,
    SubmitReturn,
)
from capacity.errors import Conflict
from capacity.return_rules import check_month_ended, check_restatement
from capacity.returns import MonthlyReturn
from schemes.months import YearMonth


@handles(SubmitReturn)
def submit_return(app: WinterReads, c: SubmitReturn) -> Change:
    app.get_programme(c.programme)
    check_month_ended(YearMonth.parse(c.month), app.today())
    monthly = app.get_return(c.programme, c.month) or MonthlyReturn.start(
        c.actor, c.programme, c.month
    )
    why = c.reason
    if monthly.next_revision > 1:
        why = check_restatement(c.reason, c.changed, c.unchanged)
    revision = monthly.submit(
        c.actor,
        c.position,
        c.csv_text,
        c.generated_at,
        why,
        c.xlsx,
        c.revision,
        c.log,
        c.report_json,
        app.clock(),
        c.figures_sha256,
    )
    clash = Conflict(f"the {c.month} return was submitted meanwhile; reload and try again")
    return Change([monthly], clash, {"month": c.month, "revision": str(revision)})


@handles(SignOffReturn)
def sign_off_return(app: WinterReads, c: SignOffReturn) -> Change:
    app.get_programme(c.programme)
    monthly = app.get_return(c.programme, c.month) or MonthlyReturn.start(
        c.actor, c.programme, c.month
    )
    monthly.sign_off(c.actor, c.position, c.sha256)
    return Change([monthly], Conflict("the return changed meanwhile"))


@handles(PrepareBoardPaper)
def prepare_board_paper(app: WinterReads, c: PrepareBoardPaper) -> Change:
    app.get_programme(c.programme)
    paper = app.get_board_paper(c.programme, c.month) or BoardPaper.start(
        c.actor, c.programme, c.month
    )
    position, as_of = c.figures
    revision = paper.prepare(c.actor, c.cover, position, as_of, c.contents, c.pdf)
    clash = Conflict(f"the {c.month} paper was prepared meanwhile; reload and try again")
    return Change([paper], clash, {"month": c.month, "revision": str(revision)})


@handles(SignOffBoardPaper)
def sign_off_board_paper(app: WinterReads, c: SignOffBoardPaper) -> Change:
    app.get_programme(c.programme)
    paper = app.get_board_paper(c.programme, c.month)
    if paper is None:
        paper = BoardPaper.start(c.actor, c.programme, c.month)
    sha256 = paper.sign_off(c.actor, c.revision)
    clash = Conflict(f"the {c.month} paper changed meanwhile; reload and try again")
    return Change([paper], clash, {"revision": str(c.revision), "sha256": sha256})
