"""A scheme's history as sentences, newest first, a page at a time, filterable by kind."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Application, PageProgramme, Reads, SignedIn
from api.history import scheme_history
from api.history_text import KINDS, newest_first
from api.web.common import PageGate, render_page
from capacity.errors import DomainError
from projections import listings

router = APIRouter(include_in_schema=False)
PER_PAGE = 25


@router.get(
    "/schemes/{code}/history",
    dependencies=[Depends(PageGate("read_history"))],
    response_class=HTMLResponse,
    response_model=None,
)
def history_page(
    request: Request,
    code: str,
    session: SignedIn,
    application: Application,
    read: Reads,
    programme: PageProgramme,
) -> Response:
    kind = request.query_params.get("kind") or None
    if kind is not None and kind not in KINDS:
        kind = None
    try:
        page = int(request.query_params.get("page") or 1)
    except ValueError:
        page = 1
    try:
        scheme = listings.scheme(read, programme, code)
        entries = scheme_history(application, read, programme, code)
    except DomainError as error:
        return render_page(
            request, "error.html", {"_session": session, "error": error.message}, 404
        )
    lines, pages = newest_first(entries, kind, page, PER_PAGE)
    return render_page(
        request,
        "history.html",
        {
            "_session": session,
            "scheme": scheme,
            "programme": programme,
            "lines": lines,
            "kinds": KINDS,
            "kind": kind or "",
            "page": min(max(page, 1), pages),
            "pages": pages,
        },
    )
