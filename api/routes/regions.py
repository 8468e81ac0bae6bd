"""The region's API (a region instance): its ICBs with their latest figures, the submission
tracker for a month, each ICB's artefacts as submitted, and the regional roll-up."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import Allowed, Reads, Revision
from api.errors import ERROR_RESPONSES
from api.region_answers import RegionOverview, Tracker
from api.responses import FILES
from api.routes.returns import XLSX
from capacity.users import User
from projections.region import artefact, find_region, overview, tracker
from projections.region_exports import rollup_csv, rollup_xlsx
from schemes.months import YearMonth
from schemes.regions import Region

router = APIRouter(prefix="/api/v1/regions/{region}", tags=["regions"], responses=ERROR_RESPONSES)


# Region users of this region, and administrators (the policy's ``read_region``).
RegionReader = Annotated[User, Depends(Allowed("read_region", programme_param="region"))]


def configured(request: Request, code: str) -> Region:
    return find_region(code, getattr(request.app.state, "region", None))


def month_of(month: str) -> str:
    return str(YearMonth.parse(month))


@router.get("", response_model=RegionOverview, response_model_exclude_unset=True)
def region_overview(
    request: Request, region: str, user: RegionReader, read: Reads
) -> dict[str, Any]:
    return overview(read.views, configured(request, region), read.today())


@router.get("/submissions/{month}", response_model=Tracker, response_model_exclude_unset=True)
def submissions(
    request: Request, region: str, month: str, user: RegionReader, read: Reads
) -> dict[str, Any]:
    return tracker(read.views, configured(request, region), month_of(month), read.today())


@router.get(
    "/submissions/{month}/rollup", response_class=Response, response_model=None, responses=FILES
)
def rollup(
    request: Request,
    region: str,
    month: str,
    user: RegionReader,
    read: Reads,
    format: Literal["csv", "xlsx"] = "csv",
) -> Response:
    found = tracker(read.views, configured(request, region), month_of(month), read.today())
    name = f"{region}-{found['month']}-regional-return.{format}"
    content: str | bytes = rollup_csv(found) if format == "csv" else rollup_xlsx(found)
    media = "text/csv; charset=utf-8" if format == "csv" else XLSX
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/submissions/{month}/{icb}/revisions/{revision}/{name}",
    response_class=Response,
    response_model=None,
    responses=FILES,
)
def submitted_artefact(
    request: Request,
    region: str,
    month: str,
    icb: str,
    revision: Revision,
    name: Literal["csv", "xlsx"],
    user: RegionReader,
    read: Reads,
) -> Response:
    """The artefact exactly as the ICB submitted it, with its SHA-256 in a header."""
    filename, media, content, sha = artefact(
        request.app.state.application,
        read.views,
        configured(request, region),
        month,
        icb,
        revision,
        name,
    )
    return Response(
        content,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Wintertrack-Sha256": sha,
        },
    )
