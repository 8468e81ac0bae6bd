"""The web's security, tried as an attacker would against real ``wintertrack serve`` processes:
open redirects, what the cookie holds, sign-out, headers, revocation seen by a second instance
sharing the store, rate limits and the sign-in audit."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import Server, start_server

P = "QM7-2022-23"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    """Two instances on one store, as behind a load balancer."""
    workdir = Path(tmp_path_factory.mktemp("pair"))
    first = start_server(workdir)
    second = start_server(workdir, store=f"sqlite:///{workdir}/wintertrack.db")
    yield first, second
    second.stop()
    first.stop()


def sign_in(server: Server, role: str, next_path: str = "/") -> httpx.Response:
    return httpx.post(
        f"{server.url}/login",
        data={"token": server.tokens[role], "next": next_path},
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "/\\evil.example/x",
        "https://evil.example/x",
        "javascript:alert(1)",
        "/%2F%2Fevil.example/x",
        "%2F%2Fevil.example",
        "/%5Cevil.example",
        "/%252F%252Fevil.example",
        "/\t/evil.example",
        "\n//evil.example",
        "///evil.example",
    ],
)
def test_sign_in_never_redirects_to_another_site(pair: tuple[Server, Server], target: str) -> None:
    answer = sign_in(pair[0], "board", target)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location == "/", (target, location)


def test_sign_in_returns_to_a_same_site_path(pair: tuple[Server, Server]) -> None:
    answer = sign_in(pair[0], "board", "/returns/2022-11?programme=QM7-2022-23")
    assert answer.headers["location"] == "/returns/2022-11?programme=QM7-2022-23"


def test_the_cookie_holds_no_token(pair: tuple[Server, Server]) -> None:
    server = pair[0]
    answer = sign_in(server, "finance")
    cookie = answer.cookies["wt_session"]
    token = server.tokens["finance"]
    decoded = b"".join(
        base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        for part in cookie.split(".")
        if part
    )
    assert token not in cookie and token.encode() not in decoded
    header = answer.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=strict" in header
    # The session id is not an API credential.
    api = httpx.get(
        f"{server.url}/api/v1/programmes/{P}", headers={"Authorization": f"Bearer {cookie}"}
    )
    assert api.status_code == 401


def test_a_copied_cookie_is_refused_after_sign_out_on_every_instance(
    pair: tuple[Server, Server],
) -> None:
    first, second = pair
    cookie = sign_in(first, "board").cookies["wt_session"]
    copied = {"wt_session": cookie}
    assert httpx.get(f"{second.url}/", cookies=copied).status_code == 200
    with httpx.Client(base_url=first.url, cookies=copied) as browser:
        assert browser.post("/logout", follow_redirects=False).status_code == 303
    for server in pair:
        again = httpx.get(f"{server.url}/", cookies=copied, follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"].startswith("/login")


def test_security_headers_on_pages_api_assets_and_errors(pair: tuple[Server, Server]) -> None:
    server = pair[0]
    cookie = {"wt_session": sign_in(server, "board").cookies["wt_session"]}
    answers = [
        httpx.get(f"{server.url}/login"),
        httpx.get(f"{server.url}/", cookies=cookie),
        httpx.get(f"{server.url}/static/wintertrack.css"),
        httpx.get(f"{server.url}/api/v1/programmes/{P}", headers=server.headers("board")),
        # (a board user bound to QM7 is refused other programmes: 403 before 404)
        httpx.get(f"{server.url}/api/v1/programmes/NOPE", headers=server.headers("admin")),
        httpx.get(f"{server.url}/api/v1/programmes/{P}"),
        httpx.get(f"{server.url}/healthz"),
    ]
    for answer in answers:
        csp = answer.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, answer.url
        assert "http" not in csp.replace("https:", "")  # no other origin
        assert answer.headers.get("x-frame-options") == "DENY"
        assert answer.headers.get("x-content-type-options") == "nosniff"
        assert answer.headers.get("referrer-policy") == "same-origin"
        assert "strict-transport-security" not in answer.headers  # plain http here
    assert {a.status_code for a in answers} == {200, 401, 404}


def test_a_revoked_token_is_refused_on_the_next_request_of_another_instance(
    pair: tuple[Server, Server],
) -> None:
    first, second = pair
    token = first.tokens["lead"]
    lead = {"Authorization": f"Bearer {token}"}
    opened = httpx.post(f"{second.url}/login", data={"token": token}, follow_redirects=False)
    cookie = {"wt_session": opened.cookies["wt_session"]}
    assert httpx.get(f"{second.url}/api/v1/programmes/{P}", headers=lead).status_code == 200
    assert httpx.get(f"{second.url}/", cookies=cookie).status_code == 200
    revoked = httpx.post(
        f"{first.url}/api/v1/tokens/revoke",
        json={"token": token, "reason": "laptop lost"},
        headers=first.headers("admin"),
    )
    assert revoked.status_code == 200
    assert httpx.get(f"{second.url}/api/v1/programmes/{P}", headers=lead).status_code == 401
    page = httpx.get(f"{second.url}/", cookies=cookie, follow_redirects=False)
    assert page.status_code == 303  # the session opened with that token ended with it


def test_an_administrator_ends_every_session_of_a_user(pair: tuple[Server, Server]) -> None:
    first, second = pair
    cookies = [{"wt_session": sign_in(s, "finance").cookies["wt_session"]} for s in pair]
    assert all(
        httpx.get(f"{s.url}/", cookies=c).status_code == 200
        for s, c in zip(pair, cookies, strict=True)
    )
    ended = httpx.post(
        f"{first.url}/api/v1/users/icb-finance/end-sessions",
        json={"reason": "left the trust"},
        headers=first.headers("admin"),
    )
    assert ended.status_code == 200, ended.text
    for server, cookie in zip(pair, cookies, strict=True):
        assert (
            httpx.get(f"{server.url}/", cookies=cookie, follow_redirects=False).status_code == 303
        )
    # A new sign-in works again.
    assert (
        httpx.get(
            f"{second.url}/",
            cookies={"wt_session": sign_in(second, "finance").cookies["wt_session"]},
        ).status_code
        == 200
    )


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = Path(tmp_path_factory.mktemp("https"))
    server = start_server(
        workdir, extra_env={"WINTERTRACK_PUBLIC_URL": "https://wintertrack.example.nhs.uk"}
    )
    yield server
    server.stop()


def test_served_over_https_cookies_are_secure_and_hsts_is_sent(https_server: Server) -> None:
    answer = sign_in(https_server, "board")
    assert "secure" in answer.headers["set-cookie"].lower()
    assert "max-age=" in answer.headers["strict-transport-security"]


def test_failed_sign_ins_are_limited_and_audited(https_server: Server) -> None:
    server = https_server
    statuses = [
        httpx.post(f"{server.url}/login", data={"token": f"wt_guess{n}"}).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    limited = httpx.post(f"{server.url}/login", data={"token": "wt_guess12"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    # Others' failures from the same address never refuse a valid token.
    valid = httpx.post(f"{server.url}/login", data={"token": server.tokens["board"]})
    assert valid.status_code == 303
    audit = httpx.get(f"{server.url}/api/v1/sign-ins?limit=1000", headers=server.headers("admin"))
    assert audit.status_code == 200
    events = [e["event"] for e in audit.json()]
    assert events.count("SignInAudit.SignInFailed") == 10
    assert "Session.SessionStarted" in events
    refused = httpx.get(f"{server.url}/api/v1/sign-ins", headers=server.headers("board"))
    assert refused.status_code == 403
