"""Schemes: register (admin), list and detail (everyone), lifecycle, beds, history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import (
    AnyUser,
    Application,
    HistoryReader,
    IdempotencyKey,
    ProgrammeReader,
    Reads,
    actor_of,
)
from api.errors import ERROR_RESPONSES
from api.history import scheme_history
from api.presenters import scheme_public
from api.schemas import (
    BedChange,
    HistoryEntry,
    Mobilise,
    NarrativeIn,
    Receipt,
    SchemeCreate,
    SchemePublic,
    StatusChange,
)
from capacity.errors import NotFound
from projections import listings
from projections.readmodel import ReadModel

router = APIRouter(
    prefix="/api/v1/programmes/{programme}/schemes", tags=["schemes"], responses=ERROR_RESPONSES
)


def _receipt(receipt: Any) -> Receipt:
    return Receipt(**vars(receipt))


@router.post("", status_code=201, response_model=Receipt)
def register_scheme(
    programme: str,
    body: SchemeCreate,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    spec = body.model_dump()
    return _receipt(
        application.register_scheme(actor_of(user), programme, spec, idempotency_key=key)
    )


def _beds(read: ReadModel, programme: str, code: str) -> dict[str, Any]:
    """Beds open beside beds occupied, for a bedded scheme whose figures the views hold."""
    try:
        found = read.scheme_beds(programme, code)
    except NotFound:
        return {}
    if found is None:
        return {}
    return found.model_dump(include={"beds_open", "beds_occupied", "beds_occupied_on"})


@router.get("", response_model=list[SchemePublic])
def list_schemes(programme: str, user: ProgrammeReader, read: Reads) -> list[SchemePublic]:
    facts = read.facts(programme)
    return [
        SchemePublic(
            **scheme_public(s, s.provenance, s.typed_kpis, s.registered_place_split),
            **_beds(read, programme, s.code),
        )
        for s in (facts.schemes[c] for c in listings.scheme_codes(read, programme))
    ]


@router.get("/{scheme}", response_model=SchemePublic)
def get_scheme(programme: str, scheme: str, user: ProgrammeReader, read: Reads) -> SchemePublic:
    found = listings.scheme(read, programme, scheme)
    public = scheme_public(found, found.provenance, found.typed_kpis, found.registered_place_split)
    return SchemePublic(**public, **_beds(read, programme, scheme))


@router.post("/{scheme}/mobilise", response_model=Receipt)
def mobilise(
    programme: str,
    scheme: str,
    body: Mobilise,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    return _receipt(
        application.mobilise_scheme(
            actor_of(user), programme, scheme, body.went_live_on, idempotency_key=key
        )
    )


@router.post("/{scheme}/beds", status_code=201, response_model=Receipt)
def change_beds(
    programme: str,
    scheme: str,
    body: BedChange,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    return _receipt(
        application.change_beds(
            actor_of(user),
            programme,
            scheme,
            body.date,
            body.change,
            body.bed_type,
            body.reason,
            idempotency_key=key,
        )
    )


@router.post("/{scheme}/status", response_model=Receipt)
def change_status(
    programme: str,
    scheme: str,
    body: StatusChange,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    return _receipt(
        application.change_status(
            actor_of(user),
            programme,
            scheme,
            body.action,
            body.on,
            body.reason,
            idempotency_key=key,
        )
    )


@router.post("/{scheme}/narrative", response_model=Receipt)
def update_narrative(
    programme: str,
    scheme: str,
    body: NarrativeIn,
    user: AnyUser,
    application: Application,
    key: IdempotencyKey = None,
) -> Receipt:
    return _receipt(
        application.update_narrative(
            actor_of(user), programme, scheme, body.narrative, idempotency_key=key
        )
    )


@router.get("/{scheme}/history", response_model=list[HistoryEntry])
def history(
    programme: str, scheme: str, user: HistoryReader, application: Application, read: Reads
) -> list[HistoryEntry]:
    listings.scheme(read, programme, scheme)
    return scheme_history(application, read, programme, scheme)
