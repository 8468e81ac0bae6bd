"""The board's monthly paper: what it says (JSON) or the PDF, prepare and sign off."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field

from api.deps import (
    MAX_REVISION,
    Application,
    BoardPaperReader,
    CurrentUser,
    IdempotencyKey,
    Reads,
    actor_of,
)
from api.errors import ERROR_RESPONSES
from api.schemas import Receipt, Strict
from api.web.paper import kept, pdf_of, prepare
from capacity.board_papers import TO_NOTE, Cover
from capacity.commands import SignOffBoardPaper
from projections.board_paper import PaperContents
from projections.board_papers import PaperRecord, paper_records

router = APIRouter(
    prefix="/api/v1/programmes/{programme}/board-papers",
    tags=["board papers"],
    responses=ERROR_RESPONSES,
)
PDF = "application/pdf"


class BoardPaperPublic(BaseModel):
    """A month's paper: a kept revision (prepared, perhaps signed off) or a draft."""

    status: Literal["draft", "prepared", "signed off"]
    revision: int | None
    sha256: str | None
    record: PaperRecord | None
    contents: PaperContents


class CoverIn(Strict):
    title: str = Field(max_length=4000)
    agenda_item: str = Field(max_length=4000)
    author: str = Field(max_length=4000)
    signed_off_by: str = Field(max_length=4000)
    purpose: Literal["approval", "decision", "discussion", "information"] = "information"
    recommendations: str = Field(default=TO_NOTE, max_length=4000)
    conflicts_of_interest: str = Field(default="None identified.", max_length=4000)
    impact_assessments: str = Field(default="", max_length=4000)


class Prepared(Receipt):
    revision: int


class SignOff(Strict):
    revision: int = Field(ge=1, le=MAX_REVISION)


@router.get("", response_model=list[PaperRecord])
def papers(programme: str, user: BoardPaperReader, read: Reads) -> list[PaperRecord]:
    """Every preparation of the programme's papers, month by month."""
    read.facts(programme)
    return paper_records(read.views, programme)


@router.get(
    "/{month}",
    response_model=BoardPaperPublic,
    responses={200: {"content": {PDF: {}}, "description": "JSON, or the PDF"}},
)
def board_paper(
    programme: str,
    month: str,
    user: BoardPaperReader,
    application: Application,
    read: Reads,
    revision: Annotated[int | None, Query(ge=1, le=MAX_REVISION)] = None,
    format: Literal["json", "pdf"] | None = None,
    accept: Annotated[str, Header()] = "",
) -> BoardPaperPublic | Response:
    """The latest kept revision (or ``?revision=``); a draft computed now when the month has no
    paper yet. ``Accept: application/pdf`` or ``?format=pdf`` answers the PDF, byte for byte
    as it was kept."""
    paper, record = kept(application, read, programme, month, revision)
    if format == "pdf" or (format is None and PDF in accept and "json" not in accept):
        body, sha = pdf_of(read, paper, record)
        name = f"{programme}-{month}-board-paper" + (f"-r{record.revision}" if record else "")
        return Response(
            body,
            media_type=PDF,
            headers={
                "Content-Disposition": f'attachment; filename="{name}.pdf"',
                "X-Wintertrack-Sha256": sha,
                "X-Wintertrack-Position": str(paper.known_at),
            },
        )
    status: Literal["draft", "prepared", "signed off"] = "draft"
    if record is not None:
        status = "signed off" if record.signed_off_by else "prepared"
    return BoardPaperPublic(
        status=status,
        revision=record.revision if record else None,
        sha256=record.sha256 if record else None,
        record=record,
        contents=paper,
    )


@router.post("/{month}/prepare", response_model=Prepared, status_code=201)
def prepare_paper(
    programme: str,
    month: str,
    body: CoverIn,
    user: CurrentUser,
    application: Application,
    read: Reads,
    key: IdempotencyKey = None,
) -> Prepared:
    """Reads the figures now, renders the PDF and keeps both as the month's next revision."""
    cover = Cover.checked(body.model_dump())
    application.authorise(actor_of(user), "prepare_board_paper", programme)
    receipt, revision = prepare(application, read, actor_of(user), programme, month, cover, key)
    return Prepared(
        position=receipt.position, ids=receipt.ids, replayed=receipt.replayed, revision=revision
    )


@router.post("/{month}/sign-off", response_model=Receipt)
def sign_off_paper(
    programme: str,
    month: str,
    body: SignOff,
    user: CurrentUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    """Signs off (freezes) the named revision, which must be the latest prepared."""
    receipt = application.run_command(
        SignOffBoardPaper(
            actor=actor_of(user), programme=programme, month=month, revision=body.revision
        ),
        idempotency_key=key,
    )
    return Receipt(position=receipt.position, ids=receipt.ids, replayed=receipt.replayed)
