"""A programme's and a scheme's fields are listed once (schemes/specs.py): every channel that
opens or registers one, the events that store it, the views and the facts spell the same
fields, in the same order where order is stored."""

from __future__ import annotations

import json
from dataclasses import fields

from api.schemas import KpiIn, ProgrammeCreate, SchemeCreate
from capacity.programme import Programme
from capacity.scheme import Scheme
from projections.facts import ProgrammeFacts, SchemeFacts
from projections.queries.schemes import schemes_known_at
from projections.views.schemes import SCHEME_FIELDS as VIEW_FIELDS
from schemes.catalogue import CatalogueScheme, Kpi, ProgrammeSpec
from schemes.specs import PROGRAMME_FIELDS, SCHEME_FIELDS
from tests.support.api_world import P, api_world


def _stored(event: type) -> tuple[str, ...]:
    """An event's own fields, after the library's and the actor."""
    names = [f.name for f in fields(event)]
    return tuple(names[names.index("actor") + 1 :])


def test_the_api_and_the_catalogue_take_the_same_fields_in_the_same_order() -> None:
    assert tuple(ProgrammeCreate.model_fields) == PROGRAMME_FIELDS
    assert tuple(ProgrammeSpec.model_fields) == PROGRAMME_FIELDS
    assert tuple(SchemeCreate.model_fields) == SCHEME_FIELDS
    assert tuple(CatalogueScheme.model_fields) == (*SCHEME_FIELDS, "notes", "source_lines")
    assert tuple(KpiIn.model_fields) == tuple(Kpi.model_fields)


def test_the_events_store_the_spec_in_its_order() -> None:
    assert _stored(Programme.ProgrammeOpened) == PROGRAMME_FIELDS
    assert _stored(Scheme.SchemeRegistered) == ("programme", *SCHEME_FIELDS)


def test_the_facts_and_the_views_carry_every_field() -> None:
    assert ("programme", *SCHEME_FIELDS) == VIEW_FIELDS
    assert set(SCHEME_FIELDS) <= {f.name for f in fields(SchemeFacts)}
    assert set(PROGRAMME_FIELDS) - {"allocations"} <= {f.name for f in fields(ProgrammeFacts)}


def test_a_registered_scheme_row_holds_every_field_of_the_spec() -> None:
    world = api_world()
    read = world.client.app.state.read_model  # type: ignore[attr-defined]
    read.projector.run_once()
    rows = schemes_known_at(read.views, P, read.head())
    assert rows
    for _, data in rows:
        assert set(SCHEME_FIELDS) <= set(json.loads(data))
