"""Alembic environment: runs on the connection ``access.db.migrate`` hands over."""

from alembic import context

from access.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
