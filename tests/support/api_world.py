"""An API over a seeded in-memory tracker: users of every role, one report, spend, flow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient

from api.main import create_app
from capacity.application import WinterApplication
from tests.scenarios.ledger import ADMIN, P, scheme_spec
from tests.support.world import make_world

TODAY = date(2023, 1, 15)
FLOW = {
    "date": "2022-11-01",
    "core_beds_open": 400,
    "escalation_beds_open": 20,
    "beds_occupied": 399,
    "nctr": 60,
    "nctr_discharged": 20,
    "nctr_discharged_by_5pm": 12,
}


@dataclass
class ApiWorld:
    client: TestClient
    tokens: dict[str, str]
    application: WinterApplication

    def headers(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}


def api_world(store: str = "memory://") -> ApiWorld:
    """``store``: a SQLite URL puts the log and views in real files (its integers are 64-bit)."""
    world = make_world(TODAY, store)
    app = world.app
    app.register_scheme(ADMIN, P, scheme_spec("own", planned_start=None))
    app.register_scheme(ADMIN, P, scheme_spec("other", planned_start=None))
    app.register_site(ADMIN, P, "RQW", "Princess Alexandra Hospital", "WE")
    app.register_site(ADMIN, P, "RWG", "Watford General Hospital", "SW")
    app.report_daily(ADMIN, P, "own", {"date": "2022-11-01", "beds_equivalent": 7})
    app.report_daily(ADMIN, P, "other", {"date": "2022-11-01", "beds_equivalent": 7})
    app.record_spend(ADMIN, P, "own", "2022-10", Decimal("1000.00"), "actual")
    app.record_spend(ADMIN, P, "other", "2022-10", Decimal("1000.00"), "actual")
    app.report_flow(ADMIN, P, "RQW", FLOW)
    app.report_flow(ADMIN, P, "RWG", FLOW)
    tokens = {
        role: app.add_user(ADMIN, name, role, P, schemes)[1]
        for role, name, schemes in (
            ("admin", "root", []),
            ("board", "board", []),
            ("finance", "finance", []),
            ("lead", "lead", ["own", "RQW"]),
        )
    }
    world.catch_up()
    from capacity.app.submission import sign_off, submit
    from projections.submission import ViewFigures

    sign_off(app, ViewFigures(world.read), ADMIN, P, "2022-10")
    submit(app, ViewFigures(world.read), ADMIN, P, "2022-10")
    # Standing sign-offs, so the pages and API can submit December and restate October.
    sign_off(app, ViewFigures(world.read), ADMIN, P, "2022-10")
    sign_off(app, ViewFigures(world.read), ADMIN, P, "2022-12")
    client = TestClient(create_app(app, world.read, "test-secret-key", follow=False))
    return ApiWorld(client, tokens, app)
