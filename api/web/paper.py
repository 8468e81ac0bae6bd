"""The board's monthly paper as HTML (jinja2) and as an A4 PDF (WeasyPrint), and preparing it:
read the figures, render, and keep the PDF with the preparation."""

from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime
from typing import Any

from api.presenters import about_numbers
from api.web.chart import delivery_chart
from api.web.common import templates
from capacity.application import Receipt, WinterApplication
from capacity.board_papers import Cover
from capacity.errors import NotFound
from capacity.values import Actor
from projections.board_paper import (
    SECTION_NAMES,
    PaperContents,
    Reading,
    build_contents,
    contents_from_json,
    contents_json,
)
from projections.board_papers import PaperRecord, paper_contents_json, paper_records
from projections.board_papers import paper_pdf as kept_pdf
from projections.readmodel import ReadModel
from schemes.months import YearMonth


def uk_date(value: date | str | None) -> str:
    """16 Jan 2023 (pages and papers speak UK dates)."""
    if value is None or value == "":
        return ""
    day = value if isinstance(value, date) else datetime.fromisoformat(str(value))
    return f"{day.day} {day:%b %Y}"


def month_name(value: str) -> str:
    """December 2022 for 2022-12."""
    return f"{YearMonth.parse(value).first_day:%B %Y}"


templates.env.filters["uk_date"] = uk_date
templates.env.filters["month_name"] = month_name


def default_cover(month: str) -> Cover:
    """The cover of a draft nobody has filled in yet."""
    ym = YearMonth.parse(month)
    return Cover(
        title=f"Winter schemes: delivery and spend, {ym.first_day:%B %Y}",
        agenda_item="",
        author="",
        signed_off_by="",
    )


def frozen_contents(read: ReadModel, programme: str, month: str) -> PaperContents | None:
    """The latest signed-off paper for the month, as it was kept."""
    signed = [r for r in paper_records(read.views, programme, month) if r.signed_off_by]
    if not signed:
        return None
    return contents_from_json(
        paper_contents_json(read.views, programme, month, signed[-1].revision)
    )


def readings(read: ReadModel, programme: str) -> tuple[Reading, ...]:
    """Where the catalogue departs from its source document, scheme by scheme."""
    found = about_numbers(read, programme)["departures"]
    return tuple(Reading(d["scheme_code"], d["reading"]) for d in found)


def draft(
    application: WinterApplication, read: ReadModel, programme: str, month: str, cover: Cover
) -> PaperContents:
    """The paper as it would be prepared now."""
    history = tuple(r for r in paper_records(read.views, programme) if r.month <= month)
    return build_contents(
        read,
        programme,
        month,
        cover,
        history=history,
        frozen=frozen_contents(read, programme, month),
        readings=readings(read, programme),
    )


def chart(read: ReadModel, paper: PaperContents) -> str:
    series = read.delivery_daily(paper.programme, None, paper.as_of, paper.known_at)
    return delivery_chart(series)


def paper_html(paper: PaperContents, chart_svg: str, for_print: bool = False) -> str:
    """The paper as a web page (the chart inline, as on the dashboard) or, ``for_print``, as
    WeasyPrint reads it (the chart as an SVG image: its renderer, not the HTML one, styles it)."""
    picture = ""
    if for_print:
        picture = "data:image/svg+xml;base64," + base64.b64encode(chart_svg.encode()).decode()
    context: dict[str, Any] = {
        "paper": paper,
        "chart": chart_svg,
        "picture": picture,
        "section_names": SECTION_NAMES,
    }
    return templates.env.get_template("board_paper.html").render(context)


def paper_pdf(paper: PaperContents, chart_svg: str) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, and every other page and service
    # must start on a machine without it.
    from weasyprint import HTML

    pdf: bytes = HTML(string=paper_html(paper, chart_svg, for_print=True)).write_pdf()
    return pdf


def prepare(
    application: WinterApplication,
    read: ReadModel,
    actor: Actor,
    programme: str,
    month: str,
    cover: Cover,
    idempotency_key: str | None = None,
) -> tuple[Receipt, int]:
    """Reads the figures at the views' position, renders the PDF and keeps both with the
    cover as the month's next revision; returns the receipt and the revision."""
    read.projector.run_once()
    paper = draft(application, read, programme, month, cover)
    pdf = paper_pdf(paper, chart(read, paper))
    result = application.prepare_board_paper(
        actor,
        programme,
        month,
        cover,
        (paper.known_at, paper.as_of.isoformat()),
        contents_json(paper),
        pdf,
        idempotency_key,
    )
    read.projector.run_once()
    return result


def kept(
    application: WinterApplication,
    read: ReadModel,
    programme: str,
    month: str,
    revision: int | None = None,
) -> tuple[PaperContents, PaperRecord | None]:
    """A kept revision (the latest when none is named) with its record; a draft computed now,
    with a record of None, when the month has no paper yet."""
    YearMonth.parse(month)
    read.facts(programme)  # an unknown programme is a 404, not an empty list
    records = paper_records(read.views, programme, month)
    if revision is None and not records:
        return draft(application, read, programme, month, default_cover(month)), None
    wanted = records[-1].revision if revision is None else revision
    record = next((r for r in records if r.revision == wanted), None)
    if record is None:
        raise NotFound(f"no revision {wanted} of the {month} board paper", field="revision")
    text = paper_contents_json(read.views, programme, month, wanted)
    return contents_from_json(text), record


def pdf_of(read: ReadModel, paper: PaperContents, record: PaperRecord | None) -> tuple[bytes, str]:
    """The PDF (kept byte for byte, or rendered now for a draft) and its SHA-256."""
    if record is not None:
        body = kept_pdf(read.views, paper.programme, paper.month, record.revision)
    else:
        body = paper_pdf(paper, chart(read, paper))
    return body, hashlib.sha256(body).hexdigest()
