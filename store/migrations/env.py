"""Alembic runs with a connection handed to it by `store.db.upgrade`, or, from the
`alembic` command line, with `DATABASE_URL`."""

import os

from alembic import context
from sqlmodel import SQLModel

from store import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from store.db import make_engine

target_metadata = SQLModel.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with make_engine(os.environ["DATABASE_URL"]).begin() as fresh_connection:
        _run(fresh_connection)
