"""A real ``wintertrack serve --demo`` process on a loopback port, with its printed tokens."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from tests.support.postgres import free_port


@dataclass
class Server:
    url: str
    tokens: dict[str, str]
    process: subprocess.Popen[str]
    log: Path
    links: dict[str, str] = field(default_factory=dict)  # each role's one-time sign-in link

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _drain(stream: IO[str], log: Path) -> None:
    with log.with_suffix(".out").open("a") as sink:
        for line in stream:
            sink.write(line)


def start_server(
    workdir: Path,
    demo_date: str = "2022-11-20",
    program: list[str] | None = None,
    cwd: Path | None = None,
    extra_env: dict[str, str] | None = None,
    store: str | None = None,
    extra_args: list[str] | None = None,
    roles: tuple[str, ...] = ("admin", "board", "finance", "lead"),
) -> Server:
    """Starts ``wintertrack serve --demo``; ``program`` replaces ``python -m wintertrack`` (for
    example the console script of an installed wheel)."""
    port = free_port()
    log = workdir / f"server-{port}.log"
    env = {
        **os.environ,
        "WINTERTRACK_STORE": store or f"sqlite:///{workdir}/wintertrack.db",
        "WINTERTRACK_SECRET_KEY": "e2e-secret-key-not-for-production",
        **(extra_env or {}),
    }
    command = [
        *(program or [sys.executable, "-m", "wintertrack"]),
        "serve",
        "--demo",
        "--demo-date",
        demo_date,
        "--port",
        str(port),
        *(extra_args or []),
    ]
    with log.open("w") as sink:
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=sink, text=True, cwd=cwd
        )
    assert process.stdout is not None
    tokens: dict[str, str] = {}
    links: dict[str, str] = {}
    deadline = time.monotonic() + 120
    role = ""
    # Each role's token line is followed by its sign-in link's line.
    while (len(tokens) < len(roles) or len(links) < len(tokens)) and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        parts = line.split()
        if len(parts) == 3 and parts[0] in roles:
            role = parts[0]
            tokens[role] = parts[2]
        elif parts[:3] == ["sign", "in", "once:"] and role:
            links[role] = parts[3]
    # Keep reading what the server prints (uvicorn's access log), or a full pipe stalls it.
    threading.Thread(target=_drain, args=(process.stdout, log), daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(url, tokens, process, log, links)
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")


def events_after(server: Server, position: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = httpx.get(
            f"{server.url}/api/v1/events",
            params={"after": position, "limit": 1000},
            headers=server.headers("admin"),
            timeout=30,
        ).json()
        if not page:
            return found
        found.extend(page)
        position = page[-1]["position"]


def head(server: Server) -> int:
    tail = events_after(server, 0)
    return int(tail[-1]["position"]) if tail else 0
