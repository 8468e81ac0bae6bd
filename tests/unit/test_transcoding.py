"""The fast transcoder writes exactly the library's bytes, and reads back the same values."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import JSONTranscoder
from hypothesis import given, settings
from hypothesis import strategies as st

from capacity.application import WinterApplication
from capacity.transcodings import FastJSONTranscoder
from capacity.values import Actor


class Level(enum.IntEnum):
    LOW = 1


def pair() -> tuple[JSONTranscoder, FastJSONTranscoder]:
    app = WinterApplication()
    library, fast = JSONTranscoder(), FastJSONTranscoder()
    app.register_transcodings(library)
    app.register_transcodings(fast)
    return library, fast


LIBRARY, FAST = pair()
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True)
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.dates()
    | st.datetimes(timezones=st.just(UTC))
    | st.uuids()
    | st.builds(Actor, st.text(), st.text(), st.text(), st.none() | st.text())
    | st.just(Level.LOW)
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6) | st.integers(0, 3), inner, max_size=4)
    ),
    max_leaves=20,
)


def outcome(transcoder: JSONTranscoder, value: Any) -> Any:
    try:
        return transcoder.encode(value)
    except Exception as error:
        return type(error)


@settings(max_examples=400, deadline=None)
@given(state=st.dictionaries(st.text(max_size=8), VALUES, max_size=8))
def test_the_same_bytes_as_the_library(state: dict[str, Any]) -> None:
    assert outcome(FAST, state) == outcome(LIBRARY, state)


def test_a_stored_event_round_trips() -> None:
    state = {
        "timestamp": datetime(2022, 11, 3, 10, 0, tzinfo=UTC),
        "actor": Actor("u", "lead", "api", "req-1"),
        "on": date(2022, 11, 3),
        "beds_equivalent": Decimal("2.50"),
        "kpis": {"k": Decimal("1"), "d": date(2022, 1, 1)},
        "narrative": 'caf\u00e9 "quoted"\n\x00',
        "id": UUID(int=5),
    }
    stored = FAST.encode(state)
    assert stored == LIBRARY.encode(state)
    assert FAST.decode(stored) == state


def test_the_application_writes_with_it() -> None:
    assert isinstance(WinterApplication().mapper.transcoder, FastJSONTranscoder)


def test_a_circular_value_is_refused_as_the_library_refuses_it() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError):
        FAST.encode({"x": loop})
