"""The monthly NHSE return: preview in JSON, CSV or XLSX, submit, fetch revisions, diff."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import (
    MAX_POSITION,
    Application,
    IdempotencyKey,
    Reads,
    ReturnReader,
    Revision,
    actor_of,
)
from api.errors import ERROR_RESPONSES
from api.responses import FILES, JSON_OR_FILES
from api.return_answers import ReturnAnswer, ReturnDiff, SignOffState, Submission
from api.schemas import Receipt
from capacity.app.submission import sign_off, submit
from capacity.errors import NotFound
from projections.exports import to_csv, to_xlsx
from projections.submission import ViewFigures, diff_since_latest, sign_off_status

router = APIRouter(
    prefix="/api/v1/programmes/{programme}/returns", tags=["returns"], responses=ERROR_RESPONSES
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")]


def render(report: dict[str, Any], fmt: str, name: str) -> Response | dict[str, Any]:
    if fmt == "csv":
        return Response(
            to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "xlsx":
        return Response(
            to_xlsx(report),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return JSONResponse(report)


@router.get("/{month}", response_model=ReturnAnswer, responses=JSON_OR_FILES)
def get_return(
    programme: str,
    month: str,
    user: ReturnReader,
    read: Reads,
    format: Literal["json", "csv", "xlsx"] = "json",
    known_at: Annotated[int | None, Query(ge=0, le=MAX_POSITION)] = None,
) -> Response | dict[str, Any]:
    report = read.monthly_return(programme, month, known_at)
    return render(report, format, f"{programme}-{month}-return")


class SubmitResult(Receipt):
    revision: int
    computed_at_position: int
    sha256: str


@router.post("/{month}/submit", response_model=SubmitResult, status_code=201)
def submit_return(
    programme: str,
    month: str,
    user: ReturnReader,
    application: Application,
    read: Reads,
    key: IdempotencyKey = None,
    reason: Annotated[str, Query(max_length=500, description="Why, for a restatement")] = "",
    resubmit_unchanged: Annotated[
        bool, Query(description="Restate with the same figures as the latest revision")
    ] = False,
) -> SubmitResult:
    """Submits the month's return (once the month has ended); a restatement needs a
    ``reason`` and a change since the latest revision, or ``resubmit_unchanged``."""
    read.monthly_return(programme, month)  # validates the month before anything is stored
    receipt, revision, position, sha = submit(
        application,
        ViewFigures(read),
        actor_of(user),
        programme,
        month,
        reason,
        idempotency_key=key,
        unchanged=resubmit_unchanged,
    )
    return SubmitResult(
        position=receipt.position,
        ids=receipt.ids,
        replayed=receipt.replayed,
        revision=revision,
        computed_at_position=position,
        sha256=sha,
    )


class SignOffRequest(BaseModel):
    """The figures the signer saw: the position they were computed at and their SHA-256."""

    model_config = ConfigDict(extra="forbid")
    position: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class SignOffResult(Receipt):
    computed_at_position: int
    figures_sha256: str


@router.get("/{month}/sign-off", response_model=SignOffState, response_model_exclude_unset=True)
def sign_off_state(programme: str, month: str, user: ReturnReader, read: Reads) -> dict[str, Any]:
    """The figures as they stand (position and SHA-256) and the standing sign-off, if any:
    ``valid`` is false once a change has voided it."""
    return sign_off_status(read, programme, month)


@router.post("/{month}/sign-off", response_model=SignOffResult, status_code=201)
def sign_off_return(
    programme: str,
    month: str,
    body: SignOffRequest,
    user: ReturnReader,
    application: Application,
    read: Reads,
) -> SignOffResult:
    """Signs off exactly the figures computed at ``position`` with SHA-256 ``sha256``."""
    read.monthly_return(programme, month)  # validates the month before anything is stored
    receipt, position, sha = sign_off(
        application, ViewFigures(read), actor_of(user), programme, month, body.position, body.sha256
    )
    return SignOffResult(
        position=receipt.position,
        ids=receipt.ids,
        replayed=receipt.replayed,
        computed_at_position=position,
        figures_sha256=sha,
    )


@router.get("/{month}/submissions", response_model=list[Submission])
def submissions(
    programme: str, month: str, user: ReturnReader, read: Reads
) -> list[dict[str, Any]]:
    read.facts(programme)
    return [
        {k: v for k, v in s.items() if k not in ("csv", "xlsx")}
        for s in read.submissions(programme, month)
    ]


@router.get(
    "/{month}/submissions/{revision}", response_class=Response, response_model=None, responses=FILES
)
def submission(
    programme: str,
    month: str,
    revision: Revision,
    user: ReturnReader,
    read: Reads,
    format: Literal["csv", "xlsx"] = "csv",
) -> Response:
    """A submitted revision byte for byte as submitted, CSV or (from layout 2) XLSX."""
    found = read.submission(programme, month, revision)
    name = f"{programme}-{month}-r{revision}"
    if format == "xlsx":
        if not found["xlsx"]:
            raise NotFound(f"revision {revision} was submitted before workbooks were kept")
        body: str | bytes = found["xlsx"]
        media, sha = XLSX, str(found["xlsx_sha256"])
    else:
        body, media, sha = found["csv"], "text/csv; charset=utf-8", str(found["sha256"])
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{format}"',
            "X-Wintertrack-Sha256": sha,
            "X-Wintertrack-Position": str(found["computed_at_position"]),
        },
    )


@router.get("/{month}/diff", response_model=ReturnDiff, response_model_exclude_unset=True)
def diff(programme: str, month: str, user: ReturnReader, read: Reads) -> dict[str, Any]:
    return diff_since_latest(read, programme, month)
