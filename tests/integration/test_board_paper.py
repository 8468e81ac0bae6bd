"""The board's monthly paper on a SQLite store: the M9 (December 2022) paper's PDF read back
with pypdf against the dashboard at the same position, and a correction after sign-off that
leaves the frozen PDF byte for byte as it was while the next preparation lists the change.

Each PDF takes seconds to render on a shared machine: the module prepares three in all."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from api.web.paper import default_cover, draft, kept, prepare
from capacity.board_papers import Cover
from capacity.errors import Conflict
from capacity.values import Actor
from projections.board_papers import paper_pdf, paper_records
from schemes.rules import InputRefused
from tests.support.world import World, make_world
from wintertrack.demo import generate_winter

P = "QM7-2022-23"
M9 = "2022-12"
BOARD = Actor("board-secretary", "admin", "web")
DIRECTOR = Actor("finance-director", "admin", "web")
COVER = {
    "title": "Winter schemes: delivery and spend, December 2022",
    "agenda_item": "12.1",
    "author": "Head of UEC Planning",
    "signed_off_by": "Chief Finance Officer",
    "purpose": "discussion",
    "recommendations": "",
    "conflicts_of_interest": "None declared.",
}


@dataclass
class Winter:
    world: World
    revision: int
    pdf: bytes


@pytest.fixture(scope="module")
def winter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Winter]:
    tmp = Path(tmp_path_factory.mktemp("paper"))
    world = make_world(date(2023, 1, 15), store=f"sqlite:///{tmp}/wt.db")
    generate_winter(world.app, P, date(2023, 1, 14))
    world.catch_up()
    _, revision = prepare(world.app, world.read, BOARD, P, M9, Cover.checked(COVER))
    yield Winter(world, revision, paper_pdf(world.read.views, P, M9, revision))


def text_of(pdf: bytes) -> tuple[list[str], str]:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    return pages, "\n".join(pages)


def flat(text: str) -> str:
    """Without whitespace: table cells wrap codes and names over lines."""
    return re.sub(r"\s+", "", text)


def test_the_m9_paper_reads_back_with_the_dashboards_figures(winter: Winter) -> None:
    world = winter.world
    paper, record = kept(world.app, world.read, P, M9, winter.revision)
    assert record is not None and record.prepared_by == BOARD.user_id
    pages, text = text_of(winter.pdf)
    # The cover sheet, as entered (blank recommendations: "to note").
    cover = pages[0]
    for entered in ("12.1", "Head of UEC Planning", "Chief Finance Officer", "None declared."):
        assert entered in cover
    assert "Winter schemes: delivery and spend, December 2022" in cover
    assert "[X] Discussion" in cover and "[ ] Information" in cover
    assert "The board is asked to note the report." in cover
    # The executive summary's headline figures are the dashboard's at the same position.
    board = world.read.dashboard(P, date(2022, 12, 31), paper.known_at)
    head = board.headline
    assert head.month == M9
    delivered, planned = head.delivered_month_to_date, head.planned_month_to_date
    assert f"Delivered, month average {delivered:.2f}" in text
    assert f"Planned, month average {planned:.2f}" in text
    assert f"Bed target (beds-equivalent per day) {board.bed_target}" in text
    said = f"an average of {delivered:,.1f} beds-equivalent per day against the target of 141"
    assert flat(said) in flat(text)
    for rag in ("green", "amber", "red"):
        count = sum(1 for s in board.schemes if s.delivery_rag == rag)
        if count:
            assert f"Schemes rated {rag.capitalize()} {count}" in text
    for stream in board.spend:
        spent = float(stream.spend_to_date_gbp)
        assert f"£{spent:,.2f}" in text, stream.funding_stream
    # Every scheme in the appendix, with its RAG as a word.
    first = next(n for n, p in enumerate(pages) if "Appendix A: schemes by section" in p)
    appendix = flat("\n".join(pages[first:]))
    codes = [s.scheme_code for s in board.schemes]
    assert len(codes) == 28
    missing = [c for c in codes if f"({c})" not in appendix]
    assert missing == []
    assert "Green" in appendix and "Amber" in appendix
    # A4 pages, each with its number and the programme, month and as-at position in the footer.
    reader = PdfReader(io.BytesIO(winter.pdf))
    assert 5 <= len(pages) <= 12
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page
        assert f"{P} · M9 (December 2022), 2022/23 · figures as at event {paper.known_at}" in page
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_a_correction_after_sign_off_leaves_the_frozen_paper_and_is_listed_next(
    winter: Winter,
) -> None:
    world = winter.world
    frozen_sha = hashlib.sha256(winter.pdf).hexdigest()
    world.app.sign_off_board_paper(DIRECTOR, P, M9, winter.revision)
    world.catch_up()
    with pytest.raises(Conflict):  # signed off once only
        world.app.sign_off_board_paper(DIRECTOR, P, M9, winter.revision)
    # A December figure corrected, and a diversion decided, after the sign-off.
    code = "smart-ed-specialist-review-whth"
    before = world.app.get_daily_report(P, code, date(2022, 12, 12)).figures
    changed = {**before, "date": "2022-12-12", "beds_equivalent": 40}
    world.app.correct_daily(DIRECTOR, P, code, changed, "sitrep double counted")
    world.app.divert_funding(
        DIRECTOR, P, "imc-beds-enh", "hct-bridging-enh", "1000", "UEC-2023-01", "2023-01-10"
    )
    world.catch_up()
    _, second = prepare(world.app, world.read, BOARD, P, M9, Cover.checked(COVER))
    assert second == winter.revision + 1
    again = paper_pdf(world.read.views, P, M9, winter.revision)
    assert again == winter.pdf and hashlib.sha256(again).hexdigest() == frozen_sha
    records = paper_records(world.read.views, P, M9)
    assert [(r.revision, r.signed_off_by) for r in records] == [
        (1, DIRECTOR.user_id),
        (2, None),
    ]
    assert records[0].sha256 == frozen_sha
    paper, _ = kept(world.app, world.read, P, M9, second)
    assert paper.frozen_revision == winter.revision
    changed_codes = {c.what.split(":")[0] for c in paper.changes}
    assert code in changed_codes
    assert any(c.what == f"{code}: delivered beds equivalent" for c in paper.changes)
    assert [(d.kind, d.reference) for d in paper.decisions] == [("Diversion", "UEC-2023-01")]
    _, text = text_of(paper_pdf(world.read.views, P, M9, second))
    assert "Figures that differ from revision 1, the signed-off paper" in text
    assert code in flat(text) and "UEC-2023-01" in text
    assert flat("signed off by finance-director") in flat(text)  # the cover's report history
    # The next month's draft (no PDF) follows the signed-off M9 paper: its decisions are those
    # recorded since, and it has no paper of its own to differ from.
    january = draft(world.app, world.read, P, "2023-01", default_cover("2023-01"))
    assert january.decisions_since == "the M9 (December 2022), 2022/23 paper, revision 1"
    assert [d.reference for d in january.decisions] == ["UEC-2023-01"]
    assert january.frozen_revision is None and january.changes == ()


def test_a_month_outside_the_winter_or_not_yet_begun_is_refused_by_name(winter: Winter) -> None:
    world = winter.world
    for month in ("2022-09", "2023-04", "2023-13"):
        with pytest.raises(InputRefused) as refused:
            kept(world.app, world.read, P, month)
        assert refused.value.field == "month"
    world.today[0] = date(2022, 12, 20)
    try:
        with pytest.raises(InputRefused, match="has not started"):
            kept(world.app, world.read, P, "2023-01")
    finally:
        world.today[0] = date(2023, 1, 15)


def test_the_cover_names_what_is_missing_and_purpose_is_one_of_four() -> None:
    with pytest.raises(InputRefused) as missing:
        Cover.checked({**COVER, "agenda_item": "  "})
    assert missing.value.field == "agenda_item"
    with pytest.raises(InputRefused) as purpose:
        Cover.checked({**COVER, "purpose": "assurance"})
    assert purpose.value.field == "purpose"


@pytest.mark.postgres
def test_decisions_since_the_signed_off_paper_on_postgresql(postgres_url: str) -> None:
    """The papers' view and the decisions query on a real PostgreSQL server: a diversion, a
    pause and a bed-target revision after sign-off are the next paper's decisions, and the
    frozen PDF is fetched back unchanged (two small PDFs)."""
    world = make_world(date(2023, 1, 15), store=postgres_url)
    world.scheme("alpha")
    world.scheme("beta")
    month = "2023-01"
    world.catch_up()
    _, first = prepare(world.app, world.read, BOARD, P, month, Cover.checked(COVER))
    frozen = paper_pdf(world.read.views, P, month, first)
    world.app.sign_off_board_paper(DIRECTOR, P, month, first)
    world.app.divert_funding(DIRECTOR, P, "alpha", "beta", "1000", "UEC-23/01", "2023-01-12")
    world.app.change_status(DIRECTOR, P, "beta", "pause", "2023-01-13", "staffing")
    world.app.revise_bed_target(DIRECTOR, P, 150, "NHSE revised ask")
    world.catch_up()
    _, second = prepare(world.app, world.read, BOARD, P, month, Cover.checked(COVER))
    assert paper_pdf(world.read.views, P, month, first) == frozen
    paper, record = kept(world.app, world.read, P, month, second)
    assert record is not None and record.signed_off_by is None
    assert [(d.kind, d.scheme_code, d.detail) for d in paper.decisions] == [
        ("Diversion", "beta", "£1,000.00 diverted from alpha"),
        ("Status", "beta", "now paused"),
        ("Bed target", "", "bed target 141 → 150"),
    ]
    assert paper.decisions[0].reference == "UEC-23/01"
    assert ("Bed target", "141", "150") in [(c.what, c.frozen, c.now) for c in paper.changes]
