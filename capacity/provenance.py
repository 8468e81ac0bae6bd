"""Where a scheme's figures come from: the catalogue's notes and its source references.

Kept beside the scheme (one small aggregate per scheme, saved with its registration) so the
readings made of a contradictory source — which figure was taken and why — travel with the
ledger to the API, the scheme page and "About these numbers".
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from capacity.values import Actor, natural_id


def provenance_id(programme: str, scheme: str) -> UUID:
    return natural_id("scheme-provenance", programme, scheme)


class SchemeProvenance(Aggregate):
    TOPIC = "wintertrack:SchemeProvenance"

    class Event(Aggregate.Event):
        actor: Actor

    class SourceNoted(Event, Aggregate.Created):
        TOPIC = "wintertrack:SchemeProvenance.SourceNoted"
        programme: str
        scheme: str
        notes: str
        source_refs: list[str]

    Created = SourceNoted

    def __init__(self, programme: str, scheme: str, notes: str, source_refs: list[str]) -> None:
        self.programme = programme
        self.scheme = scheme
        self.notes = notes
        self.source_refs = list(source_refs)

    @classmethod
    def note(
        cls, actor: Actor, programme: str, scheme: str, notes: str, source_refs: list[str]
    ) -> SchemeProvenance:
        return cls._create(
            cls.SourceNoted,
            id=provenance_id(programme, scheme),
            actor=actor,
            programme=programme,
            scheme=scheme,
            notes=notes,
            source_refs=source_refs,
        )

    @property
    def departures(self) -> list[str]:
        """The readings where the catalogue departs from its source ("Resolved: ...")."""
        return [part.strip() for part in self.notes.split("Resolved:")[1:] if part.strip()]
