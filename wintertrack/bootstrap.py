"""The one wiring module: builds the concrete application from the settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from capacity.application import WinterApplication
from projections.db import ViewDatabase
from projections.projector import Projector
from projections.readmodel import ReadModel
from wintertrack.config import Settings, get_settings


def build_application(
    settings: Settings | None = None, today: Callable[[], date] = date.today
) -> WinterApplication:
    settings = settings or get_settings()
    application = WinterApplication(env=settings.event_store_env(), today=today)
    application.spend_above_profile = settings.spend_above_profile
    return application


def build_read_side(
    application: WinterApplication,
    settings: Settings | None = None,
    today: Callable[[], date] = date.today,
) -> tuple[Projector, ReadModel]:
    """The views follow the same store the application writes to."""
    settings = settings or get_settings()
    projector = Projector(application, ViewDatabase(settings.store))
    return projector, ReadModel(projector, today)
