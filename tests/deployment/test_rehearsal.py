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

The morning is a class of steps run in order on one shared morning (a module fixture), so a
failure names the step; a step whose step before did not finish fails saying so.
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
DAYS = [f"2022-12-{d:02d}" for d in range(1, 11)]
# Which process is SIGKILLed and restarted after how many of the leads' writes.
VICTIMS = {10: "ingest-1", 20: "relay-1", 30: "projector-1", 40: "api-2", 50: "ingest-2"}


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


@dataclass
class Morning:
    """What the steps share: the installed command, the store's environment, the services and
    what was sent and acknowledged."""

    binary: Path
    broker: Broker
    env: dict[str, str]
    logs: Path
    tokens: dict[str, str] = field(default_factory=dict)
    reported: list[str] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    clients: list[httpx.Client] = field(default_factory=list)
    producer: KafkaProducer | None = None
    tally: Tally = field(default_factory=Tally)
    log: list[dict[str, Any]] = field(default_factory=list)
    published: Counter[tuple[str, int]] = field(default_factory=Counter)
    dead: list[dict[str, Any]] = field(default_factory=list)
    duplicated: int = 0
    done: list[str] = field(default_factory=list)

    def after(self, step: str) -> None:
        if step not in self.done:
            pytest.fail(f"not run: the step before ({step}) did not finish")

    @property
    def api_schemes(self) -> list[str]:
        return self.reported[:6]

    @property
    def kafka_schemes(self) -> list[str]:
        return self.reported[6:]

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def write(self, kind: str, path: str, body: dict[str, Any], key: str, first: int) -> str:
        """Sends one write with an idempotency key; a dead instance means retry on the other
        one, as a load balancer would. Returns which instance acknowledged it."""
        for attempt in range(6):
            n = (first + attempt) % 2
            try:
                answer = self.clients[n].post(
                    path, json=body, headers={**self.auth(kind), "Idempotency-Key": key}
                )
            except httpx.TransportError:
                self.tally.refused_by_dead_instance += 1
                time.sleep(0.5)
                continue
            assert answer.status_code in (200, 201), (path, answer.text)
            return f"api-{n + 1}"
        raise AssertionError(f"no instance acknowledged {path}")

    def expected(self) -> set[tuple[str, str]]:
        """Every acknowledged write and every Kafka message: (scheme, day)."""
        return set(self.tally.acknowledged) | set(self.tally.produced)

    def visible(self, client: httpx.Client) -> set[tuple[str, str]]:
        seen: set[tuple[str, str]] = set()
        for code in self.reported:
            answer = client.get(
                f"/api/v1/programmes/{P}/schemes/{code}/history", headers=self.auth("board")
            )
            answer.raise_for_status()
            for entry in answer.json():
                if entry["event"] == "DailyFiguresReported":
                    seen.add((code, str(entry["changes"]["date"])))
        return seen

    def close(self) -> None:
        for client in self.clients:
            client.close()
        if self.producer is not None:
            self.producer.close()
        for service in self.services:
            service.stop()


@pytest.fixture(scope="module")
def morning(
    wintertrack_bin: Path,
    postgres_server: PostgresServer,
    broker: Broker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Morning]:
    env = clean_env(
        WINTERTRACK_STORE=postgres_server.create_database("rehearsal"),
        WINTERTRACK_KAFKA_BOOTSTRAP=broker.bootstrap,
        WINTERTRACK_KAFKA_TOPIC_PREFIX=PREFIX,
        WINTERTRACK_SECRET_KEY="rehearsal-secret-key-not-for-production",
    )
    shared = Morning(wintertrack_bin, broker, env, tmp_path_factory.mktemp("logs"))
    try:
        yield shared
    finally:
        shared.close()


class TestAMorningOnTheComposeTopologyLosesAndDuplicatesNothing:
    def test_compose_and_the_rehearsal_run_the_same_services(self) -> None:
        assert set(TOPOLOGY) | {"postgres", "kafka"} == set(COMPOSE), (
            "compose and rehearsal drifted"
        )

    def test_the_administrator_sets_up_from_the_installed_command_line(
        self, morning: Morning
    ) -> None:
        binary, env = morning.binary, morning.env
        cli(binary, env, "catalogue", "load", "hwe-2022-23", "--programme", P)
        schemes = json.loads(cli(binary, env, "schemes", "list", "--programme", P, "--json"))
        morning.reported = [s["code"] for s in schemes if s["measure"] == "reported"][:8]
        assert len(morning.reported) == 8
        binding = [arg for code in morning.reported for arg in ("--scheme", code)]
        morning.tokens = {
            role: cli(binary, env, "user", "add", name, "--role", role, *extra)
            .strip()
            .splitlines()[-1]
            for role, name, extra in (
                ("lead", "rehearsal-lead", ["--programme", P, *binding]),
                ("finance", "rehearsal-finance", []),
                ("board", "rehearsal-board", []),
                ("admin", "rehearsal-admin", []),
            )
        }
        morning.done.append("set-up")

    def test_every_service_starts_as_compose_gives_it(self, morning: Morning) -> None:
        morning.after("set-up")
        ports = [free_port(), free_port()]
        for name, count in TOPOLOGY.items():
            for n in range(count):
                command = compose_command(name, ports[n] if name == "api" else None)
                assert command[0] == "wintertrack"
                morning.services.append(
                    Service(
                        f"{name}-{n + 1}",
                        [str(morning.binary), *command[1:]],
                        morning.env,
                        morning.logs / f"{name}-{n + 1}.log",
                    )
                )
        morning.urls = [f"http://127.0.0.1:{port}" for port in ports]
        morning.producer = KafkaProducer(bootstrap_servers=morning.broker.bootstrap, acks="all")
        for service in morning.services:
            service.start()
        for url in morning.urls:
            wait_for(lambda u=url: httpx.get(f"{u}/healthz").status_code == 200, 90, f"{url}")
        morning.clients = [httpx.Client(base_url=url, timeout=30) for url in morning.urls]
        morning.done.append("started")

    def test_provider_systems_send_figures_poison_and_a_redelivery_over_kafka(
        self, morning: Morning
    ) -> None:
        morning.after("started")
        producer, tally = morning.producer, morning.tally
        assert producer is not None
        for scheme in morning.kafka_schemes:
            for n, day in enumerate(DAYS):
                message_id = f"{scheme}-{day}"
                producer.send(
                    f"{PREFIX}.daily-figures",
                    key=scheme.encode(),
                    value=daily_message(scheme, day, message_id, 4 + n % 2),
                )
                tally.produced[(scheme, day)] = message_id
        scheme = morning.kafka_schemes[0]
        producer.send(
            f"{PREFIX}.daily-figures",
            key=scheme.encode(),
            value=daily_message(scheme, DAYS[0], f"{scheme}-{DAYS[0]}", 4),
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
        morning.done.append("kafka")

    def test_leads_finance_and_the_board_use_both_instances_while_each_process_is_killed(
        self, morning: Morning
    ) -> None:
        morning.after("kafka")
        by_name = {s.name: s for s in morning.services}
        tally = morning.tally
        sent = 0
        for n, day in enumerate(DAYS):
            for m, code in enumerate(morning.api_schemes):
                path = f"/api/v1/programmes/{P}/schemes/{code}/daily"
                # day-to-day figures that do not look wrong (a swing past double or half is
                # held for a confirming comment, docs/rules.md §13a)
                body = {"date": day, "beds_equivalent": 4 + (n + m) % 2, "patients_supported": m}
                tally.acknowledged[(code, day)] = morning.write(
                    "lead", path, body, f"daily-{code}-{day}", n + m
                )
                sent += 1
                if sent in VICTIMS:
                    by_name[VICTIMS[sent]].restart_after_kill()
                if sent % 10 == 0:
                    for client in morning.clients:
                        try:
                            board = client.get(
                                f"/api/v1/programmes/{P}/dashboard", headers=morning.auth("board")
                            )
                        except httpx.TransportError:
                            continue
                        assert board.status_code == 200
                        tally.reads += 1
        for code in morning.api_schemes:
            path = f"/api/v1/programmes/{P}/schemes/{code}/spend"
            # below every one of these schemes' November profile plus half (docs/rules.md §13a)
            body = {"month": "2022-11", "amount_gbp": "5432.10", "basis": "actual"}
            tally.spend.append((code, morning.write("finance", path, body, f"spend-{code}", 0)))
        assert sum(s.restarts for s in morning.services) == len(VICTIMS)
        morning.done.append("traffic")

    def test_every_acknowledged_write_and_message_is_visible_through_both_instances(
        self, morning: Morning
    ) -> None:
        morning.after("traffic")
        expected = morning.expected()
        for client in morning.clients:
            wait_for(lambda c=client: expected <= morning.visible(c), 240, "every write visible")
        morning.done.append("visible")

    def test_every_stored_event_reaches_the_events_topic(self, morning: Morning) -> None:
        morning.after("visible")
        log = morning.log
        while True:  # the event log, through the admin API
            after = log[-1]["position"] if log else 0
            page = (
                morning.clients[0]
                .get(
                    "/api/v1/events",
                    params={"after": after, "limit": 1000},
                    headers=morning.auth("admin"),
                )
                .json()
            )
            if not page:
                break
            log.extend(page)
        stored_keys = {(e["aggregate_id"], e["aggregate_version"]) for e in log}

        def published() -> list[dict[str, Any]]:
            return read_topic(morning.broker.bootstrap, f"{PREFIX}.events")

        wait_for(
            lambda: (
                stored_keys <= {(m["aggregate_id"], m["aggregate_version"]) for m in published()}
            ),
            180,
            "every event published",
        )
        morning.published = Counter(
            (m["aggregate_id"], m["aggregate_version"]) for m in published()
        )
        morning.done.append("published")

    def test_each_figure_is_stored_once_and_poison_is_dead_lettered(self, morning: Morning) -> None:
        morning.after("published")
        # One report event per scheme-day, whatever the retries and redeliveries.
        reports = Counter(
            e["aggregate_id"]
            for e in morning.log
            if e["event_type"].endswith("DailyFiguresReported")
        )
        morning.duplicated = sum(count - 1 for count in reports.values())
        assert len(reports) == len(morning.expected())
        assert morning.duplicated == 0
        morning.dead = read_topic(morning.broker.bootstrap, f"{PREFIX}.daily-figures.dlq")
        assert len(morning.dead) == morning.tally.poison
        assert {m["payload"] for m in morning.dead} >= {"{not json"}
        morning.done.append("once")

    def test_the_projection_lag_returns_to_zero_and_nothing_is_lost(
        self, morning: Morning, report: Callable[[str], None]
    ) -> None:
        morning.after("once")
        head = morning.log[-1]["position"]

        def caught_up(client: httpx.Client) -> bool:
            body = client.get("/readyz").json()
            return body.get("store_position", -1) >= head and body.get("projection_lag") == 0

        for client in morning.clients:
            wait_for(lambda c=client: caught_up(c), 120, "projection lag 0")
        tally = morning.tally
        figures = {
            "written_via_api": len(tally.acknowledged) + len(tally.spend),
            "kafka_messages": len(tally.produced) + 1 + tally.poison,
            "ingested": len(tally.produced),
            "dlq": len(morning.dead),
            "events_stored": len(morning.log),
            "events_published": len(morning.published),
            "redelivered_on_topic": sum(c - 1 for c in morning.published.values()),
            "board_reads": tally.reads,
            "retried_after_sigkill": tally.refused_by_dead_instance,
            "sigkills": sum(s.restarts for s in morning.services),
            "lost": len(morning.expected() - morning.visible(morning.clients[1])),
            "duplicated": morning.duplicated,
        }
        report("[rehearsal] " + ", ".join(f"{k}={v}" for k, v in figures.items()))
        assert figures["lost"] == 0
