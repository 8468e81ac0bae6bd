"""Hostile HTTP input against a real ``wintertrack serve`` process: a workbook that declares a
huge sheet, a media type that only looks like a form, bodies that never say how long they are,
numbers too large to compute with and positions beyond 64 bits. Each answer is a 4xx, never a
500, and the server's memory stays within the stated bound (read from ``/proc``)."""

from __future__ import annotations

import io
import re
import socket
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from openpyxl import Workbook

from capacity.daily_import import COLUMNS
from tests.support.server import Server, start_server

P = "QM7-2022-23"
DECLARED = b'<dimension ref="A1:ZZZ5001"/>'  # 5,001 rows of 18,278 columns, says the sheet
MEMORY_BOUND = 50 * 1024 * 1024  # bytes the server may grow by for one hostile upload


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(Path(tmp_path_factory.mktemp("hostile")))
    yield running
    running.stop()


def _status_kb(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    raise AssertionError(f"{name} not in /proc/{pid}/status")


def reset_peak(pid: int) -> int:
    """Resets the process's peak resident memory (VmHWM) and returns its resident bytes now."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return _status_kb(pid, "VmRSS") * 1024


def peak(pid: int) -> int:
    return _status_kb(pid, "VmHWM") * 1024


def dimension_bomb() -> bytes:
    """A daily-upload workbook (a header, one row and a last cell on row 5,001) whose sheet
    declares A1:ZZZ5001: a reader that believes it fills 5,000 rows of 18,278 cells."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    sheet.append(["imc-beds-enh", "2022-11-19", 4])
    sheet.cell(row=5001, column=1, value="end")
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"\s*/>', DECLARED, data)
                assert b"A1:ZZZ5001" in data
            target.writestr(info, data)
    return out.getvalue()


def signed_in(server: Server, role: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    answer = client.post("/login", data={"token": server.tokens[role]})
    assert answer.status_code in (200, 303), answer.text
    return client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def test_a_dimension_bomb_is_read_in_bounded_memory_without_holding_up_other_requests(
    server: Server,
) -> None:
    bomb = dimension_bomb()
    lead = signed_in(server, "lead")
    csrf = csrf_of(lead.get("/upload/daily").text)
    pid = server.process.pid
    before = reset_peak(pid)
    started = time.monotonic()
    answer = lead.post(
        "/upload/daily/preview",
        data={"csrf": csrf, "idempotency_key": "bomb"},
        files={"file": ("daily.xlsx", bomb, "application/octet-stream")},
    )
    took = time.monotonic() - started
    grown = peak(pid) - before
    print(f"bomb {len(bomb):,} bytes: {answer.status_code} in {took:.2f} s, +{grown:,} bytes")
    assert answer.status_code == 200, answer.text[:500]
    assert "imc-beds-enh" in answer.text  # read as the one row it holds, not 5,000 empty ones
    assert grown < MEMORY_BOUND
    assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200


def test_a_media_type_that_only_looks_like_a_form_is_refused_unread(server: Server) -> None:
    body = b'{"date": "2022-11-02", "beds_equivalent": 5, "narrative": "' + b"x" * 4_000_000
    answer = httpx.post(
        f"{server.url}/api/v1/programmes/{P}/schemes/imc-beds-enh/daily",
        content=body + b'"}',
        headers={"Content-Type": "application/x-www-form+json"},
        timeout=30,
    )
    assert answer.status_code == 415
    assert answer.json()["detail"][0]["loc"] == ["header", "content-type"]
    form = httpx.post(
        f"{server.url}/api/v1/programmes/{P}/schemes/imc-beds-enh/daily",
        data={"date": "2022-11-02"},
        headers=server.headers("lead"),
    )
    assert form.status_code == 415  # a form is for the pages; the API reads JSON only


def test_an_unauthenticated_api_request_is_refused_before_its_body_is_sent(
    server: Server,
) -> None:
    """Only the headers are sent: the answer cannot depend on reading a body that never comes."""
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(
            (
                f"POST /api/v1/programmes/{P}/schemes/imc-beds-enh/daily HTTP/1.1\r\n"
                f"Host: {address.netloc}\r\nContent-Type: application/json\r\n"
                "Content-Length: 200000\r\n\r\n"
            ).encode()
        )
        head = connection.recv(4096).decode("latin-1")
    assert head.startswith("HTTP/1.1 401"), head


def test_a_chunked_body_over_the_limit_answers_413(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"date": "2022-11-02", "narrative": "'
        for _ in range(40):
            yield b"x" * 10_000
        yield b'"}'

    answer = httpx.post(
        f"{server.url}/api/v1/programmes/{P}/schemes/imc-beds-enh/daily",
        content=chunks(),
        headers={**server.headers("lead"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 413, answer.text


@pytest.mark.parametrize(
    ("path", "body", "role", "field"),
    [
        (
            "schemes/imc-beds-enh/daily",
            {"date": "2022-11-02", "beds_equivalent": "1E+1000000"},
            "lead",
            "beds_equivalent",
        ),
        (
            "schemes/imc-beds-enh/spend",
            {"month": "2022-10", "amount_gbp": "1E+1000000", "basis": "actual"},
            "finance",
            "amount_gbp",
        ),
        (
            "funds-received",
            {
                "funding_stream": "revenue",
                "amount_gbp": "1E+1000000",
                "received_on": "2022-10-03",
            },
            "finance",
            "amount_gbp",
        ),
    ],
)
def test_a_number_too_large_to_compute_with_is_refused_naming_its_field(
    server: Server, path: str, body: dict[str, str], role: str, field: str
) -> None:
    answer = httpx.post(
        f"{server.url}/api/v1/programmes/{P}/{path}", json=body, headers=server.headers(role)
    )
    assert answer.status_code == 422, answer.text
    assert [e["loc"][-1] for e in answer.json()["detail"]] == [field]


@pytest.mark.parametrize("path", ["/api/v1/events", "/api/v1/sign-ins"])
def test_a_position_beyond_64_bits_is_refused(server: Server, path: str) -> None:
    answer = httpx.get(
        f"{server.url}{path}", params={"after": 2**70}, headers=server.headers("admin")
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["query", "after"]


def test_a_hand_made_confirmation_form_is_not_a_server_error(server: Server) -> None:
    lead = signed_in(server, "lead")
    csrf = csrf_of(lead.get("/upload/daily").text)
    answer = lead.post(
        "/upload/daily/confirm",
        data={"csrf": csrf, "idempotency_key": "odd", "row-x-scheme_code": "a", "row-": "b"},
    )
    assert answer.status_code < 500, answer.text[:300]


def test_no_hostile_request_left_a_traceback(server: Server) -> None:
    log = server.log.read_text()
    assert "Traceback" not in log, log[-3000:]
