"""The event log, for audit and replay (admin only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Application, EventLogReader, PageSize, Position
from api.errors import ERROR_RESPONSES
from api.responses import EventRecord
from projections.event_log import EventLog

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=ERROR_RESPONSES)


@router.get("/events", response_model=list[EventRecord])
def events(
    user: EventLogReader,
    application: Application,
    after: Position = 0,
    limit: PageSize = 100,
) -> list[dict[str, Any]]:
    """The event log, oldest first: the same records the relay publishes to Kafka."""
    return EventLog(application).page(after, limit)
