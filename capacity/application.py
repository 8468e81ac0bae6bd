"""The application service: every write of the tracker, as data.

A write is a command (``capacity/commands.py``, one frozen dataclass per use case) handed to
``run_command``, which checks the authorisation policy, answers a retried key, runs the
command's handler (one module per context under ``capacity/app/``: programmes and money,
schemes, figures, sites, people, returns and papers, the region) and saves (several aggregates
in one atomic save where they must change together), answering a ``Receipt`` with the
event-log position. Besides ``run_command`` the object answers only lookups
(``capacity/app/core.py``, ``capacity/app/reads.py``).
"""

from __future__ import annotations

# Importing a context's module registers its handlers with run_command.
from capacity.app import figures, people, programmes, region, returns, schemes, sites
from capacity.app.core import HANDLERS, SIGN_IN_AGGREGATES
from capacity.app.reads import WinterReads
from capacity.commands import COMMANDS, Receipt

CONTEXTS = (programmes, schemes, figures, sites, people, returns, region)
assert set(HANDLERS) == set(COMMANDS), "every command has one handler"


class WinterApplication(WinterReads):
    name = "Wintertrack"  # the event store's table prefix: never change it


__all__ = ["SIGN_IN_AGGREGATES", "Receipt", "WinterApplication"]
