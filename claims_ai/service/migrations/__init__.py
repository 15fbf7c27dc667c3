"""Alembic migrations of the claims service schema (see ``claims_ai.service.db.migrate``)."""
