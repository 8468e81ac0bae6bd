"""What the board reads: the dashboard, delivery figures and the winters compared, as of a date
and as known at."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from api.deps import MAX_POSITION, DashboardReader, Reads
from api.errors import ERROR_RESPONSES
from api.responses import DashboardAnswer
from projections.readings import dashboard_reading
from projections.shapes import DeliveryDaily, DeliveryMonth, Winters
from projections.winters import compare_winters

router = APIRouter(
    prefix="/api/v1/programmes/{programme}", tags=["board"], responses=ERROR_RESPONSES
)

AsOf = Annotated[date | None, Query(description="Valid date (default today)")]
KnownAt = Annotated[
    int | None, Query(ge=0, le=MAX_POSITION, description="Event-log position (default latest)")
]


@router.get("/dashboard", response_model=DashboardAnswer)
def dashboard(
    request: Request,
    programme: str,
    user: DashboardReader,
    read: Reads,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    reading: Literal["figures_for", "as_it_stood"] = "figures_for",
) -> JSONResponse:
    """The dashboard; ``as_at`` says how fresh the views behind it are (position, age, lag).
    ``reading``: ``figures_for`` the day's figures as known now, or ``as_it_stood`` the winter
    as known at the day's end (``known_at``, when given, names the position itself)."""
    if known_at is None:
        board = dashboard_reading(read, programme, as_of, reading)
    else:
        board = read.dashboard(programme, as_of, known_at)
    # Dumped once to plain JSON values: JSONResponse skips FastAPI's slower generic encoder.
    return JSONResponse({**board.as_json(), "as_at": request.state.as_at.as_dict()})


@router.get("/delivery", response_model=DeliveryMonth)
def delivery(
    programme: str,
    user: DashboardReader,
    read: Reads,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", examples=["2022-11"])],
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> DeliveryMonth:
    return read.delivery_month(programme, month, as_of, known_at)


@router.get("/delivery/daily", response_model=DeliveryDaily)
def delivery_daily(
    programme: str,
    user: DashboardReader,
    read: Reads,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    known_at: KnownAt = None,
) -> DeliveryDaily:
    return read.delivery_daily(programme, start, end, known_at)


@router.get("/winters", response_model=Winters)
def winters(
    programme: str,
    user: DashboardReader,
    read: Reads,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> Winters:
    """Every winter of the programme's ICB month by month (M7 October … M12 March): delivered
    beds-equivalent against each winter's bed target."""
    return compare_winters(read, programme, as_of, known_at)
