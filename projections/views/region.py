"""The region's view of received returns (v_received): one row per revision received."""

from __future__ import annotations

from typing import Any

from projections.views.writer import PageWriter, to_json


def on_received(db: PageWriter, event: Any, pos: int) -> str | None:
    message: dict[str, Any] = event.message
    data = {k: v for k, v in message.items() if k not in ("return", "artefacts")}
    data["summary"] = message["return"]["summary"]
    cover = message["return"].get("cover") or {}
    data["signed_off_by"] = cover.get("signed_off_by", "")
    data["signed_off_at"] = cover.get("signed_off_at", "")
    data["artefacts"] = {
        name: {k: v for k, v in artefact.items() if k != "base64"}
        for name, artefact in message["artefacts"].items()
    }
    db.insert(
        "INSERT INTO v_received (region, programme, icb_code, month, revision, sha256, "
        "submitted_at, data, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            event.region,
            event.programme,
            event.icb_code,
            event.month,
            event.revision,
            event.sha256,
            message["submitted_at"],
            to_json(data),
            pos,
        ),
    )
    return None  # no programme of this store changed
