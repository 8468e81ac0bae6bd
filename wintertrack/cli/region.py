"""`wintertrack region …`: the region's side of the returns its ICBs send."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from capacity.signing import check_public
from schemes.rules import InputRefused
from wintertrack.bootstrap import build_application
from wintertrack.cli.common import fail

app = typer.Typer(help="Run a region: receive its ICBs' monthly returns.", no_args_is_help=True)


@app.command("follow")
def follow(
    region: Annotated[str, typer.Option(help="Region code (built in: Y61) or catalogue file")],
    group: str = "wintertrack-region",
    max_poll_records: Annotated[int, typer.Option(min=1, max=1000)] = 50,
) -> None:
    """Consumes {prefix}.returns into the region's store; failures go to {prefix}.returns.dlq."""
    import signal
    import threading

    from schemes.regions import load_region
    from wintertrack.config import get_settings
    from wintertrack.streams.region import RegionFollower

    settings = get_settings()
    if not settings.kafka_bootstrap:
        raise fail(InputRefused("WINTERTRACK_KAFKA_BOOTSTRAP", "must be set"))
    try:
        catalogue = load_region(region)
    except InputRefused as error:
        raise fail(error) from None
    follower = RegionFollower(
        build_application(settings),
        catalogue,
        settings.kafka_bootstrap,
        settings.kafka_topic_prefix,
        group,
        max_poll_records,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        follower.run(stop)
    except KeyboardInterrupt:
        stop.set()
    follower.close()


@app.command("keys")
def keys(
    file: Annotated[Path, typer.Argument(help="The ICB's private key file (PEM)")],
    create: Annotated[
        bool, typer.Option(help="Create a new key in FILE (never overwrites)")
    ] = False,
) -> None:
    """Creates an ICB's signing key (mode 0600) or reads one, and prints its public key: the
    ICB's relay signs with the file (WINTERTRACK_SIGNING_KEY_FILE), the region lists the public
    key (`region trust`)."""
    from capacity.signing import key_id, public_text
    from wintertrack.keys import create_key, read_key

    try:
        key = create_key(file) if create else read_key(file, "file")
    except InputRefused as error:
        raise fail(error) from None
    public = public_text(key)
    print(f"public key {public} (id {key_id(public)})")


@app.command("trust")
def trust(
    region: Annotated[str, typer.Option(help="Region code (built in: Y61) or catalogue file")],
    icb: Annotated[str, typer.Option(help="The ICB's code")],
    key: Annotated[str, typer.Option(help="The public key `region keys` printed")],
    out: Annotated[Path, typer.Option(help="The catalogue to write (may be --region's file)")],
) -> None:
    """Writes the region catalogue with a public key added to an ICB's keys (keep the old key
    listed until the ICB's relay signs with the new one)."""
    from schemes.regions import load_region

    try:
        catalogue = load_region(region)
        if catalogue.icb(icb) is None:
            raise InputRefused("icb", f"{icb[:10]} is not an ICB of region {catalogue.code}")
        check_public("key", key)
        updated = catalogue.with_keys({icb: [key]})
    except InputRefused as error:
        raise fail(error) from None
    out.write_text(updated.model_dump_json(indent=2) + "\n", encoding="utf-8")
    listed = updated.icb(icb)
    assert listed is not None
    print(f"{out}: {icb} has {len(listed.public_keys)} public key(s)")
