"""A day's figures for one scheme: the one value object, and its field table.

Every channel builds a daily report from the same shape: the API and the Kafka ingest from JSON,
the web form and the CSV or XLSX import from flat cells (``from_cells``, one cell per discharge
pathway). The application checks it once, with :meth:`DailyFigures.clean`; the events that store
it inherit its fields (see ``capacity/reports.py``), and every other list of figures (the form's
fields, the import's columns, the history's labels, the view's columns) is read from
:data:`FIELDS`, which is read from the dataclass. A figure is added here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from capacity.figures import (
    MAX_HOURS,
    MAX_PATIENTS,
    check_hours,
    clean_discharges,
    clean_kpis,
    given,
)
from capacity.values import PATHWAYS
from schemes.rules import (
    MAX_BEDS,
    MAX_DISCHARGES,
    MAX_TEXT,
    InputRefused,
    check_beds_equivalent,
    check_count,
    check_text,
)

if TYPE_CHECKING:
    from capacity.scheme import Scheme

Kind = Literal["beds_equivalent", "count", "hours", "pathways", "kpis", "text"]


@dataclass(frozen=True)
class FigureField:
    """One figure: its name, how sentences name it, its kind and limit, and the form's label
    ("" when the entry form does not ask for it) with a hint."""

    name: str
    label: str
    kind: Kind
    limit: int | Decimal | None = None
    prompt: str = ""
    hint: str = ""

    @property
    def cells(self) -> tuple[str, ...]:
        """How a flat row or form spells it: a cell per pathway, none for KPIs."""
        if self.kind == "pathways":
            return tuple(cell for cell, _ in self.parts)
        return () if self.kind == "kpis" else (self.name,)

    @property
    def parts(self) -> tuple[tuple[str, str], ...]:
        """A pathways figure's cells with their pathway: (``discharges_p0``, ``p0``), ..."""
        return tuple((f"{self.name}_{p}", p) for p in PATHWAYS) if self.kind == "pathways" else ()


def _figure(
    label: str, kind: Kind, limit: int | Decimal | None = None, *, prompt: str = "", hint: str = ""
) -> dict[str, Any]:
    """A field's row of the table, kept in the dataclass field's metadata."""
    return {"figure": (label, kind, limit, prompt, hint)}


@dataclass(frozen=True)
class DailyFigures:
    """The figures of one scheme-day, typed and checked. ``None`` (and no KPIs) is "not given".

    The order of the fields is the order they are stored, checked and shown in."""

    beds_equivalent: Decimal | None = field(
        metadata=_figure(
            "beds-equivalent",
            "beds_equivalent",
            MAX_BEDS,
            prompt="Beds-equivalent delivered",
            hint="required for schemes that report beds-equivalent",
        )
    )
    beds_occupied: int | None = field(
        metadata=_figure("beds occupied", "count", MAX_BEDS, prompt="Beds occupied")
    )
    discharges: dict[str, int] | None = field(
        metadata=_figure("discharges", "pathways", MAX_DISCHARGES, prompt="Discharges by pathway")
    )
    patients_supported: int | None = field(
        metadata=_figure("patients supported", "count", MAX_PATIENTS, prompt="Patients supported")
    )
    hours_delivered: Decimal | None = field(
        metadata=_figure("hours delivered", "hours", MAX_HOURS, prompt="Hours delivered")
    )
    kpis: dict[str, Decimal | date] = field(metadata=_figure("KPIs", "kpis"))
    narrative: str | None = field(
        metadata=_figure(
            "narrative",
            "text",
            MAX_TEXT,
            prompt="Narrative",
            hint="aggregate figures only: never a patient identifier",
        )
    )

    @classmethod
    def clean(cls, raw: Mapping[str, Any], scheme: Scheme) -> DailyFigures:
        """The one check of a day's figures (JSON spelling), whatever channel they came by;
        raises ``InputRefused`` naming the field. ``beds_equivalent`` is required from a
        scheme that reports it."""
        if scheme.measure == "reported" and not given(raw, "beds_equivalent"):
            raise InputRefused(
                "beds_equivalent",
                f"is required: scheme {scheme.code} reports beds-equivalent daily",
            )
        return cls(**{f.name: _CHECKS[f.kind](f, raw, scheme) for f in FIELDS})

    def as_dict(self) -> dict[str, Any]:
        """The figures by name (an event carrying them answers this too)."""
        return {f.name: getattr(self, f.name) for f in FIELDS}


def _scalar(check: Callable[[FigureField, Any], Any]) -> Callable[..., Any]:
    def clean(f: FigureField, raw: Mapping[str, Any], scheme: Scheme) -> Any:
        return check(f, raw[f.name]) if given(raw, f.name) else None

    return clean


def _limit(f: FigureField) -> int:
    return int(f.limit or 0)


_CHECKS: dict[Kind, Callable[[FigureField, Mapping[str, Any], Scheme], Any]] = {
    "beds_equivalent": _scalar(lambda f, v: check_beds_equivalent(f.name, v)),
    "count": _scalar(lambda f, v: check_count(f.name, v, _limit(f))),
    "hours": _scalar(lambda f, v: check_hours(f.name, v, Decimal(f.limit or 0))),
    "text": _scalar(lambda f, v: check_text(f.name, str(v), _limit(f))),
    "pathways": lambda f, raw, scheme: clean_discharges(f.name, raw.get(f.name)),
    "kpis": lambda f, raw, scheme: clean_kpis(f.name, raw.get(f.name), scheme),
}

FIELDS: tuple[FigureField, ...] = tuple(
    FigureField(f.name, *f.metadata["figure"]) for f in fields(DailyFigures)
)
NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
LABELS: dict[str, str] = {f.name: f.label for f in FIELDS}
# The flat spelling (a CSV or XLSX row, the web form): a cell per pathway, no KPIs.
CELLS: tuple[str, ...] = tuple(cell for f in FIELDS for cell in f.cells)
# The form's single-value fields, then a cell per pathway (the order corrections are listed in).
FORM_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.cells == (f.name,))
FORM_CELLS: tuple[str, ...] = FORM_FIELDS + tuple(c for c in CELLS if c not in FORM_FIELDS)


def from_cells(cells: Mapping[str, str | None]) -> dict[str, Any]:
    """Flat cells as the JSON body the API takes: an empty cell is "not given"."""
    raw: dict[str, Any] = {}
    for f in FIELDS:
        if f.kind == "pathways":
            parts = {p: cells.get(f"{f.name}_{p}") for p in PATHWAYS}
            raw[f.name] = {p: v for p, v in parts.items() if v} or None
        elif f.cells:
            raw[f.name] = cells.get(f.name) or None
    return raw


def to_cells(figures: Mapping[str, Any]) -> dict[str, Any]:
    """Stored figures the way the form spells them: its fields, then each pathway given."""
    flat = {name: figures.get(name) for name in FORM_FIELDS}
    for f in FIELDS:
        if f.kind == "pathways":
            for p, value in (figures.get(f.name) or {}).items():
                flat[f"{f.name}_{p}"] = value
    return flat
