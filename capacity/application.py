"""The application service: every write of the tracker, in plain values.

Each command gets its aggregates, checks the authorisation policy, calls their commands, saves
(several aggregates in one atomic save where they must change together) and returns a
``Receipt`` with the event-log position. The commands live one context to a module under
``capacity/app/``; this class composes them over one event store and one notification log.
"""

from __future__ import annotations

from capacity.app.board_papers import BoardPaperCommands
from capacity.app.core import SIGN_IN_AGGREGATES, Receipt, WinterCore
from capacity.app.figures import FigureCommands
from capacity.app.people import PeopleCommands
from capacity.app.programmes import ProgrammeCommands
from capacity.app.region import RegionCommands
from capacity.app.reminders import ReminderCommands
from capacity.app.returns import ReturnCommands
from capacity.app.schemes import SchemeCommands
from capacity.app.sites import SiteCommands


class WinterApplication(
    ProgrammeCommands,
    SchemeCommands,
    FigureCommands,
    SiteCommands,
    PeopleCommands,
    ReturnCommands,
    BoardPaperCommands,
    RegionCommands,
    ReminderCommands,
    WinterCore,
):
    name = "Wintertrack"  # the event store's table prefix: never change it


__all__ = ["SIGN_IN_AGGREGATES", "Receipt", "WinterApplication"]
