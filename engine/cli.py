"""The ``docket`` command line: init, demo, check, deploy, users, serve, scheduler, db.

Commands that serve HTTP import the web layer lazily; everything else uses the engine only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .config import Settings


def _runtime(settings: Settings):  # type: ignore[no-untyped-def]
    from .features import load_features
    from .migrate import upgrade
    from .runtime import Runtime

    upgrade(settings.database_url)
    load_features()
    return Runtime(settings.database_url)


def message_locale(lang: str | None) -> str:
    """The language of ``docket check``'s messages: ``--lang``, else the environment's (LC_ALL, LC_MESSAGES,
    LANG), as ``zh_CN`` or ``en``."""
    import os

    from .definitions.wording import normal_locale

    chosen = lang or os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG")
    return normal_locale(chosen)


@click.group()
def main() -> None:
    """Docket: BPMN casework for a university staff union."""


@main.command()
@click.option("--office", is_flag=True, help="also create the administrator of a new, empty instance")
@click.option("--admin", "admin_name", default="admin", show_default=True, help="the administrator's username")
@click.option("--admin-password", envvar="DOCKET_ADMIN_PASSWORD",
              help="the administrator's password (default: DOCKET_ADMIN_PASSWORD, else asked for)")
def init(office: bool, admin_name: str, admin_password: str | None) -> None:
    """Create or upgrade the database schema; with --office, an empty instance with only an administrator."""
    from .migrate import upgrade

    settings = Settings()
    upgrade(settings.database_url)
    click.echo(f"database ready: {settings.database_url}")
    if office:
        from .office.setup import create_office

        if not admin_password:
            admin_password = click.prompt("administrator's password", hide_input=True, confirmation_prompt=True)
        from .errors import DocketError
        from .runtime import Runtime

        rt = Runtime(settings.database_url)
        try:
            for line in create_office(rt, admin_name, admin_password, settings.processes_dir):
                click.echo(line)
        except DocketError as exc:
            raise click.ClickException(exc.message) from None
        finally:
            rt.dispose()


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--groups", help="comma-separated group keys that exist (default: don't check group names)")
@click.option("--forms", "forms_dir", type=click.Path(file_okay=False, path_type=Path),
              help="a folder of shared forms (default: processes/forms of the project, if present)")
@click.option("--lang", help="language of the messages: zh or en (default: from LANG / LC_ALL)")
def check(files: tuple[Path, ...], groups: str | None, forms_dir: Path | None, lang: str | None) -> None:
    """Check BPMN files; one line per problem (file:line element message), exit 1 if any error."""
    from .definitions.bundle import bundle_from_file
    from .definitions.check import check_bundle, has_errors
    from .features import load_features

    load_features()  # the behaviours files may name
    known = {g.strip() for g in groups.split(",") if g.strip()} if groups else None
    shared = forms_dir or Settings().processes_dir / "forms"
    failed = False
    for path in files:
        problems = check_bundle(bundle_from_file(path, shared if shared.is_dir() else None), known)
        for problem in problems:
            click.echo(problem.line_text(message_locale(lang)))
        failed = failed or has_errors(problems)
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--as", "username", default="admin", show_default=True, help="the deploying user")
def deploy(paths: tuple[Path, ...], username: str) -> None:
    """Deploy BPMN files (or every BPMN file under a folder) with their forms and DMN."""
    from .access import Actor
    from .definitions.bundle import bundle_from_file, bundles_in
    from .deploy import deploy_process
    from .errors import Invalid

    rt = _runtime(Settings())
    bundles = [b for p in paths for b in (bundles_in(p) if p.is_dir() else [bundle_from_file(p)])]
    failed = False
    for bundle in bundles:
        try:
            done = deploy_process(rt, Actor(username, frozenset({"admin"})), bundle)
            d = done.definition
            click.echo(f"{bundle.filename}: {d.key} v{d.version} {'deployed' if done.created else 'unchanged'}")
        except Invalid as exc:
            failed = True
            click.echo(exc.message)
            for item in exc.details:
                click.echo(f"  {bundle.filename}:{item['line']} {item['element'] or '-'} {item['message']}")
    sys.exit(1 if failed else 0)


@main.command("subscriptions")
def subscriptions() -> None:
    """Rewrite which cases wait for which messages and signals (once, after upgrading to this version)."""
    from .messages import rebuild_subscriptions

    cases, processes = rebuild_subscriptions(_runtime(Settings()))
    click.echo(f"subscriptions rewritten for {cases} running case(s) and {processes} process(es)")


@main.group()
def db() -> None:
    """Database schema, backup and restore."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    from .migrate import upgrade

    settings = Settings()
    upgrade(settings.database_url)
    click.echo("database at the newest schema")


@db.command("check")
def db_check() -> None:
    """Exit 1 unless the database is reachable and at the newest schema."""
    from .db import make_engine
    from .migrate import is_current

    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        current = is_current(engine, settings.database_url)
    except Exception as exc:
        click.echo(f"database not usable: {exc}")
        sys.exit(1)
    finally:
        engine.dispose()
    click.echo("database at the newest schema" if current else "database needs `docket db upgrade`")
    sys.exit(0 if current else 1)


@db.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(target: Path) -> None:
    """Write a consistent backup (SQLite file copy, or pg_dump SQL for PostgreSQL)."""
    from .ops.backup import backup

    click.echo(f"backup written to {backup(Settings().database_url, target)}")


@db.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def db_restore(source: Path) -> None:
    """Replace the database's content with a backup made by `docket db backup`."""
    from .ops.backup import restore

    restore(Settings().database_url, source)
    click.echo(f"restored from {source}")


@main.group("import")
def import_group() -> None:
    """Import staff or delegates from a spreadsheet (.xlsx or UTF-8 .csv)."""


def _print_import(result, dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    for error in result.errors:
        click.echo(f"row {error['row']}, column {error['column'] or '-'}: {error['message']}")
    verb = "would create" if dry_run else "created"
    click.echo(f"{result.rows} row(s); {verb} {len(result.created)}, "
               f"{'would update' if dry_run else 'updated'} {len(result.updated)}"
               + (f"; {len(result.errors)} problem(s), nothing imported" if result.errors else ""))


@import_group.command("users")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="check every row and report; import nothing")
@click.option("--as", "username", default="admin", show_default=True, help="the administrator doing it")
def import_users_command(file: Path, dry_run: bool, username: str) -> None:
    """Import staff: create new users, update existing ones; all or nothing (exit 1 on any problem)."""
    from .errors import DocketError
    from .office.imports import ImportResult, import_users

    rt = _runtime(Settings())
    try:
        with rt.transaction() as session:
            result, _ = import_users(session, _admin(session, username), file.name, file.read_bytes(), dry_run)
    except DocketError as exc:
        result = ImportResult(errors=[e for e in exc.details if "row" in e] or
                              [{"row": 0, "column": "", "message": exc.message}])
    _print_import(result, dry_run)
    sys.exit(1 if result.errors else 0)


@import_group.command("delegates")
@click.argument("congress")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="check every row and report; import nothing")
@click.option("--as", "username", default="admin", show_default=True, help="the administrator doing it")
def import_delegates_command(congress: str, file: Path, dry_run: bool, username: str) -> None:
    """Import the delegates of CONGRESS (its key); users missing from the system are created."""
    from .congress.congresses import get_congress, import_delegates
    from .errors import DocketError
    from .office.imports import ImportResult

    rt = _runtime(Settings())
    try:
        with rt.transaction() as session:
            result = import_delegates(session, _admin(session, username), get_congress(session, congress), file.name,
                                      file.read_bytes(), dry_run)
    except DocketError as exc:
        result = ImportResult(errors=[e for e in exc.details if "row" in e] or
                              [{"row": 0, "column": "", "message": exc.message}])
    _print_import(result, dry_run)
    if not result.errors and not dry_run:
        click.echo(f"{len(result.delegates)} delegate(s) of {congress}")
    sys.exit(1 if result.errors else 0)


def _admin(session, username: str):  # type: ignore[no-untyped-def]
    """The actor of an administrator by username (refused unless they are one)."""
    from .users import actor_for, find_user

    user = find_user(session, username)
    if user is None or not user.active:
        raise click.ClickException(f"no active user '{username}': use --as with an administrator's username")
    return actor_for(user)


@main.command("add-user")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True)
@click.option("--name", "display_name")
@click.option("--groups", default="", help="comma-separated group keys")
def add_user(username: str, password: str, display_name: str | None, groups: str) -> None:
    """Create a user."""
    from .users import add_user

    add_user(_runtime(Settings()), username, password, display_name, [g for g in groups.split(",") if g])
    click.echo(f"user {username} created")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--reset", is_flag=True, help="start from an empty demo database")
def demo(host: str, port: int, reset: bool) -> None:
    """Create the demo (users, processes, sample cases) on SQLite and serve the web UI."""
    from .demo import seed

    settings = Settings()
    if reset and settings.database_url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(settings.database_url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    rt = _runtime(settings)
    for line in seed(rt, settings.processes_dir):
        click.echo(line)
    from webui import create_app

    from .scheduler import start_in_background

    start_in_background(rt)
    app = create_app(settings, runtime=rt)
    click.echo(f"Docket demo: http://{host}:{port}/  (users in README.md, password 'demo')")
    app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)


@main.command()
@click.option("--bind", help="host:port (default: DOCKET_BIND or 127.0.0.1:8000)")
@click.option("--workers", type=int, help="gunicorn worker processes (default: DOCKET_WORKERS or 2)")
@click.option("--threads", default=4, show_default=True, help="threads per worker")
def serve(bind: str | None, workers: int | None, threads: int) -> None:
    """Run the web app under gunicorn (migrates the database first)."""
    import os

    from .migrate import upgrade
    from .passwords import FAST_SETTING, fast_hashing

    if fast_hashing():
        raise click.UsageError(f"{FAST_SETTING} is for the test suite only; unset it to serve")
    settings = Settings()
    upgrade(settings.database_url)
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "--bind", bind or settings.bind,
                               "--workers", str(workers or settings.workers), "--threads", str(threads),
                               "--access-logfile", "-", "webui.wsgi:app"])


@main.command()
@click.option("--every", type=int, help="seconds between runs of each job (default: DOCKET_SCHEDULER_EVERY or 30)")
@click.option("--once", is_flag=True, help="run one round of every job (catch-up included) and exit")
def scheduler(every: int | None, once: bool) -> None:
    """Run the background jobs until stopped: BPMN timers, overdue marks, reminders, escalation, e-mail digests.
    Catches up on whatever was missed while stopped first."""
    from .ops.logs import configure_json_logging
    from .scheduler import catch_up, run_forever

    configure_json_logging()
    settings = Settings()
    rt = _runtime(settings)
    every = every or settings.scheduler_every
    if once:
        done = catch_up(rt)
        click.echo(", ".join(f"{job}: {count}" for job, count in done.items()))
        return
    run_forever(rt, every)


if __name__ == "__main__":
    main()
