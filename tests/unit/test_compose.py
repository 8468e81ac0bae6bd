"""docker-compose.yml cannot run here (no Docker engine): check its structure instead."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from typer.main import get_command

from wintertrack.cli import app

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def cli_commands() -> set[str]:
    return set(get_command(app).commands)  # type: ignore[attr-defined]


def test_every_service_is_there_with_a_health_check() -> None:
    assert set(SERVICES) == {"postgres", "kafka", "api", "projector", "relay", "ingest"}
    for name, service in SERVICES.items():
        assert "healthcheck" in service, name
        assert service["healthcheck"]["test"], name


def test_our_services_wait_for_healthy_dependencies_and_run_real_commands() -> None:
    commands = cli_commands()
    for name in ("api", "projector", "relay", "ingest"):
        service = SERVICES[name]
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "kafka": {"condition": "service_healthy"},
        }
        command = service["command"]
        assert command[0] == "wintertrack" and command[1] in commands, command
        env = service["environment"]
        assert env["WINTERTRACK_STORE"].startswith("postgresql://")
        assert env["WINTERTRACK_KAFKA_BOOTSTRAP"] == "kafka:9092"


def test_required_secrets_fail_loudly_when_missing() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for secret in ("POSTGRES_PASSWORD", "WINTERTRACK_SECRET_KEY"):
        assert re.search(r"\$\{" + secret + r":\?", text), secret
    assert "password" not in re.sub(r"\$\{[^}]*\}", "", text).lower().replace(
        "postgres_password", ""
    )


def test_kafka_runs_kraft_single_node() -> None:
    kafka = SERVICES["kafka"]
    assert kafka["image"].startswith("apache/kafka")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_the_dockerfile_installs_the_package_and_serves() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install ." in dockerfile and "USER wintertrack" in dockerfile
    assert '"wintertrack", "serve"' in dockerfile
