"""The event log, for audit and replay (admin only)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import Application, EventLogReader
from api.errors import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=ERROR_RESPONSES)


@router.get("/events")
def events(
    user: EventLogReader,
    application: Application,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    page = application.recorder.select_notifications(after, limit, inclusive_of_start=False)
    return [
        {
            "position": n.id,
            "event_type": n.topic.split(":", 1)[-1],
            "aggregate_id": str(n.originator_id),
            "aggregate_version": n.originator_version,
            "data": json.loads(n.state),
        }
        for n in page
    ]
