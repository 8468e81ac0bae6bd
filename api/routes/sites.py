"""Acute sites and their daily flow."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter

from api.deps import AnyUser, Application, IdempotencyKey, actor_of
from api.errors import ERROR_RESPONSES
from api.schemas import FlowCorrection, FlowIn, Receipt, SiteCreate
from capacity.commands import CorrectFlow, RegisterSite, ReportFlow
from schemes.rules import InputRefused

router = APIRouter(
    prefix="/api/v1/programmes/{programme}/sites", tags=["sites"], responses=ERROR_RESPONSES
)


def flow_body(body: FlowIn) -> dict[str, Any]:
    raw = body.model_dump(exclude={"reason"})
    raw["date"] = body.date.isoformat()
    return raw


@router.post("", status_code=201, response_model=Receipt)
def register_site(
    programme: str,
    body: SiteCreate,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    receipt = application.run_command(
        RegisterSite(
            actor=actor_of(user),
            programme=programme,
            ods_code=body.ods_code,
            name=body.name,
            place=body.place,
        ),
        idempotency_key=key,
    )
    return Receipt(**vars(receipt))


@router.post("/{ods}/flow", status_code=201, response_model=Receipt)
def report_flow(
    programme: str,
    ods: str,
    body: FlowIn,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    receipt = application.run_command(
        ReportFlow(
            actor=actor_of(user), programme=programme, ods_code=ods, figures=flow_body(body)
        ),
        idempotency_key=key,
    )
    return Receipt(**vars(receipt))


@router.put("/{ods}/flow/{day}", response_model=Receipt)
def correct_flow(
    programme: str,
    ods: str,
    day: date,
    body: FlowCorrection,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    if body.date != day:
        raise InputRefused("date", f"must match the date in the path ({day.isoformat()})")
    receipt = application.run_command(
        CorrectFlow(
            actor=actor_of(user),
            programme=programme,
            ods_code=ods,
            figures=flow_body(body),
            reason=body.reason,
        ),
        idempotency_key=key,
    )
    return Receipt(**vars(receipt))
