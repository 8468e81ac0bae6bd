"""Programmes: open one (admin), read it with its reconciliation (everyone)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter

from api.deps import AnyUser, Application, IdempotencyKey, ProgrammeReader, Reads, actor_of
from api.errors import ERROR_RESPONSES
from api.presenters import about_numbers, allocations, programme_public
from api.responses import About
from api.schemas import (
    AllocationRevision,
    BedTargetRevision,
    DiversionIn,
    FundsReceivedIn,
    ManagementForecastIn,
    ProgrammeCreate,
    ProgrammePublic,
    Receipt,
)
from projections import listings

router = APIRouter(prefix="/api/v1/programmes", tags=["programmes"], responses=ERROR_RESPONSES)


@router.post("", status_code=201, response_model=Receipt)
def open_programme(
    body: ProgrammeCreate, user: AnyUser, application: Application, key: IdempotencyKey = None
) -> Receipt:
    spec = body.model_dump()
    spec["allocations"] = {k: Decimal(v) for k, v in spec["allocations"].items()}
    receipt = application.open_programme(actor_of(user), spec, idempotency_key=key)
    return Receipt(**vars(receipt))


@router.get("/{programme}", response_model=ProgrammePublic)
def get_programme(programme: str, user: ProgrammeReader, read: Reads) -> ProgrammePublic:
    found = read.facts(programme)
    schemes = [found.schemes[c] for c in listings.scheme_codes(read, programme)]
    reconciliation = []
    for stream, allocated in allocations(found).items():
        committed = sum(
            (s.current_allocation_gbp for s in schemes if s.funding_stream == stream), Decimal(0)
        )
        reconciliation.append(
            {
                "funding_stream": stream,
                "programme_allocation_gbp": f"{allocated:.2f}",
                "scheme_allocations_gbp": f"{committed:.2f}",
                "unassigned_gbp": f"{allocated - committed:.2f}",
            }
        )
    return ProgrammePublic(**programme_public(found), reconciliation=reconciliation)


@router.post("/{programme}/diversions", status_code=201, response_model=Receipt)
def divert(
    programme: str,
    body: DiversionIn,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    receipt = application.divert_funding(
        actor_of(user),
        programme,
        body.from_scheme,
        body.to_scheme,
        body.amount_gbp,
        body.decision_ref,
        body.decided_on,
        idempotency_key=key,
        confirm_repeat=body.confirm_repeat,
    )
    return Receipt(**vars(receipt))


@router.post("/{programme}/bed-target", response_model=Receipt)
def revise_bed_target(
    programme: str,
    body: BedTargetRevision,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    receipt = application.revise_bed_target(
        actor_of(user), programme, body.bed_target, body.reason, idempotency_key=key
    )
    return Receipt(**vars(receipt))


@router.post("/{programme}/allocations", response_model=Receipt)
def revise_allocation(
    programme: str,
    body: AllocationRevision,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    receipt = application.revise_allocation(
        actor_of(user),
        programme,
        body.funding_stream,
        body.amount_gbp,
        body.reason,
        body.effective_on,
        idempotency_key=key,
    )
    return Receipt(**vars(receipt))


@router.post("/{programme}/funds-received", status_code=201, response_model=Receipt)
def funds_received(
    programme: str,
    body: FundsReceivedIn,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    receipt = application.record_funds_received(
        actor_of(user),
        programme,
        body.funding_stream,
        body.amount_gbp,
        body.received_on,
        idempotency_key=key,
        confirm_repeat=body.confirm_repeat,
    )
    return Receipt(**vars(receipt))


@router.post("/{programme}/management-forecasts", status_code=201, response_model=Receipt)
def management_forecast(
    programme: str,
    body: ManagementForecastIn,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    """Finance's forecast outturn to March for a stream, from the month's return on."""
    receipt = application.record_management_forecast(
        actor_of(user),
        programme,
        body.funding_stream,
        body.month,
        body.amount_gbp,
        body.note,
        idempotency_key=key,
    )
    return Receipt(**vars(receipt))


@router.get("/{programme}/about", response_model=About)
def about(programme: str, user: ProgrammeReader, read: Reads) -> dict[str, Any]:
    """How the bed target is built: the schemes counted and their sum, the schemes not counted
    and why, and every place the catalogue departs from its source."""
    return about_numbers(read, programme)
