"""fraud duplicate index: page hashes with indexed bands, invoice keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "fraud_page_hashes",
        sa.Column("id", _SERIAL, autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("claim_id", sa.String(length=100), nullable=False),
        sa.Column("member_id", sa.String(length=100), nullable=True),
        sa.Column("document_id", sa.String(length=100), nullable=True),
        sa.Column("file", sa.String(length=300), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("region_hash", sa.BigInteger(), nullable=False),
        sa.Column("page_hash", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_page_hashes")),
    )
    with op.batch_alter_table("fraud_page_hashes", schema=None) as batch_op:
        batch_op.create_index("ix_fraud_page_hashes_claim", ["tenant", "claim_id"], unique=False)

    op.create_table(
        "fraud_page_bands",
        sa.Column("page_hash_id", _SERIAL, nullable=False),
        sa.Column("band_key", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_hash_id"],
            ["fraud_page_hashes.id"],
            name=op.f("fk_fraud_page_bands_page_hash_id_fraud_page_hashes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("page_hash_id", "band_key", name=op.f("pk_fraud_page_bands")),
    )
    with op.batch_alter_table("fraud_page_bands", schema=None) as batch_op:
        batch_op.create_index("ix_fraud_page_bands_key", ["tenant", "band_key"], unique=False)

    op.create_table(
        "fraud_invoice_keys",
        sa.Column("id", _SERIAL, autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("claim_id", sa.String(length=100), nullable=False),
        sa.Column("member_id", sa.String(length=100), nullable=True),
        sa.Column("document_id", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("digest", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_invoice_keys")),
    )
    with op.batch_alter_table("fraud_invoice_keys", schema=None) as batch_op:
        batch_op.create_index("ix_fraud_invoice_keys_claim", ["tenant", "claim_id"], unique=False)
        batch_op.create_index("ix_fraud_invoice_keys_digest", ["tenant", "digest"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fraud_invoice_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_fraud_invoice_keys_digest")
        batch_op.drop_index("ix_fraud_invoice_keys_claim")
    op.drop_table("fraud_invoice_keys")
    with op.batch_alter_table("fraud_page_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_fraud_page_bands_key")
    op.drop_table("fraud_page_bands")
    with op.batch_alter_table("fraud_page_hashes", schema=None) as batch_op:
        batch_op.drop_index("ix_fraud_page_hashes_claim")
    op.drop_table("fraud_page_hashes")
