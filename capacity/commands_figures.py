"""Commands of figures: a scheme's daily figures, a month's spend, an acute site's flow.

The aliases are the keys fingerprints were stored with before commands were data: never
rename one (``capacity/commands_base.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from capacity.commands_base import SPREAD, Command, Fingerprint, Key, Receipt, Write, text
from capacity.daily_figures import DailyFigures


@dataclass(frozen=True, kw_only=True)
class ReportDaily(Write):
    """A scheme's figures for a day, as sent (checked by ``DailyFigures.clean``)."""

    programme: str
    scheme: str
    figures: Mapping[str, Any]
    source_ref: str | None = None

    policy = "report_daily"
    scope = ("programme", "scheme")
    fingerprint = Fingerprint(
        "daily",
        {"programme": Key("p"), "scheme": Key("s"), "figures": SPREAD},
        frozenset({"source_ref"}),
    )


@dataclass(frozen=True, kw_only=True)
class CorrectDaily(Write):
    programme: str
    scheme: str
    figures: Mapping[str, Any]
    reason: str

    policy = "correct_daily"
    scope = ("programme", "scheme")
    fingerprint = Fingerprint(
        "daily_correct",
        {"programme": Key("p"), "scheme": Key("s"), "reason": Key("why"), "figures": SPREAD},
    )


@dataclass(frozen=True, kw_only=True)
class ImportDaily(Command[int]):
    """Many checked reports (day, scheme, figures, source ref) stored in one atomic save;
    answered with the position reached."""

    programme: str
    reports: Sequence[tuple[date, str, DailyFigures, str]]
    # the comments confirming figures that looked wrong, by (scheme, day)
    comments: Mapping[tuple[str, date], str] = field(default_factory=dict)

    policy = "import_daily"

    def subjects(self) -> tuple[str | None, ...]:
        return tuple(sorted({scheme for _, scheme, _, _ in self.reports}))

    def answer(self, receipt: Receipt, outcome: object) -> int:
        return receipt.position


SPEND_KEYS = {
    "programme": Key("p"),
    "scheme": Key("s"),
    "month": text("m"),
    "amount_gbp": text("a"),
    "basis": Key("b"),
    # only when given: keys stored before spend took a comment still replay
    "confirm_comment": Key("c", omit_empty=True),
}


@dataclass(frozen=True, kw_only=True)
class RecordSpend(Write):
    """A scheme's spend for a month (``month`` as ``2022-11`` or a ``YearMonth``)."""

    programme: str
    scheme: str
    month: Any
    amount_gbp: Any
    basis: Any
    confirm_comment: str | None = None  # confirms spend that looks wrong (docs/rules.md §13a)

    policy = "record_spend"
    scope = ("programme", "scheme")
    fingerprint = Fingerprint("spend", SPEND_KEYS)


@dataclass(frozen=True, kw_only=True)
class CorrectSpend(Write):
    programme: str
    scheme: str
    month: Any
    amount_gbp: Any
    basis: Any
    reason: str
    confirm_comment: str | None = None

    policy = "correct_spend"
    scope = ("programme", "scheme")
    fingerprint = Fingerprint("spend_correct", {**SPEND_KEYS, "reason": Key("r")})


@dataclass(frozen=True, kw_only=True)
class RegisterSite(Write):
    programme: str
    ods_code: str
    name: str
    place: str

    policy = "register_site"
    fingerprint = Fingerprint(
        "site",
        {"programme": Key("p"), "ods_code": Key("ods"), "name": Key("name"), "place": Key("place")},
    )


FLOW_KEYS = {"programme": Key("p"), "ods_code": Key("o"), "figures": SPREAD}


@dataclass(frozen=True, kw_only=True)
class ReportFlow(Write):
    """An acute site's day of flow, as sent (checked by ``FlowFigures.clean``)."""

    programme: str
    ods_code: str
    figures: Mapping[str, Any]

    policy = "report_flow"
    scope = ("programme", "ods_code")
    fingerprint = Fingerprint("flow", FLOW_KEYS)


@dataclass(frozen=True, kw_only=True)
class CorrectFlow(Write):
    programme: str
    ods_code: str
    figures: Mapping[str, Any]
    reason: str

    policy = "correct_flow"
    scope = ("programme", "ods_code")
    # The reason was never part of this fingerprint: kept so, for the keys already stored.
    fingerprint = Fingerprint("flow_correct", FLOW_KEYS, frozenset({"reason"}))
