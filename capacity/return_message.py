"""The message an ICB sends its region for every submitted return revision (``{prefix}.returns``).

The contract both ends share: the ICB's relay builds it from the stored submission, the region
checks it here before anything is stored (schema, region, and each artefact's SHA-256 against
its bytes). Schema version 1.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from capacity.programme import Programme
from capacity.signing import check_signature
from capacity.values import FUNDING_STREAMS
from schemes.regions import RegionIcb
from schemes.rules import InputRefused

SCHEMA_VERSION = 1
SHA = r"^[0-9a-f]{64}$"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Artefact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=200)
    media_type: str = Field(min_length=1, max_length=200)
    base64: str = Field(min_length=1)
    sha256: str = Field(pattern=SHA)


class ProgrammeInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
    icb_code: str = Field(pattern=r"^[A-Z0-9]{3,5}$")
    icb_name: str = Field(min_length=1, max_length=200)
    region_code: str = Field(pattern=r"^[A-Z0-9]{3}$")
    winter: str = Field(min_length=1, max_length=20)
    period_start: date
    period_end: date
    bed_target: int = Field(ge=0, le=100_000)
    allocations: dict[
        Literal["capital", "revenue", "virtual_ward"],
        Annotated[Decimal, Field(ge=0, lt=10**10, decimal_places=2)],
    ]


# a figure or an amount the region adds up: bounded, so no sender's number overflows a total
Bounded = Annotated[Decimal, Field(allow_inf_nan=False, ge=-(10**12), le=10**12)]


class StreamFigures(BaseModel):
    programme_allocation_gbp: Bounded
    spend_to_date_gbp: Bounded


class ReturnSummary(BaseModel):
    """What the region reads of a return's summary (the rest is kept as sent)."""

    bed_target: int = Field(ge=0, le=100_000)
    delivered_beds_equivalent: Bounded
    planned_beds_equivalent: Bounded
    spend_to_date_gbp: Bounded
    spend_in_month_gbp: Bounded
    allocation_gbp: Bounded
    by_stream: dict[Literal["capital", "revenue", "virtual_ward"], StreamFigures] = Field(
        min_length=3
    )


class ReturnMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_version: Literal[1]
    programme: ProgrammeInfo
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    revision: int = Field(ge=1, le=1000)
    kind: Literal["primary", "restatement"]
    reason: str = Field(max_length=2000)
    submitted_by: str = Field(min_length=1, max_length=200)
    submitted_at: datetime
    computed_at_position: int = Field(ge=0)
    sha256: str = Field(pattern=SHA)
    report: dict[str, Any] = Field(alias="return")
    artefacts: dict[Literal["csv", "xlsx"], Artefact]

    @field_validator("submitted_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("must carry a time zone")
        return value


def _artefact(name: str, media_type: str, content: bytes) -> dict[str, str]:
    return {
        "filename": name,
        "media_type": media_type,
        "base64": base64.b64encode(content).decode("ascii"),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def return_message(programme: Programme, event: Any) -> dict[str, Any] | None:
    """The message for one ``ReturnSubmitted`` event; None for a version-1 submission, which
    stored neither the return's JSON nor its XLSX."""
    if not event.report or not event.xlsx:
        return None
    report = json.loads(event.report)
    summary = report["summary"]
    stem = f"{event.programme}-{event.month}-r{event.revision}"
    return {
        "schema_version": SCHEMA_VERSION,
        "programme": {
            **programme.identity(),
            "bed_target": summary["bed_target"],
            "allocations": {
                s: summary["by_stream"].get(s, {}).get("programme_allocation_gbp", "0.00")
                for s in FUNDING_STREAMS
            },
        },
        "month": event.month,
        "revision": event.revision,
        "kind": "primary" if event.revision == 1 else "restatement",
        "reason": event.reason,
        "submitted_by": event.actor.user_id,
        "submitted_at": event.timestamp.isoformat(),
        "computed_at_position": event.position,
        "sha256": event.sha256,
        "return": report,
        "artefacts": {
            "csv": _artefact(f"{stem}.csv", "text/csv", event.csv.encode("utf-8")),
            "xlsx": _artefact(f"{stem}.xlsx", XLSX, base64.b64decode(event.xlsx)),
        },
    }


def _not_a_number(constant: str) -> object:
    raise InputRefused("message", f"{constant} is not a number")


def parse_message(payload: bytes) -> ReturnMessage:
    """The message, or InputRefused naming the first field that is wrong."""
    try:
        data = json.loads(payload, parse_constant=_not_a_number)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputRefused("message", f"not JSON: {error}") from None
    try:
        return ReturnMessage.model_validate(data)
    except ValidationError as error:
        raise refusal(error) from None


def refusal(error: ValidationError, prefix: str = "") -> InputRefused:
    """The first error, naming its field."""
    first = error.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "message"
    return InputRefused(prefix + field, first["msg"])


def artefact_bytes(message: ReturnMessage, name: Literal["csv", "xlsx"]) -> bytes:
    """An artefact's bytes, after checking them against their SHA-256."""
    artefact = message.artefacts.get(name)
    if artefact is None:
        raise InputRefused(f"artefacts.{name}", "is required")
    try:
        content = base64.b64decode(artefact.base64, validate=True)
    except (binascii.Error, ValueError):
        raise InputRefused(f"artefacts.{name}.base64", "is not base64") from None
    if hashlib.sha256(content).hexdigest() != artefact.sha256:
        raise InputRefused(f"artefacts.{name}.sha256", "does not match the artefact's bytes")
    return content


@dataclass(frozen=True)
class Sender:
    """What the transport says about a message: its exact bytes, the signature over them (the
    ``signature`` header) and the message key."""

    payload: bytes
    signature: str | None
    key: str | None


def check_sender(icb: RegionIcb, message: ReturnMessage, sender: Sender) -> str:
    """The return was signed by a key the region lists for the ICB it names, is keyed by its
    programme, and the programme is that ICB's (its code starts with the ICB's code); returns
    the signing key's id, or raises InputRefused naming what fails."""
    signed_by = check_signature(icb.code, icb.public_keys, sender.payload, sender.signature)
    code = message.programme.code
    if sender.key != code:
        key = str(sender.key)[:70]
        raise InputRefused("key", f"is {key!r}: a return is keyed by its programme")
    if not code.startswith(f"{icb.code}-"):
        raise InputRefused("programme.code", f"{code} is not a programme of {icb.code}")
    return signed_by


def verify(message: ReturnMessage, region: str) -> None:
    """Every check before a received return is stored; raises InputRefused naming the field."""
    if message.programme.region_code != region:
        raise InputRefused(
            "programme.region_code", f"is {message.programme.region_code}, not region {region}"
        )
    artefact_bytes(message, "csv")
    artefact_bytes(message, "xlsx")
    if message.sha256 != message.artefacts["csv"].sha256:
        raise InputRefused("sha256", "is not the SHA-256 of the submitted CSV")
    if (message.kind == "primary") != (message.revision == 1):
        raise InputRefused("kind", "revision 1 is the primary return; later ones restate it")
    report = message.report
    if report.get("programme") != message.programme.code or report.get("month") != message.month:
        raise InputRefused("return", "names another programme or month than the message")
    if not isinstance(report.get("summary"), dict):
        raise InputRefused("return.summary", "is required")
    try:
        ReturnSummary.model_validate(report["summary"])
    except ValidationError as error:
        raise refusal(error, "return.summary.") from None
