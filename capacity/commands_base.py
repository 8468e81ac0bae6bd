"""What every command is: a frozen dataclass naming a use case's inputs, built at the edge (API
routes, pages, the command line, uploads, Kafka) and handed to the application's
``run_command`` (``capacity/app/core.py``), which authorises it, answers a retried key, runs
its handler and commits the change.

A command's class says which row of the policy table (``capacity/policy.py``) must allow it,
in which programme and for which subject, and how a retry with an idempotency key is known
again: its :class:`Fingerprint`, derived from the fields through explicit aliases. The aliases
are the keys the fingerprints already stored beside the log were built with (``scheme`` is
written as ``"s"`` for a daily report): never rename one, or those keys stop replaying.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Generic, TypeVar

from eventsourcing.domain import Aggregate

from capacity.errors import Conflict
from capacity.idempotency import fingerprint
from capacity.values import Actor

R = TypeVar("R")


@dataclass(frozen=True)
class Receipt:
    """What a write returns: the event-log position reached, and what it created or changed."""

    position: int
    ids: dict[str, str] = field(default_factory=dict)
    replayed: bool = False


@dataclass(frozen=True)
class Change:
    """What a command's handler returns: the aggregates to save together (atomically), what a
    clash on saving them means, the ids its receipt names, and what else the command answers
    with (``outcome``: e.g. how many schemes a catalogue added)."""

    aggregates: Sequence[Aggregate]
    conflict: Conflict
    ids: dict[str, str] = field(default_factory=dict)
    outcome: object = None


@dataclass(frozen=True)
class Key:
    """How one field is written into the fingerprint: under ``name`` (``None``: the field is a
    mapping whose items are written as they are), through ``write`` (``str`` where the field
    was written as text), left out when empty (``None`` or ``""``), or, for a yes/no option,
    written as ``flag`` only when set."""

    name: str | None
    write: Callable[[Any], Any] | None = None
    omit_empty: bool = False
    flag: object = None


SPREAD = Key(None)


def text(name: str, *, omit_empty: bool = False) -> Key:
    """A field written as text under ``name``."""
    return Key(name, str, omit_empty)


def flag(name: str, value: object = "yes") -> Key:
    """An option written only when set (keys stored before the option keep their fingerprint)."""
    return Key(name, flag=value)


@dataclass(frozen=True)
class Fingerprint:
    """A command's fingerprint: its stored ``name`` and field -> :class:`Key` aliases; every
    other field is named in ``ignored`` (it does not tell one request from another, e.g. a
    return recomputed at a later position on a retry)."""

    name: str
    keys: Mapping[str, Key]
    ignored: frozenset[str] = frozenset()

    def request(self, command: object) -> dict[str, Any]:
        written: dict[str, Any] = {}
        spread: list[Mapping[str, Any]] = []
        for name, key in self.keys.items():
            value = getattr(command, name)
            if key.name is None:
                spread.append(value)  # written after the named keys, as they always were
            elif key.flag is not None:
                if value:
                    written[key.name] = key.flag
            elif not (key.omit_empty and value in (None, "")):
                written[key.name] = key.write(value) if key.write else value
        for items in spread:
            written.update(items)
        return written

    def sha256(self, command: object) -> str:
        return fingerprint(self.name, self.request(command))


@dataclass(frozen=True, kw_only=True)
class Command(ABC, Generic[R]):
    """A use case's inputs, always given by name. Subclasses set ``policy`` (their row in the
    policy table), ``scope`` (the fields naming the programme and the subject the row is
    checked for), ``fingerprint`` (``None``: the command takes no idempotency key) and, when
    they answer with more than the receipt, :meth:`answer`."""

    actor: Actor

    policy: ClassVar[str]
    scope: ClassVar[tuple[str | None, str | None]] = ("programme", None)
    fingerprint: ClassVar[Fingerprint | None] = None
    retries: ClassVar[int] = 0  # times a clash is run again (another writer got there first)

    def programme_code(self) -> str | None:
        name = self.scope[0]
        return None if name is None else getattr(self, name)

    def subjects(self) -> tuple[str | None, ...]:
        """The subjects the policy row is checked for, each in turn."""
        name = self.scope[1]
        return (None if name is None else getattr(self, name),)

    @abstractmethod
    def answer(self, receipt: Receipt, outcome: object) -> R:
        """What the caller gets back: the receipt (``Write``), or the receipt with what the
        handler produced. Abstract, so a command class without an answer cannot be built."""


@dataclass(frozen=True, kw_only=True)
class Write(Command[Receipt]):
    """A command answered with its receipt."""

    def answer(self, receipt: Receipt, outcome: object) -> Receipt:
        return receipt


def unfingerprinted(command: type[Command[Any]]) -> set[str]:
    """Fields of a keyed command its fingerprint neither aliases nor ignores (a test keeps
    this empty, so a new field is a decision, not an accident)."""
    found = command.fingerprint
    if found is None:
        return set()
    named = set(found.keys) | set(found.ignored) | {"actor"}
    return {f.name for f in fields(command)} - named
