"""Plain English on every page a person reads (docs/wording.md): a crawl of a real ``serve
--demo`` as each role, from its home page and navigation through every page linked from them
and the known task pages, with a bad post to every form found, looking in the visible text for
the raw forms people should never read: our models' field names, ISO dates, HTTP verbs,
pounds without thousands separators, event-log positions and ``virtual_ward``."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from tests.support.server import Server, start_server

# Pages whose purpose is the technical detail: the working behind a figure.
TECHNICAL = ("/explain/",)
KNOWN = [
    "/",
    "/dashboard",
    "/about/numbers",
    "/returns",
    "/returns/2022-10",
    "/finance/spend",
    "/finance/funds",
    "/finance/allocations",
    "/finance/ledger",
    "/board/diversions",
    "/board/status",
    "/board/bed-target",
    "/board/papers",
    "/admin/users",
    "/schemes/imc-beds-enh",
    "/schemes/imc-beds-enh/tasks",
    "/schemes/imc-beds-enh/history",
    "/schemes/imc-beds-enh/upload",
]
# Not pages: downloads, feeds and what ends the session.
SKIP = re.compile(r"(\.(csv|xlsx|pdf|json|svg)$|^/api/|^/logout|^/static/|/download|^/healthz)")
# The snake_case names of the fields people fill in and read (our models' field names).
FIELDS = re.compile(
    r"\b(beds_occupied|beds_open|beds_equivalent|amount_gbp|funding_stream|bed_type|"
    r"forecast_outturn_gbp|spend_to_date_gbp|allocation_gbp|went_live_on|decided_on|"
    r"effective_on|decision_ref|from_scheme|to_scheme|scheme_code|known_at|as_of|"
    r"confirm_repeat|idempotency_key|[a-z]+_gbp)\b"
)
RAW = {
    "field name": FIELDS,
    "ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "HTTP verb": re.compile(r"\((PUT|POST|PATCH|DELETE|GET)\)|\bPOST\b|\bPUT\b"),
    "pounds without separators": re.compile(r"£\d{4,}"),
    "event-log position": re.compile(r"event-log position", re.IGNORECASE),
    "virtual_ward": re.compile(r"virtual_ward"),
}
ALLOWED_ON_TECHNICAL = {"ISO date", "event-log position"}


class Page(HTMLParser):
    """A page's visible text (what a person reads, screen-reader-only text included), its
    links and its forms. Text in ``<code>`` is left out: it is what a person must type or
    check exactly (a file's header row, a SHA-256), not prose."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.forms: list[dict[str, object]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "style", "template", "code"):
            self._skip += 1
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get")})
            self.forms[-1]["fields"] = []
        elif tag in ("input", "textarea", "select") and self.forms:
            fields = self.forms[-1]["fields"]
            assert isinstance(fields, list)
            fields.append((tag, a.get("type", "text"), a.get("name", ""), a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "code"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)

    def visible(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text))


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def raw_forms(path: str, text: str) -> list[str]:
    technical = path.startswith(TECHNICAL)
    found = []
    for name, pattern in RAW.items():
        if technical and name in ALLOWED_ON_TECHNICAL:
            continue
        for match in pattern.finditer(text):
            start = max(match.start() - 40, 0)
            found.append(f"{path}: {name}: …{text[start : match.end() + 40]}…")
    return found


def bad_form(fields: list[tuple[str, str, str, str]]) -> dict[str, str]:
    """The form as a careless person might send it: every box that takes typing given words
    that are not a number or a date, hidden fields and choices left as the page set them."""
    data: dict[str, str] = {}
    for tag, kind, name, value in fields:
        if not name or kind in ("submit", "button", "checkbox", "radio", "file"):
            continue
        typed = tag == "textarea" or (tag == "input" and kind not in ("hidden",))
        data[name] = "not known" if typed else value
    return data


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    icb = start_server(Path(tmp_path_factory.mktemp("icb")))
    region = start_server(
        Path(tmp_path_factory.mktemp("region")), extra_args=["--region"], roles=("region",)
    )
    yield {"admin": icb, "board": icb, "finance": icb, "lead": icb, "region": region}
    icb.stop()
    region.stop()


def shape(path: str) -> tuple[str, tuple[str, ...]]:
    """A page and the names of its query (one day's correction stands for every day's)."""
    parts = urlsplit(path)
    return parts.path, tuple(sorted(parse_qs(parts.query)))


def crawl(server: Server, role: str) -> tuple[int, list[str]]:
    """(pages read, raw forms found) for one role."""
    client = httpx.Client(base_url=server.url, timeout=60, follow_redirects=True)
    signed = client.post("/login", data={"token": server.tokens[role], "next": "/"})
    assert signed.status_code == 200, signed.text[:300]
    home = urlsplit(str(signed.url)).path
    queue, seen, found = [home, *KNOWN], set[tuple[str, tuple[str, ...]]](), list[str]()
    posted: set[str] = set()
    pages = 0
    while queue and pages < 300:
        path = queue.pop(0)
        if shape(path) in seen or SKIP.search(urlsplit(path).path):
            continue
        seen.add(shape(path))
        answer = client.get(path)
        if answer.status_code in (403, 404) or "text/html" not in answer.headers.get(
            "content-type", ""
        ):
            continue
        pages += 1
        page = parse(answer.text)
        found += raw_forms(path, page.visible())
        depth = path.count("/")
        for href in page.links:
            target = urljoin(path, href)
            if target.startswith(server.url):
                target = target[len(server.url) :]
            if target.startswith("/") and "#" not in target and depth < 4:
                queue.append(target)
        for form in page.forms:
            action = str(form["action"] or urlsplit(path).path)
            if form["method"] != "post" or action in posted or SKIP.search(action):
                continue
            if action.endswith(("/submit", "/sign-off")) or action.startswith("/admin/"):
                continue  # a bad post there is refused as well; it is not worth a token
            posted.add(action)
            fields = form["fields"]
            assert isinstance(fields, list)
            refused = client.post(action, data=bad_form(fields))
            if "text/html" in refused.headers.get("content-type", ""):
                pages += 1
                found += raw_forms(f"POST {action}", parse(refused.text).visible())
    client.close()
    return pages, found


@pytest.mark.parametrize("role", ["admin", "board", "finance", "lead", "region"])
def test_no_raw_forms_on_any_page(servers: dict[str, Server], role: str) -> None:
    pages, found = crawl(servers[role], role)
    print(f"{role}: {pages} pages and refusals read, {len(found)} raw forms")
    assert pages >= 5, f"{role}: only {pages} pages reached"
    kinds = Counter(line.split(": …")[0] for line in found)
    summary = "\n".join(f"{n:4} {kind}" for kind, n in kinds.most_common())
    assert found == [], f"{len(found)} raw forms:\n{summary}\n" + "\n".join(found[:20])
