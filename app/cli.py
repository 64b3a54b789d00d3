"""The ``muster`` command: migrate, load the demo, create users and API tokens."""

from typing import Annotated

import typer
from sqlmodel import Session

from app.accounts import service as accounts
from app.audit.service import Actor
from app.config import get_settings
from app.db import get_engine
from app.enums import Role
from app.errors import AppError

cli = typer.Typer(help="Muster: positive-action outreach event planner.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
cli.add_typer(db_cli, name="db")

CLI_ACTOR = Actor(user_id=None, label="muster CLI", role="admin")


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


@db_cli.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database to the latest schema (or REVISION)."""
    from app import migrate

    migrate.upgrade(get_settings().database_url, revision)
    typer.echo(f"database at {revision}")


@db_cli.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Migrate the database back to REVISION ('base' empties it)."""
    from app import migrate

    migrate.downgrade(get_settings().database_url, revision)
    typer.echo(f"database at {revision}")


@cli.command()
def demo(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the database has data")
    ] = False,
) -> None:
    """Load the demo force (East Lancashire job centres and more) into an empty database."""
    from app import demo as demo_data

    with Session(get_engine(), expire_on_commit=False) as session:
        if not demo_data.is_empty(session):
            if if_empty:
                typer.echo("The database already has data (demo not reloaded). Demo sign-ins, if it")
                typer.echo(f"holds the demo: sergeant@muster.example, password {demo_data.DEMO_PASSWORD}")
                return
            _fail("the database already has data; the demo loads only into an empty one")
        logins = demo_data.load(session)
    typer.echo("Demo data loaded. Sign in at /login with any of these (password below):")
    typer.echo(f"  administrator   {logins.admin}")
    typer.echo(f"  coordinator     {logins.coordinator}")
    typer.echo(f"  staff member    {logins.staff}")
    typer.echo(f"  venue partner   {logins.partner}")
    typer.echo(f"  password        {logins.password}")


@cli.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="Sign-in e-mail")],
    role: Annotated[Role, typer.Option(help="admin, coordinator, staff or partner")],
    password: Annotated[
        str | None, typer.Option(help="At least 10 characters; asked for when left out")
    ] = None,
    person_id: Annotated[int | None, typer.Option("--person-id", help="The person a staff user is")] = None,
    venue_id: Annotated[
        list[int] | None, typer.Option("--venue-id", help="A partner's venue (repeatable)")
    ] = None,
    full_name: Annotated[str, typer.Option("--name", help="Display name")] = "",
) -> None:
    """Create a sign-in."""
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            user = accounts.create_user(
                session=session,
                actor=CLI_ACTOR,
                email=email,
                password=password,
                role=role,
                full_name=full_name,
                person_id=person_id,
                venue_ids=venue_id or [],
            )
        except AppError as exc:
            _fail(exc.detail)
            return
    typer.echo(f"user {user.email} ({user.role}) created with id {user.id}")


@cli.command("create-token")
def create_token(
    email: Annotated[str, typer.Option(help="Whose token")],
    name: Annotated[str, typer.Option(help="What the token is for")] = "",
    days: Annotated[
        int | None, typer.Option(help="How many days it works (default MUSTER_API_TOKEN_DAYS, at most 365)")
    ] = None,
) -> None:
    """Create an API token; it is printed once, alone on the last line, and never stored."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            token = accounts.create_api_token(
                session=session, actor=CLI_ACTOR, email=email, name=name, expires_in_days=days
            )
        except AppError as exc:
            _fail(exc.detail)
            return
    typer.echo(f"API token for {email.strip().lower()} (shown once; use as 'Authorization: Bearer <token>'):")
    typer.echo(token)


@cli.command("revoke-token")
def revoke_token(
    token_id: Annotated[
        int | None, typer.Option("--id", help="The token's id (see /account or the API)")
    ] = None,
    email: Annotated[str | None, typer.Option(help="Revoke every token of this user")] = None,
) -> None:
    """Revoke one API token (--id) or all of a user's (--email): they stop working at once."""
    if (token_id is None) == (email is None):
        _fail("give either --id N (one token) or --email E (all of a user's tokens)")
        return
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            if token_id is not None:
                row = accounts.revoke_api_token(session=session, actor=CLI_ACTOR, token_id=token_id)
                owner = accounts.get_user(session=session, user_id=row.user_id)
                typer.echo(f"API token {token_id} ({row.name or 'no name'}) of {owner.email} is revoked")
                return
            assert email is not None
            user = accounts.get_by_email(session=session, email=email)
            if user is None or user.id is None:
                _fail(f"no user with e-mail {accounts.normalise_email(email)}")
                return
            count = accounts.revoke_api_tokens(session=session, actor=CLI_ACTOR, user_id=user.id)
        except AppError as exc:
            _fail(exc.detail)
            return
    typer.echo(f"{count} API token(s) of {user.email} revoked")


@cli.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Do everything that is due, then stop")] = False,
    batch: Annotated[int, typer.Option(help="Messages claimed at a time", min=1, max=1000)] = 50,
) -> None:
    """Run the background worker: send e-mails, reminders and digests, run queued jobs.

    Run one alongside the web server (``make run`` does); more may run anywhere with the
    same database. Ctrl-C or SIGTERM stops it after the message in hand.
    """
    import logging
    import signal
    import threading

    from app.worker.runner import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    runner = Worker(batch_size=batch)
    if once:
        turns = runner.drain()
        typer.echo(
            f"worker {runner.worker_id}: {runner.sent} message(s) sent or kept, {runner.jobs_run} job(s) in {turns} turn(s)"
        )
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if not get_settings().smtp_url:
        typer.echo("MUSTER_SMTP_URL is not set: messages are kept in the outbox (/admin/outbox), not sent.")
    runner.run(stop)


def main() -> None:
    from app import tracking

    tracking.install()
    cli()


if __name__ == "__main__":
    main()
