"""Every page and every API read x every reader, as the policy table decides: allowed reads
answer (never 401 or 403), refused ones answer 403 and show nothing; signed-out readers are
sent to sign in (pages) or answered 401 (API). The navigation of each reader links only to
pages that answer it 200."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.reads import READERS, Read, answer, read_matrix_markdown, reads
from capacity.commands import AddUser
from capacity.policy import POLICY
from tests.scenarios.ledger import ADMIN, P
from tests.support.api_world import ApiWorld, api_world

ROOT = Path(__file__).resolve().parents[2]
SIGNED_OUT = "signed out"
COUNTS: Counter[str] = Counter()
QUERIES = {"month": "2022-11"}  # the API's explain and delivery reads need a month


def _world() -> ApiWorld:
    world = api_world()
    _, token = world.application.run_command(
        AddUser(actor=ADMIN, name="eoe-team", role="region", programme="Y61", schemes=[])
    )
    world.tokens["region"] = token
    return world


def _role(reader: str) -> str:
    return reader.split(" ")[0]


def _url(read: Read, reader: str) -> str:
    own = not reader.endswith("(other scheme)")
    scheme = "own" if own else "other"
    region_page = read.path.startswith("/regions/")
    path = read.path.format(
        programme=P,
        scheme=scheme,
        code="Y61" if region_page else scheme,
        region="Y61",
        month="2022-10",
        fmt="csv",
        revision=1,
        icb="QM7",
        name="board",
    )
    if read.page and not region_page:
        path += f"?programme={P}"
    return path


def _client(world: ApiWorld, reader: str) -> TestClient:
    client = TestClient(world.client.app)
    if reader != SIGNED_OUT:
        signed = client.post(
            "/login", data={"token": world.tokens[_role(reader)]}, follow_redirects=False
        )
        assert signed.status_code == 303
    return client


def _headers(world: ApiWorld, reader: str) -> dict[str, str]:
    return {} if reader == SIGNED_OUT else world.headers(_role(reader))


WORLD: list[ApiWorld] = []


def _shared() -> ApiWorld:
    if not WORLD:
        WORLD.append(_world())
    return WORLD[0]


def _gated() -> list[Read]:
    return [r for r in reads(_shared().client.app.routes) if r.policy is not None]  # type: ignore[attr-defined]


@pytest.mark.parametrize("reader", [*READERS, SIGNED_OUT])
def test_every_read_by_reader(reader: str) -> None:
    world = _shared()
    client = _client(world, reader)
    for read in _gated():
        url = _url(read, reader)
        headers = {} if read.page else _headers(world, reader)
        got = client.get(url, headers=headers, params=QUERIES, follow_redirects=False)
        assert read.policy is not None
        if reader == SIGNED_OUT:
            if read.page:
                assert got.status_code == 303 and "/login" in got.headers["location"], url
            else:
                assert got.status_code == 401, url
            COUNTS[f"{reader} refused"] += 1
            continue
        if answer(POLICY[read.policy], reader, read.path) == "yes":
            assert got.status_code not in (401, 403) and got.status_code < 500, (
                reader,
                url,
                got.status_code,
                got.text[:300],
            )
            COUNTS[f"{reader} allowed"] += 1
        else:
            # a region user's home page sends them to their region instead
            home = read.path == "/" and _role(reader) == "region"
            assert got.status_code == (303 if home else 403), (reader, url, got.status_code)
            if read.page and not home:
                assert "Nothing was shown" in got.text
            COUNTS[f"{reader} refused"] += 1


NAV = re.compile(r'<nav aria-label="Tasks">(.*?)</nav>', re.S)


@pytest.mark.parametrize("role", ["admin", "board", "finance", "lead", "region"])
def test_navigation_links_only_to_pages_that_open(role: str) -> None:
    world = _shared()
    client = _client(world, role)
    home = client.get(f"/?programme={P}")
    assert home.status_code == 200
    found = NAV.search(home.text)
    assert found, home.text[:500]
    links = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', found.group(1))]
    assert links, role
    for link in links:
        got = client.get(link, follow_redirects=False)
        assert got.status_code == 200, (role, link, got.status_code)
    COUNTS[f"nav links {role}"] = len(links)


@pytest.fixture(scope="module", autouse=True)
def counts_reported(report: Callable[[str], None]) -> Iterator[None]:
    """The matrix's figures, in the run's summary once every test of this module has run."""
    yield
    report(
        f"[read-matrix] reads={len(_gated())} "
        + ", ".join(f"{k}={v}" for k, v in sorted(COUNTS.items()))
    )


def test_a_lead_is_not_offered_the_return_and_a_region_user_only_their_region() -> None:
    world = _shared()
    lead = _client(world, "lead").get(f"/?programme={P}").text
    region = _client(world, "region").get("/regions/Y61").text
    assert "/returns" not in NAV.search(lead).group(1)  # type: ignore[union-attr]
    nav = NAV.search(region).group(1)  # type: ignore[union-attr]
    assert re.findall(r'href="([^"]+)"', nav) == ["/regions/Y61"]


def test_the_documented_read_matrix_is_the_routes() -> None:
    doc = (ROOT / "docs" / "authorisation.md").read_text()
    table = read_matrix_markdown(_shared().client.app.routes)  # type: ignore[attr-defined]
    assert table in doc, "run python scripts/write_authorisation_doc.py"


def test_a_region_token_cannot_read_an_icb_and_a_lead_cannot_read_the_return() -> None:
    world = _shared()
    region = world.headers("region")
    for path in ("dashboard", "schemes/own/history"):
        got = world.client.get(f"/api/v1/programmes/{P}/{path}", headers=region)
        assert got.status_code == 403, (path, got.status_code)
    lead = _client(world, "lead")
    for page in ("/returns/2022-10", "/returns/2022-10/download.csv", "/returns"):
        got = lead.get(f"{page}?programme={P}", follow_redirects=False)
        assert got.status_code == 403, (page, got.status_code)
        assert "QM7" not in got.text.split("<main ")[-1].split("You may not")[0]
