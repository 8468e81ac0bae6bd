"""`wintertrack serve` and `wintertrack demo`: the API and pages, and the demo winter."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Annotated

import typer

from capacity.application import WinterApplication
from capacity.commands import AddUser, GrantProgramme, IssueToken, LoadCatalogue
from capacity.errors import DomainError
from schemes.catalogue import BUILT_IN, Catalogue, load_catalogue
from schemes.regions import Region, load_region
from schemes.rules import InputRefused
from wintertrack.bootstrap import build_application, build_read_side
from wintertrack.cli.common import cli_actor, fail
from wintertrack.cli.imports import programme_summary
from wintertrack.logs import configure_logging

log = logging.getLogger("wintertrack.serve")


def demo(
    programme: Annotated[
        str | None, typer.Option("--programme", help="Programme code (default QM7-<winter>)")
    ] = None,
    winter: Annotated[
        str,
        typer.Option(help="2022-23 (the HWE catalogue) or 2023-24 (an illustrative one)"),
    ] = "2022-23",
    figures: Annotated[
        str | None,
        typer.Option(help="Also write synthetic figures up to this day (YYYY-MM-DD)"),
    ] = None,
) -> None:
    """Loads a built-in HWE catalogue into the configured store (opening its programme beside
    any other winter already there) and summarises it."""
    from wintertrack.demo import generate_winter

    name = f"hwe-{winter}"
    if name not in BUILT_IN:
        raise fail(InputRefused("winter", "must be 2022-23 or 2023-24"))
    code = programme or f"QM7-{winter}"
    application = build_application()
    try:
        catalogue: Catalogue = load_catalogue(name)
        application.run_command(
            LoadCatalogue(actor=cli_actor(), catalogue=catalogue, programme=code)
        )
        if figures:
            until = min(date.fromisoformat(figures), date.today() - timedelta(days=1))
            seed = int(winter[:4])
            generate_winter(application, code, until, seed=seed, catalogue=name)
    except (DomainError, InputRefused, ValueError) as error:
        raise fail(error) from None
    print(programme_summary(application, code))


DEMO_USERS: tuple[tuple[str, str, list[str]], ...] = (
    ("demo-admin", "admin", []),
    ("uec-board", "board", []),
    ("icb-finance", "finance", []),
    # The lead also enters KPI values and one acute site's daily flow (sites are assigned by
    # ODS code, like schemes).
    (
        "imc-lead",
        "lead",
        [
            "imc-beds-enh",
            "hct-bridging-enh",
            "smart-ed-specialist-review-whth",
            "arc-reablement-we",  # with KPIs, entered on their own page
            "RQW",
        ],
    ),
)


def _demo_tokens(application: WinterApplication, programme: str) -> list[tuple[str, str, str]]:
    tokens = []
    for name, role, schemes in DEMO_USERS:
        try:
            application.get_user(name)
            _, token = application.run_command(IssueToken(actor=cli_actor(), name=name))
        except DomainError:
            _, token = application.run_command(
                AddUser(
                    actor=cli_actor(), name=name, role=role, programme=programme, schemes=schemes
                )
            )
        tokens.append((role, name, token))
    return tokens


def _print_sign_ins(
    application: WinterApplication, host: str, port: int, tokens: list[tuple[str, str, str]]
) -> None:
    """Each demo user's token, and a link that signs them in once (for 12 hours)."""
    from capacity.signin import SignInService

    links = SignInService(application)
    for role, name, token in tokens:
        secret = links.issue_link(cli_actor(), name)
        print(f"{role:<8} {name:<12} {token}")
        print(f"{'':<8} sign in once: http://{host}:{port}/login/link/{secret}")


def _grant_second_winter(application: WinterApplication) -> None:
    """The demo's users act in the 2023/24 winter too."""
    from wintertrack.demo import SECOND_WINTER

    second = application.get_programme(SECOND_WINTER)
    known = set(second.scheme_codes) | set(second.site_codes)  # it has no acute sites
    for name, _, schemes in DEMO_USERS:
        user = application.get_user(name)
        if SECOND_WINTER not in user.programmes:
            mine = [code for code in schemes if code in known]
            application.run_command(
                GrantProgramme(actor=cli_actor(), name=name, programme=SECOND_WINTER, schemes=mine)
            )


REGION_USERS: tuple[tuple[str, str], ...] = (("demo-admin", "admin"), ("region-team", "region"))


def _region_tokens(application: WinterApplication, region: str) -> list[tuple[str, str, str]]:
    tokens = []
    for name, role in REGION_USERS:
        try:
            application.get_user(name)
            _, token = application.run_command(IssueToken(actor=cli_actor(), name=name))
        except DomainError:
            bound = region if role == "region" else None
            _, token = application.run_command(
                AddUser(actor=cli_actor(), name=name, role=role, programme=bound, schemes=[])
            )
        tokens.append((role, name, token))
    return tokens


def _region_demo(application: WinterApplication, day: date, host: str, port: int) -> Region:
    """The region's store, its six synthetic ICBs' returns (through Kafka when a broker is
    configured, with a follower in this process; else through the same receive function)."""
    import threading

    from wintertrack.config import get_settings
    from wintertrack.region_demo import demo_keys, load_region_demo
    from wintertrack.streams.region import RegionFollower

    settings = get_settings()
    keys, region = demo_keys(load_region(settings.region))
    bootstrap, prefix = settings.kafka_bootstrap, settings.kafka_topic_prefix
    if application.max_position() == 0:
        log.info("generating the %s region's ICB winters and returns to %s", region.name, day)
        counts = load_region_demo(application, region, day, bootstrap, prefix, keys, log.info)
        log.info("returns: %s", counts)
    if bootstrap:
        follower = RegionFollower(application, region, bootstrap, prefix)
        threading.Thread(target=follower.run, args=(threading.Event(),), daemon=True).start()
    print(f"Wintertrack region demo: http://{host}:{port}/regions/{region.code}")
    _print_sign_ins(application, host, port, _region_tokens(application, region.code))
    return region


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    demo: Annotated[bool, typer.Option(help="Load the HWE 2022/23 demo on an empty store")] = False,
    demo_date: Annotated[
        str,
        typer.Option(
            help="With --demo: the day the demo winter has reached "
            "(default 2023-01-16; 2023-12-16 with --winters)"
        ),
    ] = "",
    winters: Annotated[
        bool,
        typer.Option(
            "--winters",
            help="With --demo: QM7's 2022/23 winter complete and an illustrative 2023/24 "
            "winter beside it in the same store",
        ),
    ] = False,
    region: Annotated[
        bool,
        typer.Option(
            "--region",
            help="Serve as the region (WINTERTRACK_REGION, default Y61); with --demo, "
            "six synthetic ICBs send their returns",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Comma-separated addresses of reverse proxies whose X-Forwarded-For is "
            "believed (WINTERTRACK_FORWARDED_ALLOW_IPS); by default no proxy is trusted",
        ),
    ] = None,
) -> None:
    """Serves the API and the web pages."""
    import secrets

    from wintertrack.config import get_settings

    settings = get_settings()
    configure_logging(settings.log_level)  # first: imports below may warn

    import uvicorn

    from api.main import create_app
    from wintertrack.demo import generate_winter, second_winter

    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    today = date.today
    if demo:
        demo_date = demo_date or ("2023-12-16" if winters else "2023-01-16")
        day = date.fromisoformat(demo_date)
        today = lambda: day  # noqa: E731 - the demo winter is frozen on its own date
        secret = secret or secrets.token_urlsafe(32)
    if not secret:
        raise fail(InputRefused("WINTERTRACK_SECRET_KEY", "must be set to serve the web pages"))
    application = build_application(settings, today)
    projector, read = build_read_side(application, settings, today)
    programme = "QM7-2022-23"
    served: Region | None = load_region(settings.region) if region else None
    if demo and region:
        served = _region_demo(application, day, host, port)
        projector.run_once()
    elif demo:
        if application.max_position() == 0:
            log.info("loading the HWE 2022/23 programme and a winter of figures to %s", demo_date)
            generate_winter(application, programme, day - timedelta(days=1))
            if winters:
                second_winter(application, day - timedelta(days=1))
        projector.run_once()
        print(f"Wintertrack demo: http://{host}:{port}/ (programme {programme})")
        _print_sign_ins(application, host, port, _demo_tokens(application, programme))
        if winters:
            _grant_second_winter(application)
    oidc = None
    if settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret:
        from api.web.oidc import OidcClient

        oidc = OidcClient(
            settings.oidc_issuer,
            settings.oidc_client_id,
            settings.oidc_client_secret.get_secret_value(),
            secret,
        )
    app = create_app(
        application,
        read,
        secret,
        follow=settings.serve_projects,
        public_url=settings.public_url,
        oidc=oidc,
        region=served,
        metrics=settings.metrics,
        catch_up=settings.serve_projects,
        ready_max_lag=settings.ready_max_lag,
    )
    if settings.smtp_host and settings.chase_schedule and not region:
        from wintertrack.chase import ChaseSchedule

        ChaseSchedule(application, read, settings).start()
        log.info("chase reminders at %s on working days", settings.chase_at)
    # The sign-in limit and audit key on the client address: a forwarded one is believed only
    # from a proxy named here, or anyone could claim any address (uvicorn trusts loopback).
    proxies = forwarded_allow_ips or settings.forwarded_allow_ips
    # Our middleware logs each request (with its id) as JSON: no second access log.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or "",
    )
