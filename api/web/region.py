"""The region's pages: its ICBs' delivery and money by month, the submission tracker with the
non-submitters, each ICB's artefacts as submitted, and the regional roll-up return."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Application, Reads, Revision, Session, SignedIn, get_read_model
from api.routes.returns import XLSX
from api.web.common import PageGate, render_page
from capacity.errors import DomainError
from capacity.policy import refusal
from projections.region import artefact, find_region, overview, tracker
from projections.region_exports import rollup_csv, rollup_xlsx
from schemes.months import YearMonth, financial_month_label
from schemes.regions import Region
from schemes.rules import InputRefused

router = APIRouter(include_in_schema=False)
STATUS_LABELS = {
    "submitted": "Submitted",
    "resubmitted": "Resubmitted",
    "late": "Late",
    "missing": "Missing",
    "not_due": "Not yet due",
}


def _someone_returned(totals: dict[str, int]) -> bool:
    return totals["missing"] + totals["not_due"] < totals["icbs"]


def month_label(month: str) -> str:
    ym = YearMonth.parse(month)
    return f"{financial_month_label(ym)} {ym.first_day:%b %Y}"


def _gate(request: Request, session: Session, code: str) -> Region | Response:
    """The region, or a page saying why not (unknown region, or not this reader's)."""
    user = session.user
    try:
        region = find_region(code, getattr(request.app.state, "region", None))
    except DomainError as error:
        return render_page(
            request, "error.html", {"_session": session, "error": error.message}, 404
        )
    refused = refusal(user.role, user, "read_region", region.code, None)
    if refused is not None:
        return render_page(
            request,
            "task_forbidden.html",
            {
                "_session": session,
                "error": f"The {region.name} region's returns are for region users and "
                f"administrators; you are signed in as {user.name} ({user.role}).",
            },
            403,
        )
    return region


def _context(session: Session, extra: dict[str, object]) -> dict[str, object]:
    return {
        "_session": session,
        "status_labels": STATUS_LABELS,
        "month_label": month_label,
        **extra,
    }


@router.get(
    "/regions/{code}",
    dependencies=[Depends(PageGate("read_region", "code"))],
    response_class=HTMLResponse,
    response_model=None,
)
def region_page(request: Request, code: str, session: SignedIn, read: Reads) -> Response:
    region = _gate(request, session, code)
    if isinstance(region, Response):
        return region
    found = overview(read.views, region, read.today())
    reported = [m for m in found["months"] if _someone_returned(m["totals"])]
    return render_page(
        request, "region.html", _context(session, {"o": found, "reported": reported})
    )


@router.get(
    "/regions/{code}/submissions/{month}",
    dependencies=[Depends(PageGate("read_region", "code"))],
    response_class=HTMLResponse,
    response_model=None,
)
def submissions_page(
    request: Request, code: str, month: str, session: SignedIn, read: Reads
) -> Response:
    region = _gate(request, session, code)
    if isinstance(region, Response):
        return region
    wanted = request.query_params.get("month") or month
    try:
        found = tracker(read.views, region, wanted, read.today())
    except InputRefused as error:
        return render_page(request, "error.html", {"_session": session, "error": str(error)}, 422)
    months = [m["month"] for m in overview(read.views, region, read.today())["months"]]
    return render_page(
        request, "region_submissions.html", _context(session, {"t": found, "months": months})
    )


@router.get(
    "/regions/{code}/submissions/{month}/rollup.{fmt}",
    dependencies=[Depends(PageGate("read_region", "code"))],
    response_model=None,
)
def rollup_download(
    request: Request, code: str, month: str, fmt: str, session: SignedIn
) -> Response:
    region = _gate(request, session, code)
    if isinstance(region, Response):
        return region
    if fmt not in ("csv", "xlsx"):
        return Response("format: must be csv or xlsx", status_code=404)
    read = get_read_model(request)  # only for a format it can answer
    try:
        found = tracker(read.views, region, month, read.today())
    except InputRefused as error:
        return Response(str(error), status_code=422)
    name = f"{region.code}-{found['month']}-regional-return.{fmt}"
    return Response(
        rollup_csv(found) if fmt == "csv" else rollup_xlsx(found),
        media_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/regions/{code}/submissions/{month}/{icb}/revisions/{revision}.{fmt}",
    dependencies=[Depends(PageGate("read_region", "code"))],
    response_model=None,
)
def artefact_download(
    request: Request,
    code: str,
    month: str,
    icb: str,
    revision: Revision,
    fmt: str,
    session: SignedIn,
    application: Application,
    read: Reads,
) -> Response:
    region = _gate(request, session, code)
    if isinstance(region, Response):
        return region
    try:
        name, media, content, sha = artefact(
            application, read.views, region, month, icb, revision, fmt
        )
    except InputRefused as error:
        return Response(str(error), status_code=422)
    except DomainError as error:
        return Response(error.message, status_code=404)
    return Response(
        content,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Wintertrack-Sha256": sha,
        },
    )
