"""The dashboard chart: system beds-equivalent per day against the target and the plan (SVG)."""

from __future__ import annotations

import io
import json
from datetime import date
from functools import lru_cache
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt

NHS_BLUE = "#005eb8"
DARK_GREY = "#425563"
WARM_YELLOW = "#ffb81c"


def delivery_chart(series: dict[str, Any]) -> str:
    """The chart for a series; the same series (same position) is drawn once."""
    return _draw(json.dumps(series, sort_keys=True))


@lru_cache(maxsize=64)
def _draw(series_json: str) -> str:
    series = json.loads(series_json)
    days = mdates.date2num([date.fromisoformat(d["date"]) for d in series["days"]])
    delivered = [d["delivered_beds_equivalent"] for d in series["days"]]
    planned = [d["planned_beds_equivalent"] for d in series["days"]]
    target = series["bed_target"]
    figure, axes = plt.subplots(figsize=(9, 3.4), dpi=100)
    # Days not yet fully reported are drawn dotted with hollow markers: a figure still rising as
    # late reports arrive must not look like a collapse in delivery.
    complete = [d.get("complete", True) for d in series["days"]]
    last_full = max((i for i, c in enumerate(complete) if c), default=-1)
    axes.plot(
        days[: last_full + 1],
        delivered[: last_full + 1],
        color=NHS_BLUE,
        linewidth=2,
        label="Delivered beds-equivalent",
    )
    if last_full + 1 < len(days):
        start = max(last_full, 0)
        axes.plot(
            days[start:],
            delivered[start:],
            color=NHS_BLUE,
            linewidth=2,
            linestyle=":",
            marker="o",
            markerfacecolor="white",
            label="Not yet fully reported",
        )
    axes.plot(days, planned, color=DARK_GREY, linestyle="--", linewidth=1.5, label="Planned")
    axes.axhline(target, color=WARM_YELLOW, linewidth=2, label=f"Target {target}")
    axes.set_ylim(0, max([target, *delivered, *planned]) * 1.12 if len(days) else target * 1.1)
    axes.set_ylabel("Beds-equivalent per day")
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    axes.grid(axis="y", color="#d8dde0")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.legend(loc="lower right", frameon=False, fontsize=9)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]
