"""The monthly return: preview, downloads, submission."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Application, Csrf, PageProgramme, Reads, Session, SignedIn
from api.observe import actor as web_actor
from api.web.common import PageGate, redirect_done, render_page
from api.web.task_kit import replayed
from capacity.app.submission import sign_off, submit
from capacity.application import WinterApplication
from capacity.errors import DomainError, Forbidden
from capacity.policy import permits
from capacity.return_rules import check_month_ended
from projections.exports import to_csv, to_xlsx
from projections.readmodel import ReadModel
from projections.return_lines import COVER, SECTIONS
from projections.submission import ViewFigures, diff_since_latest, sign_off_status
from schemes.months import YearMonth
from schemes.rules import InputRefused

router = APIRouter(include_in_schema=False)


@router.get(
    "/returns/{month}",
    dependencies=[Depends(PageGate("read_return"))],
    response_class=HTMLResponse,
    response_model=None,
)
def return_page(
    request: Request,
    month: str,
    session: SignedIn,
    application: Application,
    read: Reads,
    programme: PageProgramme,
) -> Response:
    return _return(request, session, application, read, programme, month, None)


def _return(
    request: Request,
    session: Session,
    application: WinterApplication,
    read: ReadModel,
    programme: str,
    month: str,
    message: str | None,
    status: int = 200,
) -> HTMLResponse:
    try:
        check_month_ended(YearMonth.parse(month), application.today())
        not_yet = None
    except InputRefused as error:
        not_yet = error.reason
    try:
        report = read.monthly_return(programme, month)
        submissions = read.submissions(programme, month)
        changes = diff_since_latest(read, programme, month)["changes"]
        signed = sign_off_status(read, programme, month)
    except (DomainError, InputRefused) as error:
        return render_page(request, "error.html", {"_session": session, "error": str(error)}, 404)
    return render_page(
        request,
        "return.html",
        {
            "_session": session,
            "report": report,
            "submissions": submissions,
            "changes": changes,
            "programme": programme,
            "month": month,
            "message": message,
            "can_submit": permits(session.user, "submit_return", programme) and not not_yet,
            "not_yet": not_yet,
            "sign_off": signed,
            "can_sign_off": permits(session.user, "sign_off_return", programme),
            "cover_columns": COVER,
            "sections": SECTIONS,
        },
        status,
    )


@router.get(
    "/returns/{month}/download.{fmt}",
    dependencies=[Depends(PageGate("read_return"))],
    response_model=None,
)
def download(month: str, fmt: str, read: Reads, programme: PageProgramme) -> Response:
    if fmt not in ("csv", "xlsx"):
        return Response("unknown format", status_code=404)
    try:
        report = read.monthly_return(programme, month)
    except (DomainError, InputRefused) as error:
        return Response(str(error), status_code=404)
    name = f"{programme}-{month}-return.{fmt}"
    if fmt == "csv":
        body: str | bytes = to_csv(report)
        media = "text/csv; charset=utf-8"
    else:
        body = to_xlsx(report)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/returns/{month}/submit", response_class=HTMLResponse, response_model=None)
async def submit_page(
    request: Request,
    month: str,
    session: SignedIn,
    application: Application,
    read: Reads,
    programme: PageProgramme,
    csrf: Csrf,
) -> Response:
    user = session.user
    form = await request.form()
    try:
        csrf(form)
        actor = web_actor(user.name, user.role, "web")
        application.authorise(actor, "submit_return", programme)
        receipt, revision, _position, sha = submit(
            application,
            ViewFigures(read),
            actor,
            programme,
            month,
            str(form.get("reason") or ""),
            idempotency_key=str(form.get("idempotency_key") or "") or None,
            unchanged=form.get("resubmit_unchanged") == "yes",
        )
    except Forbidden as error:
        return _return(
            request, session, application, read, programme, month, f"Not submitted: {error}", 403
        )
    except (DomainError, InputRefused) as error:
        return _return(
            request, session, application, read, programme, month, f"Not submitted: {error}", 422
        )
    said = f"Submitted as revision {revision} (its file's SHA-256 is {sha})."
    done = {"message": replayed(application, receipt) or said, "revision": revision}
    return redirect_done(request, f"/returns/{month}?programme={quote(programme)}", done)


@router.post("/returns/{month}/sign-off", response_class=HTMLResponse, response_model=None)
async def sign_off_page(
    request: Request,
    month: str,
    session: SignedIn,
    application: Application,
    read: Reads,
    programme: PageProgramme,
    csrf: Csrf,
) -> Response:
    """Signs off the figures the signer saw (their position and SHA-256, from the page)."""
    user = session.user
    form = await request.form()
    try:
        csrf(form)
        position = str(form.get("position") or "")
        if not position.isdigit():
            raise InputRefused(
                "position", "must be the figures shown on the page: reload and sign off again"
            )
        receipt, _, sha = sign_off(
            application,
            ViewFigures(read),
            web_actor(user.name, user.role, "web"),
            programme,
            month,
            int(position),
            str(form.get("sha256") or ""),
            str(form.get("idempotency_key") or "") or None,
        )
    except Forbidden as error:
        return _return(
            request, session, application, read, programme, month, f"Not signed off: {error}", 403
        )
    except (DomainError, InputRefused) as error:
        return _return(
            request, session, application, read, programme, month, f"Not signed off: {error}", 422
        )
    said = f"Signed off these figures (their SHA-256 begins {sha[:12]})."
    done = {"message": replayed(application, receipt) or said}
    return redirect_done(request, f"/returns/{month}?programme={quote(programme)}", done)
