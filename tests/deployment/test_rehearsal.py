"""The compose topology rehearsed as processes, from the installed wheel.

Docker cannot run here, so each service of ``docker-compose.yml`` runs as the command the compose
file gives it, from a wheel installed away from the checkout: a real PostgreSQL server, the
``tansu`` Kafka-protocol broker, two ``serve`` instances sharing the store, one ``project``, one
``relay`` and two ``ingest`` in one consumer group. A morning of traffic arrives — leads' figures
through both API instances and through ``{prefix}.daily-figures`` (poison included), finance's
spend, board dashboard reads — while each of the processes is SIGKILLed once and restarted.
Then: every acknowledged write is visible through both instances, every stored event reaches
``{prefix}.events``, each Kafka message is stored once and poison is dead-lettered, and the
projector's lag returns to 0.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from kafka import KafkaProducer

from tests.support.broker import Broker
from tests.support.postgres import PostgresServer, free_port
from tests.support.streams import read_topic
from tests.support.wheel import ROOT, build_wheel, clean_env, install_wheel

pytestmark = [pytest.mark.postgres, pytest.mark.rehearsal]

P = "QM7-2022-23"
PREFIX = "rehearsal"
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
# Our services and how many of each the rehearsal runs.
TOPOLOGY = {"api": 2, "projector": 1, "relay": 1, "ingest": 2}


def compose_command(service: str, port: int | None = None) -> list[str]:
    """The service's command exactly as docker-compose.yml gives it (host and port adapted)."""
    command = [str(part) for part in COMPOSE[service]["command"]]
    if port is not None:
        command[command.index("--host") + 1] = "127.0.0.1"
        command[command.index("--port") + 1] = str(port)
    return command


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    def start(self) -> None:
        sink = self.log.open("ab")
        self.process = subprocess.Popen(self.argv, env=self.env, stdout=sink, stderr=sink)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def restart_after_kill(self) -> None:
        self.kill()
        self.start()
        self.restarts += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Tally:
    acknowledged: dict[tuple[str, str], str] = field(default_factory=dict)  # (scheme, day) -> via
    spend: list[tuple[str, str]] = field(default_factory=list)
    produced: dict[tuple[str, str], str] = field(default_factory=dict)  # (scheme, day) -> msg id
    poison: int = 0
    reads: int = 0
    refused_by_dead_instance: int = 0


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def wintertrack_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wheel = build_wheel(tmp_path_factory.mktemp("wheel"))
    return install_wheel(wheel, tmp_path_factory.mktemp("venv")) / "wintertrack"


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    with Broker(tmp_path_factory.mktemp("broker")) as running:
        yield running


def cli(binary: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(binary), *args], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT.parent
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def daily_message(scheme: str, day: str, message_id: str, beds: int) -> bytes:
    return json.dumps(
        {
            "programme": P,
            "scheme_code": scheme,
            "date": day,
            "source_message_id": message_id,
            "beds_equivalent": beds,
            "patients_supported": beds * 2,
        }
    ).encode()


def test_a_morning_on_the_compose_topology_loses_and_duplicates_nothing(
    wintertrack_bin: Path,
    postgres_server: PostgresServer,
    broker: Broker,
    tmp_path: Path,
) -> None:
    assert set(TOPOLOGY) | {"postgres", "kafka"} == set(COMPOSE), "compose and rehearsal drifted"
    store = postgres_server.create_database("rehearsal")
    env = clean_env(
        WINTERTRACK_STORE=store,
        WINTERTRACK_KAFKA_BOOTSTRAP=broker.bootstrap,
        WINTERTRACK_KAFKA_TOPIC_PREFIX=PREFIX,
        WINTERTRACK_SECRET_KEY="rehearsal-secret-key-not-for-production",
    )
    # The administrator's set-up, from the installed command line.
    cli(wintertrack_bin, env, "catalogue", "load", "hwe-2022-23", "--programme", P)
    schemes = json.loads(cli(wintertrack_bin, env, "schemes", "list", "--programme", P, "--json"))
    reported = [s["code"] for s in schemes if s["measure"] == "reported"][:8]
    assert len(reported) == 8
    api_schemes, kafka_schemes = reported[:6], reported[6:]
    binding = [arg for code in reported for arg in ("--scheme", code)]
    tokens = {
        role: cli(wintertrack_bin, env, "user", "add", name, "--role", role, *extra)
        .strip()
        .splitlines()[-1]
        for role, name, extra in (
            ("lead", "rehearsal-lead", ["--programme", P, *binding]),
            ("finance", "rehearsal-finance", []),
            ("board", "rehearsal-board", []),
            ("admin", "rehearsal-admin", []),
        )
    }

    def auth(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}

    ports = [free_port(), free_port()]
    services: list[Service] = []
    for name, count in TOPOLOGY.items():
        for n in range(count):
            command = compose_command(name, ports[n] if name == "api" else None)
            assert command[0] == "wintertrack"
            services.append(
                Service(
                    f"{name}-{n + 1}",
                    [str(wintertrack_bin), *command[1:]],
                    env,
                    tmp_path / f"{name}-{n + 1}.log",
                )
            )
    by_name = {s.name: s for s in services}
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    tally = Tally()
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    try:
        for service in services:
            service.start()
        for url in urls:
            wait_for(lambda u=url: httpx.get(f"{u}/healthz").status_code == 200, 90, f"{url}")
        clients = [httpx.Client(base_url=url, timeout=30) for url in urls]

        def write(kind: str, path: str, body: dict[str, Any], key: str, first: int) -> str:
            """Sends one write with an idempotency key; a dead instance means retry on the
            other one, as a load balancer would. Returns which instance acknowledged it."""
            for attempt in range(6):
                n = (first + attempt) % 2
                try:
                    answer = clients[n].post(
                        path, json=body, headers={**auth(kind), "Idempotency-Key": key}
                    )
                except httpx.TransportError:
                    tally.refused_by_dead_instance += 1
                    time.sleep(0.5)
                    continue
                assert answer.status_code in (200, 201), (path, answer.text)
                return f"api-{n + 1}"
            raise AssertionError(f"no instance acknowledged {path}")

        # Kafka: the provider systems' figures for two schemes, poison and one redelivery.
        days = [f"2022-12-{d:02d}" for d in range(1, 11)]
        for scheme in kafka_schemes:
            for n, day in enumerate(days):
                message_id = f"{scheme}-{day}"
                producer.send(
                    f"{PREFIX}.daily-figures",
                    key=scheme.encode(),
                    value=daily_message(scheme, day, message_id, 4 + n % 2),
                )
                tally.produced[(scheme, day)] = message_id
        scheme = kafka_schemes[0]
        producer.send(
            f"{PREFIX}.daily-figures",
            key=scheme.encode(),
            value=daily_message(scheme, days[0], f"{scheme}-{days[0]}", 4),
        )  # the same message delivered twice by its producer
        poison = [
            b"{not json",
            daily_message(scheme, "2022-12-20", "poison-negative", -3),
            daily_message("no-such-scheme", "2022-12-20", "poison-unknown", 1),
            daily_message(scheme, "2099-01-01", "poison-future", 1),
            json.dumps({"programme": P, "scheme_code": scheme, "date": "2022-12-21"}).encode(),
        ]
        for payload in poison:
            producer.send(f"{PREFIX}.daily-figures", key=scheme.encode(), value=payload)
        tally.poison = len(poison)
        producer.flush()

        # The API: leads' figures through both instances, finance's spend, board reads, while
        # one process of each kind is SIGKILLed and restarted.
        victims = {10: "ingest-1", 20: "relay-1", 30: "projector-1", 40: "api-2", 50: "ingest-2"}
        sent = 0
        for n, day in enumerate(days):
            for m, code in enumerate(api_schemes):
                path = f"/api/v1/programmes/{P}/schemes/{code}/daily"
                # day-to-day figures that do not look wrong (a swing past double or half is
                # held for a confirming comment, docs/rules.md §13a)
                body = {"date": day, "beds_equivalent": 4 + (n + m) % 2, "patients_supported": m}
                via = write("lead", path, body, f"daily-{code}-{day}", n + m)
                tally.acknowledged[(code, day)] = via
                sent += 1
                if sent in victims:
                    by_name[victims[sent]].restart_after_kill()
                if sent % 10 == 0:
                    for client in clients:
                        try:
                            board = client.get(
                                f"/api/v1/programmes/{P}/dashboard", headers=auth("board")
                            )
                        except httpx.TransportError:
                            continue
                        assert board.status_code == 200
                        tally.reads += 1
        for code in api_schemes:
            path = f"/api/v1/programmes/{P}/schemes/{code}/spend"
            # below every one of these schemes' November profile plus half (docs/rules.md §13a)
            body = {"month": "2022-11", "amount_gbp": "5432.10", "basis": "actual"}
            tally.spend.append((code, write("finance", path, body, f"spend-{code}", 0)))

        # Every acknowledged write, and every Kafka message, visible through both instances.
        expected = dict(tally.acknowledged)
        expected.update({key: "kafka" for key in tally.produced})

        def visible(client: httpx.Client) -> set[tuple[str, str]]:
            seen: set[tuple[str, str]] = set()
            for code in reported:
                answer = client.get(
                    f"/api/v1/programmes/{P}/schemes/{code}/history", headers=auth("board")
                )
                answer.raise_for_status()
                for entry in answer.json():
                    if entry["event"] == "DailyFiguresReported":
                        seen.add((code, str(entry["changes"]["date"])))
            return seen

        for client in clients:
            wait_for(lambda c=client: set(expected) <= visible(c), 240, "every write visible")

        # The event log, through the admin API, against what reached {prefix}.events.
        log: list[dict[str, Any]] = []
        while True:
            after = log[-1]["position"] if log else 0
            page = (
                clients[0]
                .get(
                    "/api/v1/events", params={"after": after, "limit": 1000}, headers=auth("admin")
                )
                .json()
            )
            if not page:
                break
            log.extend(page)
        head = log[-1]["position"]
        stored_keys = {(e["aggregate_id"], e["aggregate_version"]) for e in log}

        def published() -> list[dict[str, Any]]:
            return read_topic(broker.bootstrap, f"{PREFIX}.events")

        wait_for(
            lambda: (
                stored_keys <= {(m["aggregate_id"], m["aggregate_version"]) for m in published()}
            ),
            180,
            "every event published",
        )
        messages = published()
        published_keys = Counter((m["aggregate_id"], m["aggregate_version"]) for m in messages)

        # Each figure stored once: one report event per scheme-day, whatever the retries.
        reports = Counter(
            e["aggregate_id"] for e in log if e["event_type"].endswith("DailyFiguresReported")
        )
        duplicated = sum(count - 1 for count in reports.values())
        assert len(reports) == len(expected)
        assert duplicated == 0
        dead = read_topic(broker.bootstrap, f"{PREFIX}.daily-figures.dlq")
        assert len(dead) == tally.poison
        assert {m["payload"] for m in dead} >= {"{not json"}

        # The projector's lag returns to 0 on both instances.
        def caught_up(client: httpx.Client) -> bool:
            body = client.get("/readyz").json()
            return body.get("store_position", -1) >= head and body.get("projection_lag") == 0

        for client in clients:
            wait_for(lambda c=client: caught_up(c), 120, "projection lag 0")
        for client in clients:
            client.close()
        figures = {
            "written_via_api": len(tally.acknowledged) + len(tally.spend),
            "kafka_messages": len(tally.produced) + 1 + tally.poison,
            "ingested": len(tally.produced),
            "dlq": len(dead),
            "events_stored": len(log),
            "events_published": len(published_keys),
            "redelivered_on_topic": sum(c - 1 for c in published_keys.values()),
            "board_reads": tally.reads,
            "retried_after_sigkill": tally.refused_by_dead_instance,
            "sigkills": sum(s.restarts for s in services),
            "lost": len(set(expected) - visible(httpx.Client(base_url=urls[1], timeout=30))),
            "duplicated": duplicated,
        }
        print("\n[rehearsal] " + ", ".join(f"{k}={v}" for k, v in figures.items()))
        assert figures["lost"] == 0
        assert figures["sigkills"] == len(victims)
    finally:
        producer.close()
        for service in services:
            service.stop()
