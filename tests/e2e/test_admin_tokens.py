"""An administrator manages tokens by id, in a real browser and on the command line: lists
them with their labels, issues a new one to an existing user, revokes one by its id and ends
a user's sessions; the pages pass axe-core and answer a revoke with a redirect."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
from playwright.sync_api import Browser

from capacity.users import token_id
from tests.support.browser import check, sign_in
from tests.support.server import Server

P = "QM7-2022-23"


def test_admin_issues_lists_and_revokes_tokens_by_id_and_ends_sessions(
    browser: Browser, server: Server
) -> None:
    api = f"{server.url}/api/v1/programmes/{P}"
    board_session = httpx.post(
        f"{server.url}/login", data={"token": server.tokens["board"]}, follow_redirects=False
    ).cookies
    assert httpx.get(f"{server.url}/", cookies=board_session).status_code == 200
    admin = sign_in(browser, server, "admin")
    admin.goto(f"{server.url}/admin/users")
    check(admin, "admin-tokens")
    board_token = str(token_id(server.tokens["board"]))
    assert admin.inner_text(f'#tokens [data-token="{board_token}"] .state') == "Live"

    admin.select_option("#token_user", "uec-board")
    admin.fill("#label", "board paper robot")
    admin.click("form.card:has(#token_user) button[type=submit]")
    issued = admin.inner_text("#token-value")
    assert httpx.get(api, headers={"Authorization": f"Bearer {issued}"}).status_code == 200
    row = f'#tokens [data-token="{token_id(issued)}"]'
    assert "board paper robot" in admin.inner_text(row)
    check(admin, "admin-token-issued")

    admin.select_option("#token_id", str(token_id(issued)))
    admin.fill("#revoke_reason", "robot retired")
    with admin.expect_response(lambda r: r.request.method == "POST") as posted:
        admin.click("form.card:has(#token_id) button[type=submit]")
    assert posted.value.status == 303  # post/redirect/get: a reload cannot revoke twice
    assert "revoked" in admin.inner_text("#message")
    assert admin.inner_text(f"{row} .state") == "Revoked: robot retired"
    assert httpx.get(api, headers={"Authorization": f"Bearer {issued}"}).status_code == 401
    assert httpx.get(api, headers=server.headers("board")).status_code == 200  # only that one

    admin.select_option("#session_user", "uec-board")
    admin.fill("#end_reason", "left the board")
    admin.click("form.card:has(#session_user) button[type=submit]")
    assert "ended" in admin.inner_text("#message")
    check(admin, "admin-sessions-ended")
    page = httpx.get(f"{server.url}/", cookies=board_session, follow_redirects=False)
    assert page.status_code == 303  # signed out everywhere
    assert httpx.get(api, headers=server.headers("board")).status_code == 200


def wintertrack(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WINTERTRACK_STORE": f"sqlite:///{store}"}
    return subprocess.run(
        [sys.executable, "-m", "wintertrack", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_line_lists_issues_and_revokes_tokens_by_id_and_ends_sessions(
    tmp_path: Path,
) -> None:
    store = tmp_path / "cli" / "wintertrack.db"
    added = wintertrack(store, "user", "add", "jo", "--role", "board")
    assert added.returncode == 0, added.stderr
    first = added.stdout.splitlines()[-1]
    assert stat.S_IMODE(store.stat().st_mode) == 0o600  # the store is its owner's alone
    issued = wintertrack(store, "user", "issue-token", "jo", "--label", "ledger robot")
    assert issued.returncode == 0, issued.stderr
    second = issued.stdout.splitlines()[-1]
    listed = wintertrack(store, "user", "tokens", "jo").stdout.splitlines()
    assert [line.split()[0] for line in listed] == [str(token_id(first)), str(token_id(second))]
    assert "ledger robot" in listed[1] and "live" in listed[1]

    revoked = wintertrack(store, "user", "revoke-token", str(token_id(second)), "--reason", "gone")
    assert revoked.returncode == 0, revoked.stderr
    after = wintertrack(store, "user", "tokens", "jo").stdout.splitlines()
    assert "revoked (gone)" in after[1] and "live" in after[0]
    again = wintertrack(store, "user", "revoke-token", str(token_id(second)), "--reason", "x")
    assert again.returncode == 2 and "already revoked" in again.stderr
    unknown = wintertrack(store, "user", "revoke-token", "not-an-id", "--reason", "x")
    assert unknown.returncode == 2 and "token_id" in unknown.stderr
    nobody = wintertrack(store, "user", "issue-token", "nobody")
    assert nobody.returncode == 2 and "unknown user" in nobody.stderr
    ended = wintertrack(store, "user", "end-sessions", "jo", "--reason", "left")
    assert ended.returncode == 0, ended.stderr
