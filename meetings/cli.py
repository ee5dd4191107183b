"""flask --app wsgi … commands (SPEC §10). Thin: call a service in one
transaction (database.transaction), print."""
from __future__ import annotations

import os

import click
from flask import Flask
from sqlalchemy import select

from .database import transaction
from .extensions import db
from .roles import Role


def register_cli(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--username", required=True)
    @click.option("--password", required=True)
    @click.option("--role", required=True,
                  type=click.Choice([role.value for role in Role]))
    @click.option("--province", default=None, help="province name")
    @click.option("--region", default=None, help="region name")
    @click.option("--display-name", default=None)
    def create_user_command(username, password, role, province, region, display_name):
        """Create a user (the first admin, typically)."""
        from .auth.services import create_user
        from .errors import DomainError
        from .orgs.models import Province, Region

        province_id = region_id = None
        if province:
            province_id = db.session.scalar(select(Province.id).where(Province.name == province))
            if province_id is None:
                raise click.ClickException(f"no province named {province!r}")
        if region:
            region_id = db.session.scalar(select(Region.id).where(Region.name == region))
            if region_id is None:
                raise click.ClickException(f"no region named {region!r}")
        try:
            with transaction():
                user = create_user(None, username=username, password=password, role=role,
                                   display_name=display_name, province_id=province_id,
                                   region_id=region_id)
        except DomainError as exc:
            raise click.ClickException(exc.text()) from exc
        click.echo(f"created {user.username} ({user.role.value})")

    @app.cli.command("grant-app-role")
    @click.argument("role")
    @click.option("--password-env", default="APP_DB_PASSWORD", show_default=True,
                  help="the environment variable holding the role's password (unset: left as it is)")
    def grant_app_role_command(role, password_env):
        """Run by the tables' owner after migrating (PostgreSQL): ROLE, which
        the web servers and the scheduler connect as, may use every table but
        only INSERT and SELECT the action log; created when missing."""
        from .database import grant_app_role

        if db.engine.dialect.name != "postgresql":
            raise click.ClickException("grant-app-role needs PostgreSQL (SQLite has no roles)")
        with db.engine.begin() as connection:
            for statement in grant_app_role(connection, role, os.environ.get(password_env) or None):
                click.echo(statement)

    @app.cli.command("seed-demo")
    @click.option("--reset", is_flag=True, help="empty every table first and start over")
    @click.option("--scale", type=click.IntRange(1, 1_000_000), default=None,
                  help="also add N meetings across a realistic organisation (benchmarks, evaluation)")
    @click.option("--allow-production", is_flag=True,
                  help="seed although FLASK_ENV is not development (a test or benchmark database): "
                       "the demo's accounts have a published password")
    def seed_demo_command(reset, scale, allow_production):
        """Load a demo organisation, run the jobs once (so notifications exist)
        and print one login per role. Only in development (FLASK_ENV=development)
        unless --allow-production: six accounts with a published password, and
        --reset empties every table."""
        from .demo import reset_demo, seed_demo
        from .jobs import JOBS, run_job

        if not app.config.get("DEVELOPMENT") and not allow_production:
            raise click.ClickException(
                "seed-demo creates accounts with a published password"
                f"{' and --reset empties every table' if reset else ''}; "
                f"this is FLASK_ENV={app.config.get('ENV_NAME')}, not development. Set FLASK_ENV=development, "
                "or add --allow-production if this database is a test or benchmark one.")

        if reset:
            with transaction():
                reset_demo()
        with transaction():
            logins = seed_demo()
            if scale:
                from .scale import seed_scale

                counts = seed_scale(scale)
                click.echo("Added " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        for name in JOBS:  # the day-before reminder, the follow-up week, the mail outbox
            run_job(name)
        click.echo("Demo data loaded. Logins:")
        click.echo(f"  {'role':20} {'username':12} password")
        for role, username, password in logins:
            click.echo(f"  {role:20} {username:12} {password}")

    @app.cli.command("import-prescriptions")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--update-support", is_flag=True,
                  help="refresh each doctor's support from their last 3 imported months")
    def import_prescriptions_command(path, update_support):
        """Import monthly prescriptions (CSV or XLSX: doctor_id, month, product, boxes)."""
        from .errors import DomainError
        from .prescriptions.services import MAX_BYTES, import_file

        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        try:
            with transaction():
                report = import_file(None, data, refresh_support=update_support)
        except DomainError as exc:
            raise click.ClickException(exc.text()) from exc
        click.echo(f"rows {report.rows}, inserted {report.inserted}, updated {report.updated}, "
                   f"unchanged {report.unchanged}, errors {report.errors_total}"
                   + (f", support updated {report.support_updated}" if update_support else ""))
        for error in report.errors:
            click.echo(f"  row {error['row']} {error['field']}: {error['message']}")

    @app.cli.command("run-jobs")
    @click.option("--job", "names", multiple=True, help="run only this job (repeatable)")
    def run_jobs_command(names):
        """Run every due job once and exit (non-zero on failure)."""
        from .jobs import JOBS, run_job

        unknown = [n for n in names if n not in JOBS]
        if unknown:
            raise click.ClickException(f"unknown job(s): {', '.join(unknown)}; known: {', '.join(JOBS)}")
        for name in names or JOBS:
            try:
                result = run_job(name)
            except Exception as exc:
                raise click.ClickException(f"job {name} failed: {exc}") from exc
            click.echo(f"{name}: {result}")

    @app.cli.command("scheduler")
    def scheduler_command():
        """Run the job scheduler in the foreground until SIGINT/SIGTERM."""
        import logging

        from .jobs import run_scheduler

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        run_scheduler(app)

    from flask.cli import AppGroup

    files_group = AppGroup("files", help="The store of file bodies (FILES_URL, SPEC §12).")

    @files_group.command("gc")
    @click.option("--remove", is_flag=True, help="remove them (without it: only list them)")
    @click.option("--grace-minutes", type=click.IntRange(0, None), default=60, show_default=True,
                  help="leave bodies younger than this: their row may be about to commit")
    def files_gc_command(remove, grace_minutes):
        """List the stored bodies no row names (and with --remove, remove them)."""
        from datetime import timedelta

        from .evidence import services  # noqa: F401  (each domain names the bodies it holds)
        from .files import collect

        found = collect(remove=remove, grace=timedelta(minutes=grace_minutes))
        for body in found:
            click.echo(f"{body.sha256} {body.size} {body.modified.isoformat()}")
        verb = "removed" if remove else "unreferenced (run with --remove to remove them)"
        click.echo(f"{len(found)} bodies, {sum(b.size for b in found)} bytes {verb}")

    app.cli.add_command(files_group)
