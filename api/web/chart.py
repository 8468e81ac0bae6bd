"""The dashboard charts (SVG): system beds-equivalent per day against the target and the plan,
and each winter month by month against its own target."""

from __future__ import annotations

import io
from datetime import date
from functools import lru_cache
from typing import Any, Literal

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt

from projections.shapes import DeliveryDaily, Winters

NHS_BLUE = "#005eb8"
DARK_GREY = "#425563"
WARM_YELLOW = "#ffb81c"


def delivery_chart(series: DeliveryDaily) -> str:
    """The chart for a series; the same series (same position) is drawn once."""
    return _draw(series.model_dump_json())


@lru_cache(maxsize=64)
def _draw(series_json: str) -> str:
    series = DeliveryDaily.model_validate_json(series_json)
    days = mdates.date2num([date.fromisoformat(d.date) for d in series.days])
    delivered = [_plotted(d.delivered_beds_equivalent) for d in series.days]
    planned = [_plotted(d.planned_beds_equivalent) for d in series.days]
    target = series.bed_target
    figure, axes = plt.subplots(figsize=(9, 3.4), dpi=100)
    # Days not yet fully reported are drawn dotted with hollow markers: a figure still rising as
    # late reports arrive must not look like a collapse in delivery.
    complete = [d.complete for d in series.days]
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
    return _svg(figure, axes, fontsize=9, ncol=1)


def _plotted(value: float | None) -> float:
    """A figure not there (a month not started) is a gap in the line, not a zero."""
    return float("nan") if value is None else value


WINTER_STYLES: tuple[tuple[str, Literal["-", "--", "-.", ":"], str], ...] = (
    (NHS_BLUE, "-", "o"),
    (DARK_GREY, "--", "s"),
    ("#ae2573", "-.", "^"),
    ("#007f3b", ":", "D"),
)


def winters_chart(comparison: Winters) -> str:
    """Delivered beds-equivalent per winter month (M7 … M12), one line per winter, each with its
    own bed target; winters differ by line style and marker as well as colour."""
    return _draw_winters(comparison.model_dump_json())


@lru_cache(maxsize=64)
def _draw_winters(comparison_json: str) -> str:
    comparison = Winters.model_validate_json(comparison_json)
    labels = [f"{m.financial_month}\n{m.name[:3]}" for m in comparison.months]
    xs = list(range(len(labels)))
    figure, axes = plt.subplots(figsize=(9, 3.4), dpi=100)
    highest = 1.0
    for n, winter in enumerate(comparison.winters):
        colour, style, marker = WINTER_STYLES[n % len(WINTER_STYLES)]
        values = [_plotted(m.delivered_beds_equivalent) for m in winter.months]
        target = winter.bed_target
        highest = max([highest, target, *(v for v in values if v == v)])
        axes.plot(
            xs,
            values,
            color=colour,
            linestyle=style,
            marker=marker,
            linewidth=2,
            label=f"{winter.winter} delivered",
        )
        axes.hlines(
            target,
            -0.3,
            len(xs) - 0.7,
            colors=colour,
            linestyles=style,
            linewidth=1,
            alpha=0.7,
            label=f"{winter.winter} target {target}",
        )
    axes.set_xticks(xs, labels)
    axes.set_ylim(0, highest * 1.15)
    axes.set_ylabel("Beds-equivalent per day")
    return _svg(figure, axes, fontsize=8, ncol=2)


def _svg(figure: Any, axes: Any, fontsize: int, ncol: int) -> str:
    """The chart's shared finish (light grid, no top or right spine, legend lower right) as an
    inline SVG element."""
    axes.grid(axis="y", color="#d8dde0")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.legend(loc="lower right", frameon=False, fontsize=fontsize, ncol=ncol)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]
