"""The region catalogue: which ICBs send their monthly return to an NHS England region, and the
public keys each ICB signs its returns with (``capacity/signing.py``).

A region's list of ICBs is configuration, like the scheme catalogue: an ICB that never sent
anything is still listed (as ``missing``). East of England (Y61) is built in as package data.
"""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemes.deadlines import deadline
from schemes.months import YearMonth
from schemes.rules import InputRefused

BUILT_IN = {"Y61": "region-y61.json"}
REGION_CODE = r"^[A-Z0-9]{3}$"


PUBLIC_KEY = r"^[A-Za-z0-9+/]{43}=$"  # an Ed25519 public key: base64 of its 32 raw bytes


class RegionIcb(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Z0-9]{3,5}$")
    name: str = Field(min_length=1, max_length=200)
    # the keys whose signature the region accepts on this ICB's returns (more than one while a
    # key is rotated); none: nothing from this ICB is stored
    public_keys: tuple[Annotated[str, Field(pattern=PUBLIC_KEY)], ...] = Field(
        default=(), max_length=10
    )


class Region(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=REGION_CODE)
    name: str = Field(min_length=1, max_length=200)
    deadline_working_day: int = Field(default=10, ge=1, le=20)
    # "working_day": the n-th working day of the following month (the region's practice);
    # "month_end": the end of the following month (the source's "at the end of each month")
    deadline_rule: Literal["working_day", "month_end"] = "working_day"
    icbs: tuple[RegionIcb, ...] = Field(min_length=1)

    def due(self, month: YearMonth) -> date:
        return deadline(month, self.deadline_working_day, self.deadline_rule)

    @property
    def deadline_text(self) -> str:
        if self.deadline_rule == "month_end":
            return "at the end of the following month"
        return (
            f"on working day {self.deadline_working_day} of the following month "
            "(weekends and England's bank holidays skipped)"
        )

    def icb(self, code: str) -> RegionIcb | None:
        return next((i for i in self.icbs if i.code == code), None)

    def with_keys(self, keys: dict[str, list[str]]) -> Region:
        """This catalogue with ``keys`` (ICB code to public keys) added to its ICBs' keys."""
        icbs = tuple(
            i.model_copy(update={"public_keys": (*i.public_keys, *keys.get(i.code, []))})
            for i in self.icbs
        )
        return Region.model_validate({**self.model_dump(), "icbs": [i.model_dump() for i in icbs]})

    @property
    def icb_codes(self) -> list[str]:
        return [i.code for i in self.icbs]


def parse_region(text: str) -> Region:
    try:
        return Region.model_validate(json.loads(text))
    except (ValidationError, json.JSONDecodeError) as error:
        raise InputRefused("region", f"not a valid region catalogue: {error}") from None


def load_region(code_or_path: str) -> Region:
    """A built-in region by its code (``Y61``), or a region catalogue file."""
    if code_or_path in BUILT_IN:
        data = resources.files("schemes") / "data" / BUILT_IN[code_or_path]
        return parse_region(data.read_text(encoding="utf-8"))
    path = Path(code_or_path)
    if path.suffix == ".json" and path.is_file():
        return parse_region(path.read_text(encoding="utf-8"))
    known = ", ".join(sorted(BUILT_IN))
    raise InputRefused("region", f"unknown region '{code_or_path[:20]}' (known: {known})")
