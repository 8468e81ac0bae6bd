"""What users install is what we test: the wheel, installed away from the checkout, serves.

The wheel is built from the repository exactly as ``pip install .`` (and the Dockerfile) builds
it, installed without dependencies into a fresh virtual environment whose only view of the
checkout's interpreter is its site-packages (the test environment's third-party packages, never
the checkout's own code), and run from a directory outside the checkout.
"""

from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import Server, start_server
from tests.support.wheel import ROOT, build_wheel, install_wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def test_wheel_carries_every_runtime_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "api/templates", "api/static", "schemes/data"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert tracked, "no runtime files tracked"
    missing = [path for path in tracked if path not in names]
    assert missing == []


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_wheel(wheel, tmp_path_factory.mktemp("venv")).parent


@pytest.fixture(scope="module")
def server(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("serve")
    running = start_server(
        workdir,
        program=[str(installed / "bin" / "wintertrack")],
        cwd=workdir,
        extra_env={"PYTHONPATH": "", "PYTHONSAFEPATH": "1"},
    )
    yield running
    running.stop()


def test_the_installed_code_is_the_wheel_not_the_checkout(installed: Path) -> None:
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import api, schemes; print(api.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=installed,
    ).stdout.strip()
    assert where.startswith(str(installed)), where
    assert str(ROOT) not in where


def test_the_installed_server_serves_pages_assets_and_the_api(server: Server) -> None:
    login = httpx.get(f"{server.url}/login")
    assert login.status_code == 200
    assert "Sign in" in login.text
    css = httpx.get(f"{server.url}/static/wintertrack.css")
    assert css.status_code == 200
    assert "text/css" in css.headers["content-type"]
    assert len(server.tokens) == 4
    api = httpx.get(f"{server.url}/api/v1/programmes/QM7-2022-23", headers=server.headers("board"))
    assert api.status_code == 200
    assert api.json()["bed_target"] == 141
    with httpx.Client(base_url=server.url) as browser:
        signed_in = browser.post(
            "/login", data={"token": server.tokens["board"]}, follow_redirects=True
        )
        assert signed_in.status_code == 200
        assert "141" in signed_in.text
        assert "<svg" in signed_in.text
