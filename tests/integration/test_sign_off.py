"""Sign-off before submission (docs/rules.md §12): a return is signed off by someone with the
sign-off permission, who sees its figures' SHA-256; a change afterwards voids the sign-off;
submission needs a standing sign-off of exactly the figures submitted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from capacity.app.submission import sign_off, submit
from capacity.errors import Forbidden, SignOffRequired
from capacity.values import Actor
from projections.exports import parse_csv
from projections.submission import ViewFigures, prepared, sign_off_status
from schemes.rules import InputRefused
from tests.support.world import World, make_world
from wintertrack.demo import generate_winter

P = "QM7-2022-23"
DIRECTOR = Actor("director", "admin", "web")
FINANCE = Actor("fin", "admin", "api")
BOARD = Actor("board-member", "board", "web")
CODE = "smart-ed-specialist-review-whth"


def world_at(tmp_path: Path) -> World:
    world = make_world(date(2022, 11, 20), store=f"sqlite:///{tmp_path}/wt.db")
    generate_winter(world.app, P, date(2022, 11, 19))
    world.catch_up()
    return world


def correct_a_figure(world: World) -> None:
    before = world.app.get_daily_report(P, CODE, date(2022, 10, 20)).figures
    changed = {**before, "date": "2022-10-20", "beds_equivalent": 25}
    world.app.correct_daily(FINANCE, P, CODE, changed, "sitrep double counted")
    world.catch_up()


def test_submission_without_sign_off_is_refused_and_stores_nothing(tmp_path: Path) -> None:
    world = world_at(tmp_path)
    head = world.app.max_position()
    with pytest.raises(SignOffRequired, match="not signed off"):
        submit(world.app, ViewFigures(world.read), FINANCE, P, "2022-10")
    assert world.app.max_position() == head
    assert world.read.submissions(P, "2022-10") == []


def test_a_figure_changed_after_sign_off_voids_it(tmp_path: Path) -> None:
    world = world_at(tmp_path)
    seen = prepared(world.read, P, "2022-10")
    sign_off(
        world.app,
        ViewFigures(world.read),
        DIRECTOR,
        P,
        "2022-10",
        seen["position"],
        seen["figures_sha256"],
    )
    assert sign_off_status(world.read, P, "2022-10")["valid"] is True
    correct_a_figure(world)
    status = sign_off_status(world.read, P, "2022-10")
    assert (status["signed_off"], status["valid"]) == (True, False)
    assert status["signed_sha256"] == seen["figures_sha256"] != status["figures_sha256"]
    with pytest.raises(SignOffRequired, match="void"):
        submit(world.app, ViewFigures(world.read), FINANCE, P, "2022-10")
    assert world.read.submissions(P, "2022-10") == []


def test_the_signed_off_sha256_is_the_submitted_one(tmp_path: Path) -> None:
    world = world_at(tmp_path)
    seen = prepared(world.read, P, "2022-10")
    _, _, signed = sign_off(
        world.app,
        ViewFigures(world.read),
        DIRECTOR,
        P,
        "2022-10",
        seen["position"],
        seen["figures_sha256"],
    )
    world.today[0] = date(2022, 11, 21)  # another day: the figures of October are the same
    _, revision, _, _ = submit(world.app, ViewFigures(world.read), FINANCE, P, "2022-10")
    stored = world.read.submission(P, "2022-10", revision)
    assert signed == seen["figures_sha256"] == stored["figures_sha256"]
    assert stored["signed_off_by"] == "director" and stored["signed_off_at"]
    cover = {r["field"]: r["value"] for r in parse_csv(stored["csv"])["cover"]}
    assert (cover["signed_off_by"], cover["signed_off_at"]) == ("director", stored["signed_off_at"])
    # Submitting uses the sign-off up: a restatement needs its own.
    correct_a_figure(world)
    with pytest.raises(SignOffRequired):
        submit(world.app, ViewFigures(world.read), FINANCE, P, "2022-10", "restated")
    sign_off(world.app, ViewFigures(world.read), DIRECTOR, P, "2022-10")
    _, second, _, _ = submit(world.app, ViewFigures(world.read), FINANCE, P, "2022-10", "restated")
    assert second == 2


def test_sign_off_of_figures_the_signer_did_not_see_is_refused(tmp_path: Path) -> None:
    world = world_at(tmp_path)
    seen = prepared(world.read, P, "2022-10")
    correct_a_figure(world)
    with pytest.raises(InputRefused) as refused:
        sign_off(
            world.app, ViewFigures(world.read), DIRECTOR, P, "2022-10", None, seen["figures_sha256"]
        )
    assert refused.value.field == "sha256"
    with pytest.raises(Forbidden):
        sign_off(world.app, ViewFigures(world.read), BOARD, P, "2022-10")
