"""Daily figures (leads) and monthly spend (finance), with corrections."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from api.deps import AnyUser, Application, IdempotencyKey, actor_of
from api.errors import ERROR_RESPONSES
from api.schemas import (
    DailyCorrection,
    DailyIn,
    Receipt,
    SpendCorrection,
    SpendIn,
    daily_body,
)
from schemes.rules import InputRefused

router = APIRouter(
    prefix="/api/v1/programmes/{programme}/schemes/{scheme}",
    tags=["figures"],
    responses=ERROR_RESPONSES,
)


@router.post("/daily", status_code=201, response_model=Receipt)
def report_daily(
    programme: str,
    scheme: str,
    body: DailyIn,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    receipt = application.report_daily(
        actor_of(user), programme, scheme, daily_body(body), idempotency_key=key
    )
    return Receipt(**vars(receipt))


@router.put("/daily/{day}", response_model=Receipt)
def correct_daily(
    programme: str,
    scheme: str,
    day: date,
    body: DailyCorrection,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    """Corrects a day already reported. The correction **replaces the whole day**: send every
    figure the day should keep; a figure left out is cleared. Needs a reason."""
    if body.date != day:
        raise InputRefused("date", f"must match the date in the path ({day.isoformat()})")
    receipt = application.correct_daily(
        actor_of(user), programme, scheme, daily_body(body), body.reason, idempotency_key=key
    )
    return Receipt(**vars(receipt))


@router.post("/spend", status_code=201, response_model=Receipt)
def record_spend(
    programme: str,
    scheme: str,
    body: SpendIn,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    receipt = application.record_spend(
        actor_of(user),
        programme,
        scheme,
        body.month,
        body.amount_gbp,
        body.basis,
        idempotency_key=key,
        confirm_comment=body.confirm_comment,
    )
    return Receipt(**vars(receipt))


@router.put("/spend/{month}", response_model=Receipt)
def correct_spend(
    programme: str,
    scheme: str,
    month: str,
    body: SpendCorrection,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    receipt = application.correct_spend(
        actor_of(user),
        programme,
        scheme,
        month,
        body.amount_gbp,
        body.basis,
        body.reason,
        idempotency_key=key,
        confirm_comment=body.confirm_comment,
    )
    return Receipt(**vars(receipt))
