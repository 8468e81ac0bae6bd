"""The board's monthly paper in the browser: a month's page (its revisions, the cover form to
prepare the next one, sign-off), and the paper itself as HTML or PDF. Writes answer 303 and
land back on the month's page (post/redirect/get), so reload and Back never prepare twice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import Page
from api.web.common import PageGate
from api.web.paper import chart, kept, paper_html, pdf_of, prepare
from api.web.task_kit import Task
from capacity.board_papers import PURPOSES, TO_NOTE, Cover
from capacity.commands import SignOffBoardPaper
from capacity.errors import DomainError
from capacity.policy import permits
from capacity.users import User
from projections.board_paper import month_label
from projections.board_papers import PaperRecord, paper_records
from projections.readmodel import ReadModel
from schemes.months import YearMonth
from schemes.rules import InputRefused

router = APIRouter(include_in_schema=False)
COVER_FIELDS = (
    ("title", "Report title", ""),
    ("agenda_item", "Agenda item", "As on the meeting's agenda, for example 12"),
    ("author", "Author", ""),
    ("signed_off_by", "Signed off by", "The director who signs the paper off"),
)
LONG_FIELDS = (
    ("recommendations", "Recommendations", "Left blank, the board is asked to note the report"),
    ("conflicts_of_interest", "Conflicts of interest", ""),
    ("impact_assessments", "Impact assessments", ""),
)


@dataclass(frozen=True)
class PaperLink:
    month: str
    label: str
    state: str  # "not prepared", "revision 2 prepared", "revision 1 signed off"


def paper_links(read: ReadModel, user: User, programme: str, current: str) -> list[PaperLink]:
    """This month's paper first, then every earlier month of the winter, for the home page."""
    if not permits(user, "read_board_paper", programme):
        return []
    start = YearMonth.of(read.facts(programme).period_start)
    latest: dict[str, PaperRecord] = {}
    for record in paper_records(read.views, programme):
        latest[record.month] = record
    links = []
    month = YearMonth.parse(current)
    while month >= start:
        found = latest.get(str(month))
        state = "not prepared"
        if found is not None:
            done = "signed off" if found.signed_off_by else "prepared"
            state = f"revision {found.revision} {done}"
        links.append(PaperLink(str(month), month_label(month), state))
        month = month.previous()
    return links


def _month(month: str) -> YearMonth:
    return YearMonth.parse(month)


def _page(
    task: Task,
    month: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    records = paper_records(task.read.views, task.programme, month)
    latest = records[-1] if records else None
    if values is None:
        values = {}
        if latest is not None:
            paper, _ = kept(task.application, task.read, task.programme, month, latest.revision)
            values = paper.cover.as_dict()
    message = None
    asked = task.request.query_params
    if "prepared" in asked:
        message = f"Revision {asked['prepared']} of the {month} paper is prepared and kept."
    elif "signed" in asked:
        message = f"Revision {asked['signed']} of the {month} paper is signed off and frozen."
    user, programme = task.user, task.programme
    return task.render(
        "board_paper_month.html",
        {
            "month": month,
            "label": month_label(_month(month)),
            "records": records,
            "latest": latest,
            "may_prepare": permits(user, "prepare_board_paper", programme),
            "may_sign": permits(user, "sign_off_board_paper", programme),
            "cover_fields": COVER_FIELDS,
            "long_fields": LONG_FIELDS,
            "purposes": [(p, p.capitalize()) for p in PURPOSES],
            "to_note": TO_NOTE,
            "errors": errors or {},
            "values": values,
            "message": message,
        },
        status,
    )


@router.get(
    "/board/papers/{month}",
    dependencies=[Depends(PageGate("read_board_paper"))],
    response_class=HTMLResponse,
    response_model=None,
)
def paper_page(request: Request, page: Page, month: str) -> Response:
    task = Task(page, "read_board_paper", "Board paper")
    if not task.allowed:
        return task.forbidden()
    return _unknown(task, month) or _page(task, month)


def _unknown(task: Task, month: str) -> HTMLResponse | None:
    """A 404 page for a month that is not YYYY-MM (nothing is stored)."""
    try:
        _month(month)
    except InputRefused as error:
        return task.render("error.html", {"error": f"{error.field}: {error.reason}"}, 404)
    return None


@router.post("/board/papers/{month}/prepare", response_class=HTMLResponse, response_model=None)
async def paper_prepare(request: Request, page: Page, month: str) -> Response:
    task = Task(page, "prepare_board_paper", "Prepare the board paper")
    if not task.allowed:
        return task.forbidden()
    unknown = _unknown(task, month)
    if unknown is not None:
        return unknown
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k not in ("csrf", "idempotency_key")}
    revision: dict[str, Any] = {}

    def act() -> str:
        _month(month)
        cover = Cover.checked(values)
        key = str(form.get("idempotency_key") or "") or None
        _, revision["n"] = prepare(
            task.application, task.read, task.actor, task.programme, month, cover, key
        )
        return ""

    _, errors, status = task.attempt(form, act)
    if errors:
        return _page(task, month, errors, values, status)
    return RedirectResponse(
        f"/board/papers/{month}?programme={quote(task.programme)}&prepared={revision['n']}",
        status_code=303,
    )


@router.post("/board/papers/{month}/sign-off", response_class=HTMLResponse, response_model=None)
async def paper_sign_off(request: Request, page: Page, month: str) -> Response:
    task = Task(page, "sign_off_board_paper", "Sign off the board paper")
    if not task.allowed:
        return task.forbidden()
    unknown = _unknown(task, month)
    if unknown is not None:
        return unknown
    form = await request.form()
    wanted = str(form.get("revision", ""))

    def act() -> str:
        if not wanted.isdigit():
            raise InputRefused("revision", "must be the revision number shown")
        task.application.run_command(
            SignOffBoardPaper(
                actor=task.actor, programme=task.programme, month=month, revision=int(wanted)
            ),
            idempotency_key=str(form.get("idempotency_key") or "") or None,
        )
        return ""

    _, errors, status = task.attempt(form, act)
    if errors:
        return _page(task, month, errors, None, status)
    task.read.projector.run_once()
    return RedirectResponse(
        f"/board/papers/{month}?programme={quote(task.programme)}&signed={wanted}", status_code=303
    )


def _back(task: Task, month: str, done: str) -> RedirectResponse:
    """303 to the month's page after a write (post/redirect/get)."""
    where = f"/board/papers/{quote(month)}?programme={quote(task.programme)}&{done}"
    return RedirectResponse(where, status_code=303)


def _revision(request: Request) -> int | None:
    text = request.query_params.get("revision", "")
    if text and not text.isdigit():
        raise InputRefused("revision", "must be a whole number")
    return int(text) if text else None


@router.get(
    "/board/papers/{month}/paper.{fmt}",
    dependencies=[Depends(PageGate("read_board_paper"))],
    response_class=HTMLResponse,
    response_model=None,
)
def paper_file(request: Request, page: Page, month: str, fmt: str) -> Response:
    """The paper as HTML (re-rendered from what was kept) or its PDF byte for byte as kept; a
    draft computed now when the month has no paper yet."""
    task = Task(page, "read_board_paper", "Board paper")
    if not task.allowed:
        return task.forbidden()
    if fmt not in ("html", "pdf"):
        return task.render("error.html", {"error": "a paper is HTML or PDF"}, 404)
    try:
        revision = _revision(request)
        paper, record = kept(task.application, task.read, task.programme, month, revision)
    except (InputRefused, DomainError) as error:
        return task.render("error.html", {"error": str(error)}, 404)
    if fmt == "html":
        return HTMLResponse(paper_html(paper, chart(task.read, paper)))
    body, sha = pdf_of(task.read, paper, record)
    name = f"{task.programme}-{month}-board-paper" + (f"-r{record.revision}" if record else "")
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.pdf"',
            "X-Wintertrack-Sha256": sha,
        },
    )
