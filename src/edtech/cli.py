"""The `edtech` command: serve a node, work jobs, migrate, seed the demo, export contracts."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from edtech.settings import Settings
from edtech.topology.cli import topology_app

app = typer.Typer(
    help="edtech: the open-source backend for school platforms.", no_args_is_help=True
)
channels_app = typer.Typer(help="The websocket channel contract.", no_args_is_help=True)
app.add_typer(channels_app, name="channels")
app.add_typer(topology_app, name="topology")
console = Console(stderr=True)

DEFAULT_ASYNCAPI = Path("channels/asyncapi.yaml")


def _settings(demo: bool) -> Settings:
    if demo:
        os.environ.setdefault("EDTECH_DEMO", "1")
    try:
        return Settings()
    except ValueError as exc:
        console.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


@app.command()
def serve(
    demo: Annotated[bool, typer.Option("--demo", help="Seed and serve the demo school.")] = False,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    migrate: Annotated[bool, typer.Option(help="Apply migrations before serving.")] = True,
) -> None:
    """Run one node (embedded default: a SQLite file and the in-memory broker).

    Scale by running more nodes behind Caddy (see docs/deploy.md), not with worker processes.
    """
    from edtech.app import create_app
    from edtech.platform.serving import freeze_heap, uvicorn_config
    from edtech.topology.graceful import LifecycleSettings, serve_gracefully

    settings = _settings(demo)
    lifecycle = LifecycleSettings()
    _wait_for_dependencies(
        settings.database_url, settings.broker_url, lifecycle.startup_wait_seconds
    )
    if migrate:
        _migrate(settings.database_url)
    if demo or settings.demo:
        _seed_and_print(settings)
    console.print(f"edtech serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    if demo or settings.demo:
        base = f"http://{host}:{port}/app"
        console.print(
            f"  teacher's live board  {base}/board   sign in as teacher1@demo.test\n"
            f"  parent app            {base}/parent  sign in as guardian1@demo.test "
            "(guardian3@demo.test: no grades)\n"
            f"  attendance office     {base}/office  sign in as officer@demo.test\n"
            "  password edtech-demo; `uv run edtech demo scanner` taps cards for the board"
        )
    config = uvicorn_config(
        create_app(settings),
        host=host,
        port=port,
        timeout_graceful_shutdown=lifecycle.shutdown_grace_seconds,
    )
    freeze_heap()
    serve_gracefully(config, lifecycle)


@app.command()
def worker(
    migrate: Annotated[bool, typer.Option(help="Apply migrations before working.")] = True,
) -> None:
    """Run a node that only works background jobs (deferred and scheduled), without HTTP.

    `serve` works jobs too unless EDTECH_BACKGROUND_JOBS=false; stops cleanly on SIGTERM.
    """
    from edtech.jobs.worker import run_worker
    from edtech.topology.graceful import LifecycleSettings

    settings = _settings(False)
    _wait_for_dependencies(
        settings.database_url, settings.broker_url, LifecycleSettings().startup_wait_seconds
    )
    if migrate:
        _migrate(settings.database_url)
    console.print("edtech worker: working background jobs (Ctrl-C or SIGTERM to stop)")
    asyncio.run(run_worker(settings))
    console.print("edtech worker stopped")


@app.command()
def migrate(
    down: Annotated[
        str | None, typer.Option(help="Downgrade to this revision (e.g. base) instead.")
    ] = None,
) -> None:
    """Apply the database migrations (or roll them back with --down)."""
    from edtech.platform.db import migrations

    # Migrating needs only the database URL, not a secret: read just that.
    url = _database_url()
    from edtech.topology.graceful import LifecycleSettings

    _wait_for_dependencies(url, "memory://", LifecycleSettings().startup_wait_seconds)
    if down:
        asyncio.run(migrations.downgrade(url, down))
        console.print(f"downgraded to {down}")
    else:
        _migrate(url)


demo_app = typer.Typer(invoke_without_command=True, help="The demo school.")
app.add_typer(demo_app, name="demo")


@demo_app.callback()
def demo(
    ctx: typer.Context,
    small: Annotated[bool, typer.Option("--small", help="A tiny school (for scripts).")] = False,
) -> None:
    """Seed the demo school (idempotent) into the configured database and print its logins."""
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings(True)
    _migrate(settings.database_url)
    _seed_and_print(settings, small=small)


@demo_app.command("scanner")
def demo_scanner(
    url: Annotated[str, typer.Option(help="The running server.")] = "http://127.0.0.1:8000",
    students: Annotated[int, typer.Option(help="How many students arrive.")] = 320,
    pace: Annotated[float, typer.Option(help="Seconds between arrivals.")] = 0.5,
) -> None:
    """Replay a morning's arrivals against a running server: watch a teacher's board fill up."""
    from edtech.attendance.public import replay_scanner

    asyncio.run(replay_scanner(url, students=students, pace=pace, say=console.print))


billing_app = typer.Typer(help="Billing operations.", no_args_is_help=True)
app.add_typer(billing_app, name="billing")


@billing_app.command("check")
def billing_check(
    institution: Annotated[
        str | None, typer.Option(help="Check only this institution (its id).")
    ] = None,
) -> None:
    """Prove the ledger balances and matches the invoices, payments and refunds (exit 1 if not)."""
    import uuid

    from edtech.billing.public import ConsistencyReport, check
    from edtech.platform.db.engine import make_engine, make_session_factory

    only = uuid.UUID(institution) if institution else None

    async def run() -> ConsistencyReport:
        engine = make_engine(_database_url())
        try:
            return await check(make_session_factory(engine), only)
        finally:
            await engine.dispose()

    report = asyncio.run(run())
    for problem in report.problems:
        console.print(f"[red]{problem}[/red]")
    verdict = "consistent" if report.ok else f"{len(report.problems)} problems"
    console.print(
        f"{report.transactions} transactions, {report.invoices} invoices, "
        f"{report.payments} payments: {verdict}"
    )
    raise typer.Exit(0 if report.ok else 1)


roster_app = typer.Typer(
    help="OneRoster 1.2 CSV packages in and out, through a running node.", no_args_is_help=True
)
app.add_typer(roster_app, name="roster")
TOKEN_HELP = "An institution admin's access token (POST /api/v1/auth/token)."


@roster_app.command("import")
def roster_import(
    path: Annotated[Path, typer.Argument(help="A OneRoster zip, or a folder of its CSV files.")],
    url: Annotated[str, typer.Option(help="The running node.")] = "http://127.0.0.1:8000",
    token: Annotated[str, typer.Option(envvar="EDTECH_ACCESS_TOKEN", help=TOKEN_HELP)] = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report; change nothing.")] = False,
    lenient: Annotated[bool, typer.Option("--lenient", help="Accept named vendor quirks.")] = False,
) -> None:
    """Import a package through the node (so open sockets hear what changes): it runs as the
    node's background job; this follows it (each file as it is applied, on PostgreSQL) and
    prints what was created, changed and ended per entity — or every problem, by file, line
    and column."""
    import io
    import zipfile

    import httpx

    if path.is_dir():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(path.glob("*.csv")):
                archive.write(file, file.name)
        data = buffer.getvalue()
    else:
        data = path.read_bytes()
    import time

    auth = {"Authorization": f"Bearer {token}"}
    response = httpx.post(
        f"{url.rstrip('/')}/api/v1/roster/imports",
        content=data,
        params={"dry_run": str(dry_run).lower(), "lenient": str(lenient).lower()},
        headers={**auth, "Content-Type": "application/zip"},
        timeout=600,
    )
    body = response.json()
    if response.status_code == 202:  # queued: follow the import until it ends
        seen = None
        while body["state"] in ("queued", "running"):
            step = body["progress"]
            if (step["phase"], step["file"]) != seen:
                seen = (step["phase"], step["file"])
                where = f" {step['file']} ({step['done']}/{step['total']})" if step["file"] else ""
                console.print(f"{step['phase']}{where}")
            time.sleep(1)
            body = httpx.get(
                f"{url.rstrip('/')}{response.headers['location']}", headers=auth
            ).json()
        body = body["problem"] if body["state"] == "failed" else body["report"]
    if response.status_code != 202 or "entities" not in body:
        console.print(f"[red]{body.get('detail', response.text)}[/red]")
        for error in body.get("errors", []):
            console.print("  " + ":".join(str(p) for p in error["loc"]) + f"  {error['msg']}")
        raise typer.Exit(1)
    table = Table(
        "entity",
        "created",
        "changed",
        "ended",
        "unchanged",
        title="would change (dry run)" if dry_run else "imported",
    )
    for entity, counts in body["entities"].items():
        table.add_row(
            entity, *(str(counts[k]) for k in ("created", "changed", "ended", "unchanged"))
        )
    Console().print(table)
    for warning in body["warnings"]:
        console.print(
            "[yellow]" + ":".join(str(p) for p in warning["loc"]) + f"  {warning['msg']}[/yellow]"
        )


@roster_app.command("export")
def roster_export(
    out: Annotated[Path, typer.Argument(help="Where to write the zip.")],
    url: Annotated[str, typer.Option(help="The running node.")] = "http://127.0.0.1:8000",
    token: Annotated[str, typer.Option(envvar="EDTECH_ACCESS_TOKEN", help=TOKEN_HELP)] = "",
) -> None:
    """Export the institution's roster as a OneRoster 1.2 bulk package."""
    import httpx

    response = httpx.get(
        f"{url.rstrip('/')}/api/v1/roster/export",
        headers={"Authorization": f"Bearer {token}"},
        timeout=600,
    )
    if response.status_code != 200:
        console.print(f"[red]{response.text}[/red]")
        raise typer.Exit(1)
    out.write_bytes(response.content)
    console.print(f"wrote {out} ({len(response.content)} bytes)")


@roster_app.command("rollover")
def roster_rollover(
    school_year_id: Annotated[str, typer.Argument(help="The school year (academic session id).")],
    on: Annotated[str, typer.Argument(help="The first day it no longer holds (YYYY-MM-DD).")],
    apply: Annotated[bool, typer.Option("--apply", help="Change; without it, preview.")] = False,
    url: Annotated[str, typer.Option(help="The running node.")] = "http://127.0.0.1:8000",
    token: Annotated[str, typer.Option(envvar="EDTECH_ACCESS_TOKEN", help=TOKEN_HELP)] = "",
) -> None:
    """Year-end rollover: end the year's enrollments and student/teacher roles on a date and
    promote students a grade. Previews unless `--apply`."""
    import httpx

    response = httpx.post(
        f"{url.rstrip('/')}/api/v1/roster/rollover",
        json={"school_year_id": school_year_id, "on": on, "dry_run": not apply},
        headers={"Authorization": f"Bearer {token}"},
        timeout=600,
    )
    if response.status_code != 200:
        console.print(f"[red]{response.text}[/red]")
        raise typer.Exit(1)
    console.print_json(data=response.json())


institution_app = typer.Typer(
    help="Institutions (tenants) of this deployment.", no_args_is_help=True
)
app.add_typer(institution_app, name="institution")
operator_app = typer.Typer(
    help="Platform operators (who manage institutions).", no_args_is_help=True
)
app.add_typer(operator_app, name="operator")


@institution_app.command("create")
def institution_create(
    name: Annotated[str, typer.Option(help="The school's name.")],
    timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. Europe/Berlin.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code, e.g. EUR.")],
    locale: Annotated[str, typer.Option(help="BCP 47 locale, e.g. de-DE.")],
    admin_email: Annotated[str, typer.Option(help="The first administrator's email.")],
    slug: Annotated[str | None, typer.Option(help="Default: made from the name.")] = None,
    admin_given_name: Annotated[str, typer.Option(help="Administrator's given name.")] = "School",
    admin_family_name: Annotated[
        str, typer.Option(help="Administrator's family name.")
    ] = "Administrator",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the administrator's password from stdin (no link)."
        ),
    ] = False,
) -> None:
    """Create an institution and its first administrator; print their one-time setup link.

    The link (valid EDTECH_INVITATION_TTL_SECONDS, 7 days) lets the administrator choose a
    password and sign in. Run it where the nodes' settings are (same EDTECH_DATABASE_URL,
    EDTECH_SECRET_KEY and EDTECH_PUBLIC_URL).
    """
    import sys

    from edtech.identity.public import provision_institution
    from edtech.institutions.public import NewTenant, slug_for
    from edtech.kernel.errors import DomainError, InvalidError

    settings = _settings(False)
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    _migrate(settings.database_url)
    tenant = NewTenant(
        name=name,
        slug=slug or slug_for(name),
        timezone=timezone,
        locale=locale,
        currency=currency,
        admin_email=admin_email,
        admin_given_name=admin_given_name,
        admin_family_name=admin_family_name,
    )
    try:
        done = asyncio.run(provision_institution(settings, tenant, password))
    except DomainError as exc:
        details = (
            [f"{'.'.join(map(str, p.loc))}: {p.message}" for p in exc.problems]
            if (isinstance(exc, InvalidError))
            else []
        )
        console.print(f"[red]{exc.message}[/red] {'; '.join(details)}")
        raise typer.Exit(1) from exc
    console.print(
        f"institution {tenant.slug} created: {done.institution_id}; "
        f"administrator {admin_email} (person {done.admin_person_id})"
    )
    if done.setup_url is not None:
        console.print(f"one-time setup link for {admin_email} (valid until {done.expires_at}):")
        typer.echo(done.setup_url)  # stdout, alone on its line: scripts can capture it
    else:
        console.print(f"sign in as {admin_email} with the password given")


@operator_app.command("create")
def operator_create(
    email: Annotated[str, typer.Option(help="The email of an existing login.")],
) -> None:
    """Make an existing login a platform operator: it may then create, list, suspend and
    reactivate institutions over REST (/api/v1/institutions). Only this command grants it."""
    from edtech.identity.public import make_operator
    from edtech.kernel.errors import DomainError

    settings = _settings(False)
    _migrate(settings.database_url)
    try:
        added = asyncio.run(make_operator(settings, email))
    except DomainError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"{email} is {'now' if added else 'already'} a platform operator")


@channels_app.command("export")
def channels_export(
    output: Annotated[Path, typer.Option(help="Where to write the AsyncAPI document.")] = (
        DEFAULT_ASYNCAPI
    ),
    check: Annotated[
        bool, typer.Option("--check", help="Fail if the file differs instead of writing it.")
    ] = False,
) -> None:
    """Write the websocket contract (AsyncAPI 3.0) generated from the channel registry."""
    from edtech.realtime.asyncapi import render_default
    from edtech.slices import channel_registrations

    text = render_default(channel_registrations())
    if check:
        current = output.read_text() if output.exists() else ""
        if current != text:
            console.print(f"[red]{output} is stale:[/red] run `uv run edtech channels export`")
            raise typer.Exit(1)
        console.print(f"{output} is up to date")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    console.print(f"wrote {output}")


def _wait_for_dependencies(database_url: str, broker_url: str, wait_seconds: float) -> None:
    """Wait for PostgreSQL/Redis with backoff instead of crashing when they start after us."""
    from edtech.topology.startup import DependencyUnavailableError, wait_for_dependencies

    def report(name: str, attempt: int, pause: float, error: str) -> None:
        console.print(f"waiting for the {name} (attempt {attempt}, next in {pause:.1f}s): {error}")

    try:
        asyncio.run(
            wait_for_dependencies(
                database_url, broker_url, wait_seconds=wait_seconds, report=report
            )
        )
    except DependencyUnavailableError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc


def _database_url() -> str:
    """The configured database URL; commands that need no secret read just this."""
    return os.environ.get("EDTECH_DATABASE_URL") or str(
        Settings.model_fields["database_url"].default
    )


def _migrate(url: str) -> None:
    from edtech.platform.db import migrations

    asyncio.run(migrations.upgrade(url))
    console.print("database migrated")


def _seed_and_print(settings: Settings, small: bool = False) -> None:
    from edtech.demo import FULL, SMALL
    from edtech.demo_product import seed_product_demo
    from edtech.platform.db.engine import make_engine, make_session_factory

    async def run() -> object:
        engine = make_engine(settings.database_url)
        try:
            with Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
            ) as bar:
                tasks: dict[str, object] = {}

                def progress(step: str, done: int, total: int) -> None:
                    if step not in tasks:
                        tasks[step] = bar.add_task(step, total=total)
                    bar.update(tasks[step], completed=done, total=total)  # type: ignore[arg-type]

                return await seed_product_demo(
                    make_session_factory(engine), SMALL if small else FULL, progress=progress
                )
        finally:
            await engine.dispose()

    summary = asyncio.run(run())
    table = Table(title="Demo logins (password: edtech-demo)")
    table.add_column("login")
    table.add_column("role")
    for email, role in getattr(summary, "logins", []):
        table.add_row(email, role)
    Console().print(table)


def main() -> None:
    app()
