"""One-time sign-in links: good once, refused the second time and after they expire (with an
injected clock), recorded in the sign-in audit, and stored only as a hash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from capacity.signin import SignInService
from tests.scenarios.ledger import ADMIN
from tests.support.api_world import ApiWorld, api_world


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2022, 11, 20, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


def _world() -> tuple[ApiWorld, SignInService, Clock]:
    world = api_world()
    clock = Clock()
    signin: SignInService = world.client.app.state.signin  # type: ignore[attr-defined]
    signin.now = clock
    return world, signin, clock


def _use(client: TestClient, secret: str) -> tuple[int, str]:
    got = client.post("/login/link", data={"secret": secret}, follow_redirects=False)
    return got.status_code, got.text


def test_a_link_signs_its_user_in_once_and_is_refused_the_second_time() -> None:
    world, signin, _ = _world()
    secret = signin.issue_link(ADMIN, "lead")
    client = TestClient(world.client.app)
    opened = client.get(f"/login/link/{secret}")
    assert opened.status_code == 200 and 'action="/login/link"' in opened.text
    status, _ = _use(client, secret)
    assert status == 303
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 200 and "Your schemes" in home.text

    again = TestClient(world.client.app)
    status, text = _use(again, secret)
    assert status == 401 and "already been used" in text
    assert again.get("/", follow_redirects=False).status_code == 303  # not signed in
    shown = again.get(f"/login/link/{secret}")
    assert shown.status_code == 401 and "already been used" in shown.text

    audit = [e["event"] for e in signin.audit(ADMIN, limit=1000)]
    assert audit.count("SignInLink.LinkIssued") == 1
    assert audit.count("SignInLink.LinkUsed") == 1
    assert audit.count("SignInAudit.SignInFailed") == 1
    stored = b"".join(
        bytes(n.state) for n in world.application.recorder.select_notifications(1, 100_000)
    )
    assert secret.encode() not in stored


def test_a_link_is_refused_after_it_expires() -> None:
    world, signin, clock = _world()
    secret = signin.issue_link(ADMIN, "finance")
    clock.at += timedelta(hours=12)
    client = TestClient(world.client.app)
    status, text = _use(client, secret)
    assert status == 401 and "expired" in text
    assert client.get("/", follow_redirects=False).status_code == 303
    # one second earlier it would have worked: the life is 12 hours, not less
    fresh = signin.issue_link(ADMIN, "finance")
    clock.at += timedelta(hours=12) - timedelta(seconds=1)
    assert _use(client, fresh)[0] == 303


def test_an_unknown_or_malformed_link_is_refused_without_a_500() -> None:
    world, _, _ = _world()
    client = TestClient(world.client.app)
    for secret in ("", "nope", "x" * 5000, "%00"):
        status, text = _use(client, secret)
        assert status == 401 and "not valid" in text, secret
    assert client.get("/login/link/nope").status_code == 401


def test_a_link_made_before_an_administrator_ended_the_users_sessions_is_refused() -> None:
    world, signin, clock = _world()
    secret = signin.issue_link(ADMIN, "lead")
    clock.at += timedelta(minutes=5)
    signin.end_user_sessions(ADMIN, "lead", "laptop lost")
    status, text = _use(TestClient(world.client.app), secret)
    assert status == 401 and "an administrator ended this user" in text
