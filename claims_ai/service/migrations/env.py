"""Alembic environment. Run through ``claims_ai.service.db.migrate`` (``claims-ai db upgrade``), which passes
the connection in ``config.attributes["connection"]``; no alembic.ini is needed."""

from __future__ import annotations

from alembic import context

from claims_ai.service.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations with `claims-ai db upgrade`; it passes the database connection in.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
