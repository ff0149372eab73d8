"""`flask --app bot crm …` commands for operators, and `flask --app bot chat`."""

import click
from flask import Flask
from flask.cli import AppGroup

from bot import database

crm = AppGroup("crm", help="Operate the CRM WhatsApp service.")
db_group = AppGroup("db", help="The database schema.")
crm.add_command(db_group)


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (the Procfile's release step)."""
    from store.db import upgrade

    upgrade(database.engine())
    click.echo("database is up to date")


@crm.command("worker")
def worker() -> None:
    """Run the scheduler process (the Procfile's worker)."""
    from flask import current_app

    from scheduler import run_worker

    run_worker(current_app._get_current_object())


def init_app(app: Flask) -> None:
    from bot.chat import chat

    app.cli.add_command(crm)
    app.cli.add_command(chat)
