"""What pages show of a programme's schemes and sites, read from the views: a page never loads
an aggregate to display it (the write model is for commands)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from capacity.errors import ProgrammeNotFound, ReportNotFound, SchemeNotFound, SiteNotFound
from projections.facts import SchemeFacts
from projections.queries.schemes import scheme_codes as registered_codes
from projections.readmodel import ReadModel


@dataclass(frozen=True)
class SiteListing:
    ods_code: str
    name: str
    place: str


@dataclass(frozen=True)
class SchemeStatus:
    code: str
    name: str
    status: str


def scheme_codes(read: ReadModel, programme: str) -> list[str]:
    """The programme's schemes in the order they were registered (the catalogue's order)."""
    read.facts(programme)  # an unknown programme is refused as the write model refuses it
    return registered_codes(read.views, programme, read.head())


def scheme(read: ReadModel, programme: str, code: str) -> SchemeFacts:
    try:
        found = read.facts(programme).schemes.get(code)
    except ProgrammeNotFound:
        found = None
    if found is None:
        raise SchemeNotFound(f"unknown scheme '{code}' in {programme}", field="scheme_code")
    return found


def site(read: ReadModel, programme: str, ods_code: str) -> SiteListing:
    try:
        found = read.facts(programme).sites.get(ods_code)
    except ProgrammeNotFound:
        found = None
    if found is None:
        raise SiteNotFound(f"unknown site '{ods_code}' in {programme}", field="ods_code")
    return SiteListing(ods_code, *found)


def stored_day(read: ReadModel, programme: str, code: str, day: str) -> dict[str, Any]:
    """A scheme's figures for a day as they stand (the latest report or correction)."""
    on = date.fromisoformat(day)
    try:
        found = read.facts(programme).schemes.get(code)
    except ProgrammeNotFound:
        found = None
    if found is None or on not in found.daily:
        raise ReportNotFound(f"no report for {code} on {on.isoformat()}", field="date")
    return asdict(found.daily[on])


def stored_flow(read: ReadModel, programme: str, ods_code: str, day: str) -> dict[str, Any]:
    """A site's flow for a day as it stands (the latest report or correction)."""
    on = date.fromisoformat(day)
    try:
        found = read.facts(programme).flow.get((ods_code, on))
    except ProgrammeNotFound:
        found = None
    if found is None:
        raise ReportNotFound(f"no flow for {ods_code} on {on.isoformat()}", field="date")
    return found.as_dict()


def statuses(read: ReadModel, programme: str) -> list[SchemeStatus]:
    """Every scheme's name and status now, in registration order."""
    facts = read.facts(programme)
    return [
        SchemeStatus(code, facts.schemes[code].name, facts.schemes[code].status)
        for code in scheme_codes(read, programme)
    ]
