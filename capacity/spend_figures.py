"""A scheme's spend in one month: the one value object, checked once.

The application checks it with :meth:`SpendFigures.clean`; the events that store it inherit its
fields (see ``capacity/reports.py``), and the history and the API's request models read the
field list and the bases from here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, cast

from capacity.values import SPEND_BASES, SpendBasis
from schemes.rules import InputRefused, check_money


@dataclass(frozen=True)
class SpendFigures:
    """What was spent (pounds and pence) and on what basis (``actual`` or ``accrual``)."""

    amount_gbp: Decimal
    basis: SpendBasis

    @classmethod
    def clean(cls, amount_gbp: Any, basis: Any) -> SpendFigures:
        """Raises ``InputRefused`` naming the field (the basis is checked first)."""
        if basis not in SPEND_BASES:
            raise InputRefused("basis", f"must be {' or '.join(SPEND_BASES)}")
        return cls(check_money("amount_gbp", amount_gbp), cast(SpendBasis, str(basis)))

    def as_dict(self) -> dict[str, Any]:
        """The figures by name (an event carrying them answers this too)."""
        return {name: getattr(self, name) for name in NAMES}


NAMES: tuple[str, ...] = tuple(f.name for f in fields(SpendFigures))
