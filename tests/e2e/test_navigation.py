"""The navigation follows the reader: "Monthly return" opens the month whose return is due
(the demo's day is 20 Nov 2022, so October's), the winter chosen with ``?programme=`` is kept
by every link of the navigation, and a skip link comes first on every page."""

from __future__ import annotations

import re

import httpx

from tests.support.server import Server

P = "QM7-2022-23"


def signed_in(server: Server, role: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60, follow_redirects=True)
    answer = client.post("/login", data={"token": server.tokens[role], "next": "/"})
    assert answer.status_code == 200
    return client


def nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Tasks">(.*?)</nav>', html, re.S)
    assert nav is not None
    return [h.replace("&amp;", "&") for h in re.findall(r'<a href="([^"]+)"', nav.group(1))]


def test_monthly_return_opens_the_month_due_on_every_page(server: Server) -> None:
    client = signed_in(server, "finance")
    for path in ("/", "/finance/spend", "/finance/funds", "/returns", "/about/numbers"):
        links = nav_links(client.get(path).text)
        returns = [h for h in links if h.startswith("/returns/")]
        assert returns == ["/returns/2022-10"], (path, links)


def test_the_chosen_winter_is_kept_by_the_navigation(server: Server) -> None:
    for role in ("finance", "board", "lead"):
        client = signed_in(server, role)
        links = nav_links(client.get(f"/dashboard?programme={P}").text)
        pages = [h for h in links if h.startswith("/") and not h.startswith(("/admin", "/reg"))]
        assert pages, role
        assert all(h.endswith(f"programme={P}") for h in pages), (role, pages)
        # Without a choice, the links carry none (the reader's own winter is the default).
        plain = nav_links(client.get("/dashboard").text)
        assert not any("programme=" in h for h in plain), (role, plain)


def test_a_skip_link_comes_first(server: Server) -> None:
    client = signed_in(server, "board")
    html = client.get("/dashboard").text
    body = html[html.index("<body>") :]
    first = re.search(r"<a [^>]*>([^<]+)</a>", body)
    assert first is not None and first.group(1) == "Skip to main content"
    assert 'href="#main"' in first.group(0) and '<main id="main"' in html
