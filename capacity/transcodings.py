"""JSON transcodings for the value types stored in events."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, Transcoding

from capacity.values import Actor


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ActorAsDict(Transcoding):
    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> dict[str, str]:
        return obj.as_dict()

    def decode(self, data: Any) -> Actor:
        rid = data.get("request_id")
        return Actor(
            str(data["user_id"]), str(data["role"]), str(data["channel"]), rid and str(rid)
        )


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    transcoder.register(ActorAsDict())


_PLAIN = frozenset((str, int, bool, type(None)))
_NATIVE = (str, int, float, list, tuple, dict)


class _Unusual(Exception):
    """A value the fast encoder leaves to the library's (floats, subclasses, non-text keys)."""


class FastJSONTranscoder(JSONTranscoder):
    """The library's JSON transcoder writing the very same bytes with ``orjson``.

    The state is first turned into plain JSON values, each registered type wrapped exactly as the
    library wraps it (``{"_type_": name, "_data_": ...}``); ``orjson`` then writes what the
    library's compact, non-ASCII ``json`` encoder writes for strings, integers, booleans, null,
    lists and dicts (``tests/unit/test_transcoding.py``). Anything else (a float, whose text the
    two libraries write differently, a subclass, a non-text key, a 65-bit integer) is encoded by
    the library. Decoding is the library's."""

    def encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(self._plain(obj))
        except Exception:  # _Unusual, orjson's own refusals, recursion: the library decides
            return super().encode(obj)

    def _plain(self, value: Any) -> Any:
        kind = type(value)
        if kind in _PLAIN:
            return value
        if kind is dict:
            out = {}
            for key, item in value.items():
                if type(key) is not str:
                    raise _Unusual(key)
                out[key] = item if type(item) in _PLAIN else self._plain(item)
            return out
        if kind is list or kind is tuple:
            return [self._plain(item) for item in value]
        transcoding = self.types.get(kind)
        if transcoding is None or issubclass(kind, _NATIVE):  # json writes those itself
            raise _Unusual(kind)
        return {"_type_": transcoding.name, "_data_": self._plain(transcoding.encode(value))}
