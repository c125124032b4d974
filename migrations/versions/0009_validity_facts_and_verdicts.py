"""validity: facts derived from each file at upload, and the verdict per audit

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 20:54:14
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db_types

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_validity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('submission_number', sa.Integer(), nullable=False),
    sa.Column('computed_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_validity_audit_id_audits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_validity')),
    sa.UniqueConstraint('audit_id', name=op.f('uq_audit_validity_audit_id'))
    )
    with op.batch_alter_table('audit_validity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_validity_verdict'), ['verdict'], unique=False)

    op.create_table('evidence_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', app.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('taken_at_zoned', sa.Boolean(), nullable=False),
    sa.Column('has_location', sa.Boolean(), nullable=False),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.Column('phash', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('created_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_evidence_facts_audit_id_audits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_facts_evidence_id_evidence'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_facts')),
    sa.UniqueConstraint('evidence_id', name=op.f('uq_evidence_facts_evidence_id'))
    )
    with op.batch_alter_table('evidence_facts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_facts_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_facts_phash'), ['phash'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evidence_facts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_facts_phash'))
        batch_op.drop_index(batch_op.f('ix_evidence_facts_audit_id'))
    op.drop_table('evidence_facts')
    with op.batch_alter_table('audit_validity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_validity_verdict'))
    op.drop_table('audit_validity')
