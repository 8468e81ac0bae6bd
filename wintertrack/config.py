"""The one settings class. Read once from ``WINTERTRACK_*`` variables, overridable in tests."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from projections.db import create_private

DEFAULT_STORE = "sqlite:///./var/wintertrack.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WINTERTRACK_", extra="ignore")

    store: str = DEFAULT_STORE
    kafka_bootstrap: str | None = None
    kafka_topic_prefix: str = "winter"
    # `wintertrack ingest` stores a poll's messages in batches of at most this many messages
    # and bytes, each batch in one transaction
    ingest_batch_records: int = Field(default=500, ge=1, le=10_000)
    ingest_batch_bytes: int = Field(default=1024 * 1024, ge=64 * 1024, le=64 * 1024 * 1024)
    region: str = "Y61"  # the region `serve --region` shows (a built-in code or a catalogue file)
    secret_key: SecretStr | None = None
    # an ICB's Ed25519 key (`wintertrack region keys`): the relay signs its returns with it
    signing_key_file: Path | None = None
    public_url: str | None = None  # e.g. https://wintertrack.example.nhs.uk: Secure cookies, HSTS
    oidc_issuer: str | None = None  # sign-in with the organisation's account when all three set
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    metrics: bool = False  # GET /metrics (Prometheus text format) when on
    ready_max_lag: int = 1000  # /readyz answers 503 while the views are more events behind
    serve_projects: bool = True  # off: `serve` leaves the views to a `wintertrack project`
    log_level: str = "INFO"
    # Addresses of the reverse proxies whose X-Forwarded-For is believed (e.g. "10.0.0.5" or
    # "*"); unset, the client address is the connection's own and the header is ignored.
    forwarded_allow_ips: str | None = None
    # chase reminders (wintertrack/chase.py): sent through this SMTP relay when it is set
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "wintertrack@localhost"
    chase_at: str = "10:30"  # London time, on working days; `serve` sends at this time
    chase_schedule: bool = True  # off: leave reminders to `wintertrack chase --send`
    # spend more than this share above the month's profile asks for a comment (0.50 = 50%)
    spend_above_profile: Decimal = Decimal("0.50")

    @field_validator("spend_above_profile")
    @classmethod
    def _share(cls, value: Decimal) -> Decimal:
        if not value.is_finite() or value < 0:
            raise ValueError("must be a share of zero or more, e.g. 0.50 for 50%")
        return value

    @field_validator("chase_at")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        try:
            time.fromisoformat(value)
        except ValueError:
            raise ValueError("must be a time of day as HH:MM, e.g. 10:30") from None
        return value

    def chase_time(self) -> time:
        return time.fromisoformat(self.chase_at)

    @field_validator("store")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://", "memory://")):
            raise ValueError("must start with sqlite:///, postgresql:// or memory://")
        return value

    def event_store_env(self) -> dict[str, str]:
        return event_store_env(self.store)


def event_store_env(store: str) -> dict[str, str]:
    """Maps a store URL onto the ``eventsourcing`` library's environment variables."""
    if store.startswith("memory://"):
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if store.startswith("sqlite:///"):
        path = Path(store.removeprefix("sqlite:///"))
        create_private(path)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(path),
            "SQLITE_LOCK_TIMEOUT": "30",
            "APPLICATION_RECORDER_TOPIC": "wintertrack.recorders:BatchSQLiteApplicationRecorder",
        }
    url = urlsplit(store)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/") or "wintertrack",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "wintertrack"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_POOL_SIZE": "5",
        "POSTGRES_MAX_OVERFLOW": "10",
        "APPLICATION_RECORDER_TOPIC": "wintertrack.recorders:KeyedPostgresApplicationRecorder",
    }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
