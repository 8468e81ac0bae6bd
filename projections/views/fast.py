"""View rows for the commonest events built straight from their stored JSON.

Daily figures, site flow and spend are nearly all of a winter's events. For them the projector
skips the library's mapper (``json`` with a Python object hook for every dict, then a domain
event object) and builds the row the handler would write from ``orjson``'s decode of the stored
bytes. Each builder writes exactly what its handler in ``figures.py`` / ``flow.py`` writes for the
same event; anything it does not recognise (another class version, an unknown typed value, JSON
that ``orjson`` refuses) raises, and the projector takes the mapper's path for that event, so
the mapper stays the one authority on what a stored event means.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, Mapper
from eventsourcing.utils import get_topic

from capacity.reports import DailyReport, MonthlySpend
from capacity.site import SiteDay
from capacity.transcodings import ActorAsDict
from projections.views.figures import DAILY_INSERT, FIGURES, SPEND_INSERT
from projections.views.flow import FLOW, FLOW_INSERT
from projections.views.writer import to_json

# (the INSERT statement, its row, the programme whose facts changed)
FastRow = tuple[str, tuple[Any, ...], str]
Builder = Callable[[dict[str, Any], str, int], FastRow]
_ACTOR = ActorAsDict()
_ACTORS: dict[tuple[Any, ...], str] = {}


class NotFast(Exception):
    """This stored state is not one the fast path knows: use the mapper."""


def _typed(name: Any, data: Any) -> Any:
    """A typed value as the handler would write it into a row (as ``to_json`` renders it)."""
    if name == "decimal_str":
        return str(Decimal(data))
    if name == "date_iso":
        return date.fromisoformat(data).isoformat()
    raise NotFast(name)


_SCALARS = frozenset((str, int, float, bool, type(None)))


def plain(value: Any) -> Any:
    """A decoded JSON value with typed values replaced as ``_typed`` does."""
    if type(value) is dict:
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            return _typed(value["_type_"], value["_data_"])
        return {k: v if type(v) in _SCALARS else plain(v) for k, v in value.items()}
    if type(value) is list:
        return [v if type(v) in _SCALARS else plain(v) for v in value]
    return value


def _wrapped(value: Any, name: str) -> Any:
    if type(value) is not dict or len(value) != 2 or value.get("_type_") != name:
        raise NotFast(name)
    return value["_data_"]


def _day(value: Any) -> str:
    return date.fromisoformat(_wrapped(value, "date_iso")).isoformat()


def _timestamp(value: Any) -> str:
    return datetime.fromisoformat(_wrapped(value, "datetime_iso")).isoformat()


def _actor(value: Any) -> str:
    data = _wrapped(value, "actor")
    if type(data) is not dict:
        raise NotFast("actor")
    key = (data["user_id"], data["role"], data["channel"], data.get("request_id"))
    if type(key[0]) is not str or type(key[1]) is not str or type(key[2]) is not str:
        raise NotFast("actor")
    if key[3] is not None and type(key[3]) is not str:
        raise NotFast("actor")
    found = _ACTORS.get(key)
    if found is None:
        if len(_ACTORS) > 10_000:  # request ids make most actors unique: keep it small
            _ACTORS.clear()
        found = _ACTORS[key] = to_json(_ACTOR.decode(data).as_dict())
    return found


def _version(state: dict[str, Any], cls: type) -> None:
    if state.get("class_version", 1) != getattr(cls, "class_version", 1):
        raise NotFast("class_version")  # the mapper upcasts it


def daily_reported(state: dict[str, Any], agg: str, pos: int) -> FastRow:
    _version(state, DailyReport.DailyFiguresReported)
    data = {f: v if type(v := state[f]) in _SCALARS else plain(v) for f in FIGURES}
    if state.get("confirm_comment"):  # as projections/views/figures.py keeps it
        data["confirm_comment"] = state["confirm_comment"]
    programme = state["programme"]
    row = (
        agg,
        programme,
        state["scheme_code"],
        _day(state["on"]),
        to_json(data),
        _actor(state["actor"]),
        _timestamp(state["timestamp"]),
        pos,
    )
    return DAILY_INSERT, row, str(programme)


def flow_reported(state: dict[str, Any], agg: str, pos: int) -> FastRow:
    _version(state, SiteDay.FlowReported)
    data = {f: v if type(v := state[f]) in _SCALARS else plain(v) for f in FLOW}
    programme = state["programme"]
    row = (agg, programme, state["ods_code"], _day(state["on"]), to_json(data), pos)
    return FLOW_INSERT, row, str(programme)


def spend_recorded(state: dict[str, Any], agg: str, pos: int) -> FastRow:
    # the row holds no confirming comment (history reads it from the event), so version 1,
    # which has none, and version 2 build the same row
    if state.get("class_version", 1) not in (1, MonthlySpend.SpendRecorded.class_version):
        raise NotFast("class_version")
    programme = state["programme"]
    row = (
        agg,
        programme,
        state["scheme_code"],
        state["month"],
        str(Decimal(_wrapped(state["amount_gbp"], "decimal_str"))),
        state["basis"],
        _actor(state["actor"]),
        _timestamp(state["timestamp"]),
        pos,
    )
    return SPEND_INSERT, row, str(programme)


BUILDERS: dict[str, Builder] = {
    get_topic(DailyReport.DailyFiguresReported): daily_reported,
    get_topic(SiteDay.FlowReported): flow_reported,
    get_topic(MonthlySpend.SpendRecorded): spend_recorded,
}


def builders_for(mapper: Mapper[Any]) -> dict[str, Builder]:
    """The fast builders when stored states are plain JSON with the standard typed values (no
    cipher, no compressor); none otherwise."""
    transcoder = mapper.transcoder
    if mapper.cipher or mapper.compressor or not isinstance(transcoder, JSONTranscoder):
        return {}
    names = {name: type(t).__name__ for name, t in transcoder.names.items()}
    expected = {
        "decimal_str": "DecimalAsStr",
        "date_iso": "DateAsISO",
        "datetime_iso": "DatetimeAsISO",
        "actor": "ActorAsDict",
    }
    if any(names.get(name) != kind for name, kind in expected.items()):
        return {}
    return BUILDERS


def build(builder: Builder, state: bytes, agg: str, pos: int) -> FastRow:
    """The row for one stored event; raises ``NotFast`` (or the decode's error) to fall back."""
    decoded = orjson.loads(state)
    if type(decoded) is not dict:
        raise NotFast("state")
    return builder(decoded, agg, pos)
