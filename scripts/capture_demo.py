"""Captures everything the demo shows, so a change that should alter nothing can be proved to.

    python scripts/capture_demo.py capture OUT      # run from a checkout, with its venv
    python scripts/capture_demo.py compare OLD NEW  # list what differs between two captures

``capture`` serves ``wintertrack serve --demo`` on an empty SQLite store, then as each demo role
reads every page reachable from its home page and navigation (and the files they link to), and
every JSON ``GET`` in ``/openapi.json`` with the demo's programme, schemes, months and regions
filled in; it stops the server and writes every stored event. Each answer is one file under
``OUT`` (status, media type and body), the events one JSON line each.

What differs between two runs of the same code is masked before writing: tokens, one-time keys,
CSRF values, session ids and the wall-clock times of the run (the demo's own dates are fixed).
Everything else is compared byte for byte; an XLSX is compared member by member without its
document properties (which carry the time it was written), a PDF without its creation date.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

PROGRAMME = "QM7-2022-23"
FILL = {
    "programme": [PROGRAMME],
    "programme_code": [PROGRAMME],
    "code": ["imc-beds-enh", "dta-beds-herts", "shrodells-refurb", "nightingale-ward-pah"],
    "scheme": ["imc-beds-enh"],
    "scheme_code": ["imc-beds-enh"],
    "month": ["2022-10", "2022-12", "2023-01"],
    "region": ["Y61"],
    "region_code": ["Y61"],
    "site": ["RWH"],
    "revision": ["1"],
}
SKIP = re.compile(r"^/(logout|login/link|static/)|/events/stream|/metrics")
LIMIT = 600  # pages per role: the crawl is bounded however many links a page grows


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


# Values that change from run to run of the same code.
MASKS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r'(name="(?:idempotency_key|csrf|csrf_token|_csrf|key)"\s+value=")[^"]*'), r"\1~"),
    (re.compile(r'(value=")[A-Za-z0-9_\-]{20,}(")'), r"\1~\2"),
    (re.compile(r"/login/link/[A-Za-z0-9_\-]+"), "/login/link/~"),
    (re.compile(r"\bwt_[A-Za-z0-9_\-]{20,}"), "wt_~"),
    (re.compile(r'(token_sha256"?:\s*")[0-9a-f]{64}'), r"\1~"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "~uuid~"),
]


STAMP = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:?\d{2}|Z)?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _mask(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "~secret~")
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def _unclock(text: str) -> str:
    """Masks the moments of a run's wall clock: applied when comparing, so the capture keeps
    what was written and a mask can be refined without capturing again."""
    # Moments of this run's wall clock: stamps, times of day ("at 19:42") and ages.
    text = re.sub(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:?\d{2}|Z)?", "~stamp~", text
    )
    text = re.sub(r"\b\d{2}:\d{2}(:\d{2}(\.\d+)?)?\b", "~time~", text)
    text = re.sub(r"\b\d+ (second|minute|hour)s? ago", "~age~", text)
    text = re.sub(r'"age_seconds": ?[\d.]+', '"age_seconds":~', text)
    for form in _today_forms():
        text = text.replace(form, "~today~")
    # Ids a chart library draws from a hash of the moment, and digests of a document that
    # holds moments (the document itself is compared in full).
    text = re.sub(r"\b[mp][0-9a-f]{10}\b", "~svg-id~", text)
    text = re.sub(r"\b[0-9a-f]{64}\b", "~sha256~", text)
    text = re.sub(r"<code>[0-9a-f]{8}</code>", "<code>~token-id~</code>", text)
    text = re.sub(r"\b(\d+(\.\d+)?) ?(s|seconds)\b(?= old| behind)", "~age~", text)
    return text


def _today_forms() -> list[str]:
    now = datetime.now(UTC)
    return [
        now.strftime("%Y-%m-%d"),
        f"{now.day} {now.strftime('%b %Y')}",
        f"{now.day} {now.strftime('%B %Y')}",
        now.strftime("%d/%m/%Y"),
    ]


def _normalise_binary(media: str, body: bytes) -> bytes:
    if "spreadsheetml" in media:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            for name in sorted(book.namelist()):
                if name.startswith("docProps/"):
                    continue
                out.write(name.encode() + b"\n" + book.read(name) + b"\n")
        return out.getvalue()
    if media == "application/pdf":
        return re.sub(rb"/(CreationDate|ModDate|ID) *(\([^)]*\)|\[[^\]]*\])", b"/~", body)
    return body


def _paths(openapi: dict[str, object]) -> Iterator[str]:
    paths = openapi.get("paths", {})
    assert isinstance(paths, dict)
    for template, operations in sorted(paths.items()):
        if "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", template)
        query = [
            str(parameter["name"])
            for parameter in operations["get"].get("parameters", [])
            if parameter.get("in") == "query" and parameter.get("required")
        ]
        names += [name for name in query if name in FILL]
        if query:
            template += "?" + "&".join(f"{name}={{{name}}}" for name in query)
        if any(name not in FILL for name in names):
            print(f"  not filled: {template}", file=sys.stderr)
            continue
        filled = [template]
        for name in names:
            filled = [f.replace("{" + name + "}", value) for f in filled for value in FILL[name]]
        yield from filled


def _start(store: Path, port: int) -> tuple[subprocess.Popen[str], dict[str, tuple[str, str]]]:
    env = dict(
        os.environ,
        WINTERTRACK_STORE=f"sqlite:///{store}",
        WINTERTRACK_SECRET_KEY="capture-secret-key-capture-secret-key",
        WINTERTRACK_LOG_LEVEL="WARNING",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "wintertrack", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    roles: dict[str, tuple[str, str]] = {}
    role = token = ""
    deadline = time.monotonic() + 600
    for line in process.stdout:
        parts = line.split()
        if "sign in once:" in line and role:
            roles[role] = (token, parts[-1])
        elif len(parts) == 3 and parts[0] in ("admin", "board", "finance", "lead", "region"):
            role, token = parts[0], parts[2]
        if len(roles) >= 4 or time.monotonic() > deadline:
            break
    url = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    return process, roles


def _write(out: Path, role: str, path: str, response: httpx.Response, masks: list[str]) -> str:
    media = response.headers.get("content-type", "").split(";")[0]
    if media.startswith("text/") or "json" in media or "svg" in media or "csv" in media:
        body = _mask(response.text, masks).encode()
    else:
        body = _normalise_binary(media, response.content)
    name = hashlib.sha256(path.encode()).hexdigest()[:16]
    target = out / role / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(f"{path}\n{response.status_code} {media}\n".encode() + body)
    return name


def capture(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "capture.db"
        port = _free_port()
        process, roles = _start(store, port)
        url = f"http://127.0.0.1:{port}"
        masks = [secret for pair in roles.values() for secret in pair]
        index: dict[str, dict[str, str]] = {}
        try:
            for role, (token, _link) in sorted(roles.items()):
                index[role] = {}
                api = httpx.Client(
                    base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120
                )
                for path in _paths(api.get("/openapi.json").json()):
                    index[role][path] = _write(out, role, path, api.get(path), masks)
                pages = httpx.Client(base_url=url, timeout=120, follow_redirects=True)
                pages.post("/login", data={"token": token, "next": "/"})
                seen: set[str] = set()
                todo = ["/", "/dashboard"]
                while todo and len(seen) < LIMIT:
                    path = todo.pop(0)
                    if path in seen or SKIP.search(path):
                        continue
                    seen.add(path)
                    response = pages.get(path)
                    index[role]["page " + path] = _write(out, role, path, response, masks)
                    if "html" not in response.headers.get("content-type", ""):
                        continue
                    parser = _Links()
                    parser.feed(response.text)
                    for href in parser.links:
                        target = urlsplit(urljoin(url + path, href))
                        if target.netloc != f"127.0.0.1:{port}":
                            continue
                        found = target.path + (f"?{target.query}" if target.query else "")
                        if found not in seen:
                            todo.append(found)
                print(f"{role}: {len(index[role])} answers", file=sys.stderr)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
        _write_events(store, out / "events.jsonl")
        (out / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True))


def _write_events(store: Path, target: Path) -> None:
    with sqlite3.connect(store) as db, target.open("w") as events:
        rows = db.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY rowid"
        )
        ids: dict[str, str] = {}
        for originator, version, topic, state in rows:
            raw = bytes(state)
            with contextlib.suppress(zlib.error):
                raw = zlib.decompress(raw)
            body = json.loads(raw)
            body.pop("timestamp", None)  # the wall clock of this run
            alias = ids.setdefault(str(originator), f"aggregate-{len(ids)}")
            line = _mask(json.dumps(body, sort_keys=True), [])
            events.write(f"{alias} {version} {topic} {line}\n")


def _what_differs(old: Path, new: Path) -> str:
    """The answer's path, or for the events how many lines differ, by event topic."""
    if old.name != "events.jsonl":
        return old.read_bytes().split(b"\n", 1)[0].decode(errors="replace")
    mine = _unclock(old.read_text()).splitlines()
    theirs = _unclock(new.read_text()).splitlines()
    topics: dict[str, int] = {}
    for a, b in zip(mine, theirs, strict=False):
        if a != b:
            topic = a.split(" ", 3)[2]
            topics[topic] = topics.get(topic, 0) + 1
    counts = ", ".join(f"{topic} {n}" for topic, n in sorted(topics.items()))
    return f"{len(mine)} events before, {len(theirs)} after; lines that differ: {counts}"


def compare(old: Path, new: Path) -> int:
    differ = 0
    for mine in sorted(p for p in old.rglob("*") if p.is_file()):
        theirs = new / mine.relative_to(old)
        if not theirs.exists():
            print(f"missing in new: {mine.relative_to(old)}")
            differ += 1
        elif _unclock(mine.read_text(errors="surrogateescape")) != _unclock(
            theirs.read_text(errors="surrogateescape")
        ):
            print(f"differs: {mine.relative_to(old)} ({_what_differs(mine, theirs)})")
            differ += 1
    for theirs in sorted(p for p in new.rglob("*") if p.is_file()):
        if not (old / theirs.relative_to(new)).exists():
            print(f"only in new: {theirs.relative_to(new)}")
            differ += 1
    files = sum(1 for p in old.rglob("*") if p.is_file())
    print(f"{files} files compared, {differ} differ")
    return 1 if differ else 0


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "capture":
        capture(Path(sys.argv[2]))
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "compare":
        return compare(Path(sys.argv[2]), Path(sys.argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
