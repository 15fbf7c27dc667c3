"""claims: who files the claim (self, spouse, parent, child, other)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable and without a default: claims stored before this revision did not say who filed them.
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("claimant", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("claimant")
