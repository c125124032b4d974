"""validity: per-wave rules (thresholds and severities) set by the QA lead

Revision ID: 0009b
Revises: 0009
Create Date: 2026-12-01 20:55:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db_types

revision: str = '0009b'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('validity_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_validity_rules_updated_by_id_users')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_validity_rules_wave_id_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_validity_rules')),
    sa.UniqueConstraint('wave_id', name=op.f('uq_validity_rules_wave_id'))
    )


def downgrade() -> None:
    op.drop_table('validity_rules')
