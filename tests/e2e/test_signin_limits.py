"""The sign-in limit against real ``wintertrack serve`` processes: a forged X-Forwarded-For
neither sidesteps it nor lands in the audit, a valid token is never refused for others'
failures from the same address, and behind a configured proxy the limit also follows the
credential across addresses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import Server, start_server


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(Path(tmp_path_factory.mktemp("direct")))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Served behind a reverse proxy on loopback, named with ``--forwarded-allow-ips``."""
    running = start_server(
        Path(tmp_path_factory.mktemp("proxied")), extra_args=["--forwarded-allow-ips", "127.0.0.1"]
    )
    yield running
    running.stop()


def attempt(server: Server, token: str, forwarded: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return httpx.post(
        f"{server.url}/login", data={"token": token}, headers=headers, follow_redirects=False
    )


def audited(server: Server) -> list[dict[str, str]]:
    answer = httpx.get(f"{server.url}/api/v1/sign-ins?limit=1000", headers=server.headers("admin"))
    assert answer.status_code == 200
    entries: list[dict[str, str]] = answer.json()
    return entries


def test_a_rotating_forwarded_address_does_not_sidestep_the_limit_nor_lock_out_a_valid_token(
    direct: Server,
) -> None:
    statuses = [attempt(direct, f"wt_guess{n}", f"203.0.113.{n}").status_code for n in range(12)]
    assert statuses == [401] * 10 + [429, 429]
    valid = attempt(direct, direct.tokens["lead"], "203.0.113.99")
    assert valid.status_code == 303, valid.text[:300]
    assert httpx.get(f"{direct.url}/", cookies=valid.cookies).status_code == 200
    entries = audited(direct)
    failures = [e for e in entries if e["event"] == "SignInAudit.SignInFailed"]
    assert len(failures) == 10  # the refused ones add nothing to the audit
    assert {e["address"] for e in entries if e["address"]} == {"127.0.0.1"}


def test_behind_a_configured_proxy_the_forwarded_address_counts_and_so_does_the_credential(
    proxied: Server,
) -> None:
    assert attempt(proxied, proxied.tokens["lead"], "198.51.100.1").status_code == 303
    assert "198.51.100.1" in {e["address"] for e in audited(proxied)}  # the session's address
    # One wrong credential from ever-new addresses is limited by the credential.
    statuses = [attempt(proxied, "wt_wrong", f"198.51.100.{n}").status_code for n in range(2, 13)]
    assert statuses == [401] * 10 + [429]
    assert attempt(proxied, proxied.tokens["board"], "198.51.100.12").status_code == 303
