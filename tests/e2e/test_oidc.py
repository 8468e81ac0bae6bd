"""Sign-in with the organisation's account, end to end in Chromium, against a real OpenID
Connect provider process (``oidc-provider-mock``) and a real ``wintertrack serve``; and the ID
token checks (signature, issuer, audience, expiry, nonce) against tokens made for the purpose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from authlib.jose import JsonWebKey, jwt
from playwright.sync_api import Browser, Page

from api.web.oidc import SignInRefused, verify_id_token
from tests.support.browser import SHOTS
from tests.support.postgres import free_port
from tests.support.server import Server, start_server

KNOWN = "jo.lead@nhs.example"
UNKNOWN = "stranger@nhs.example"


def run_provider(workdir: Path, *extra: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    log = (workdir / f"provider-{port}.log").open("w")
    claims = [
        json.dumps({"sub": email, "email": email, "email_verified": True, "name": email})
        for email in (KNOWN, UNKNOWN)
    ]
    command = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), *extra]
    for claim in claims:
        command += ["--user-claims", claim]
    process = subprocess.Popen(command, stdout=log, stderr=log)
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{issuer}/.well-known/openid-configuration").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    return issuer, process


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    issuer, process = run_provider(Path(tmp_path_factory.mktemp("oidc")))
    yield issuer
    process.terminate()
    process.wait(timeout=10)


def serve_with(provider: str, workdir: Path) -> Server:
    oidc = {
        "WINTERTRACK_OIDC_ISSUER": provider,
        "WINTERTRACK_OIDC_CLIENT_ID": "wintertrack",
        "WINTERTRACK_OIDC_CLIENT_SECRET": "client-secret-for-tests",
    }
    running = start_server(workdir, extra_env=oidc)
    env = {
        **os.environ,
        "WINTERTRACK_STORE": f"sqlite:///{workdir}/wintertrack.db",
        "WINTERTRACK_SECRET_KEY": "e2e-secret-key-not-for-production",
    }
    added = subprocess.run(
        [
            *(sys.executable, "-m", "wintertrack", "user", "add", "Jo Lead", "--role", "lead"),
            *("--programme", "QM7-2022-23", "--scheme", "imc-beds-enh", "--email", KNOWN),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert added.returncode == 0, added.stderr
    return running


@pytest.fixture(scope="module")
def server(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = serve_with(provider, Path(tmp_path_factory.mktemp("oidc-server")))
    yield running
    running.stop()


def through_provider(browser: Browser, server: Server, email: str) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    callbacks: list[str] = []
    page.on(
        "request", lambda r: callbacks.append(r.url) if "/login/oidc/callback" in r.url else None
    )
    page.goto(f"{server.url}/login?next=/schemes/imc-beds-enh")
    page.get_by_role("link", name="Sign in with your organisation").click()
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state()
    return page, callbacks


def session_cookie(page: Page) -> str | None:
    return next((c["value"] for c in page.context.cookies() if c["name"] == "wt_session"), None)


def test_a_known_person_signs_in_with_their_organisation(
    browser: Browser,
    server: Server,
) -> None:
    page, callbacks = through_provider(browser, server, KNOWN)
    assert page.url == f"{server.url}/schemes/imc-beds-enh"
    assert "Jo Lead (lead)" in page.inner_text("header")
    assert page.locator("form[action^='/schemes/imc-beds-enh/daily']").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "oidc-signed-in.png"))
    # Replaying the provider's answer (same state, same code) opens nothing.
    cookie = session_cookie(page)
    assert cookie and callbacks
    page.context.clear_cookies()
    page.goto(callbacks[-1])
    assert "not signed in" in page.inner_text("h1").lower()
    assert session_cookie(page) is None
    replay = httpx.get(callbacks[-1], follow_redirects=False)
    assert replay.status_code == 400 and "wt_session" not in replay.cookies
    page.close()


def test_an_unknown_email_is_asked_to_see_the_administrator(
    browser: Browser,
    server: Server,
) -> None:
    page, _ = through_provider(browser, server, UNKNOWN)
    assert "ask your" in page.inner_text("main").lower()
    assert UNKNOWN in page.inner_text("#signin-refused")
    assert session_cookie(page) is None
    page.screenshot(path=str(SHOTS / "oidc-unknown-email.png"))
    page.close()


def test_a_sign_in_meant_for_another_application_is_refused(
    browser: Browser, server: Server
) -> None:
    """The person authorises a different client at the provider and the answer is brought back
    to us with our own state: no session (the provider will not exchange another client's code;
    an ID token for another audience is refused by our own check, below)."""
    page = browser.new_page()
    page.goto(f"{server.url}/login")
    page.get_by_role("link", name="Sign in with your organisation").click()
    page.wait_for_load_state()
    elsewhere = page.url.replace("client_id=wintertrack", "client_id=another-app")
    assert elsewhere != page.url
    page.goto(elsewhere)
    page.get_by_placeholder("sub").fill(KNOWN)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state()
    assert "not signed in" in page.inner_text("h1").lower()
    assert session_cookie(page) is None
    page.screenshot(path=str(SHOTS / "oidc-wrong-audience.png"))
    page.close()


def test_an_expired_id_token_is_refused(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A provider whose ID tokens have already expired when they are issued."""
    workdir = Path(tmp_path_factory.mktemp("expired"))
    issuer, process = run_provider(workdir, "--token-max-age", "-120")
    running = serve_with(issuer, workdir)
    try:
        page, _ = through_provider(browser, running, KNOWN)
        assert "expired" in page.inner_text("#signin-refused").lower()
        assert session_cookie(page) is None
        page.close()
    finally:
        running.stop()
        process.terminate()
        process.wait(timeout=10)


KEY = JsonWebKey.generate_key("RSA", 2048, is_private=True)
KEYS = JsonWebKey.import_key_set({"keys": [KEY.as_dict(is_private=False)]})
ISSUER, AUDIENCE, NONCE = "https://login.example.nhs.uk", "wintertrack", "n-123"


def token(**overrides: object) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "jo",
        "email": KNOWN,
        "iat": now,
        "exp": now + 300,
        "nonce": NONCE,
        **overrides,
    }
    signed: bytes = jwt.encode({"alg": "RS256", "kid": KEY.thumbprint()}, claims, KEY)
    return signed.decode()


def test_a_good_id_token_is_accepted() -> None:
    assert verify_id_token(token(), KEYS, ISSUER, AUDIENCE, NONCE)["email"] == KNOWN


@pytest.mark.parametrize(
    "bad",
    [
        {"aud": "another-app"},
        {"exp": int(time.time()) - 5, "iat": int(time.time()) - 600},
        {"iss": "https://evil.example"},
        {"nonce": "replayed"},
    ],
    ids=["wrong audience", "expired", "wrong issuer", "wrong nonce"],
)
def test_a_bad_id_token_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(SignInRefused):
        verify_id_token(token(**bad), KEYS, ISSUER, AUDIENCE, NONCE)


def test_a_token_signed_by_another_key_is_refused() -> None:
    other = JsonWebKey.generate_key("RSA", 2048, is_private=True)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60, "nonce": NONCE}
    forged = jwt.encode({"alg": "RS256", "kid": KEY.thumbprint()}, claims, other).decode()
    with pytest.raises(SignInRefused):
        verify_id_token(forged, KEYS, ISSUER, AUDIENCE, NONCE)
