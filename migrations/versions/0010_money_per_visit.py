"""money per visit: fee defaults per wave, visit terms, receipts, the ledger, payout batches

Amounts are app.money.amounts.Money: NUMERIC(12, 2) on PostgreSQL, integer cents on SQLite.

Revision ID: 0010
Revises: 0009b
Create Date: 2026-12-01 20:54:17
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db_types
import app.money.amounts

revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('wave_money',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('fee', app.money.amounts.Money(precision=12, scale=2), nullable=False),
    sa.Column('reimbursement_limit', app.money.amounts.Money(precision=12, scale=2), nullable=False),
    sa.Column('updated_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_wave_money_wave_id_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', name=op.f('pk_wave_money'))
    )
    op.create_table('payouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('up_to', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('total', app.money.amounts.Money(precision=12, scale=2), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('exported_at', app.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('exported_by_id', sa.Integer(), nullable=True),
    sa.Column('paid_at', app.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paid_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_payouts_created_by_id_users')),
    sa.ForeignKeyConstraint(['exported_by_id'], ['users.id'], name=op.f('fk_payouts_exported_by_id_users')),
    sa.ForeignKeyConstraint(['paid_by_id'], ['users.id'], name=op.f('fk_payouts_paid_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payouts'))
    )
    op.create_table('visit_terms',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('fee', app.money.amounts.Money(precision=12, scale=2), nullable=True),
    sa.Column('reimbursement_limit', app.money.amounts.Money(precision=12, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_visit_terms_assignment_id_assignments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assignment_id', name=op.f('pk_visit_terms'))
    )
    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shopper_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=True),
    sa.Column('visit_audit_id', sa.Integer(), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('fee', app.money.amounts.Money(precision=12, scale=2), nullable=False),
    sa.Column('reimbursement', app.money.amounts.Money(precision=12, scale=2), nullable=False),
    sa.Column('amount', app.money.amounts.Money(precision=12, scale=2), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('payout_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_ledger_entries_audit_id_audits')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ledger_entries_created_by_id_users')),
    sa.ForeignKeyConstraint(['payout_id'], ['payouts.id'], name=op.f('fk_ledger_entries_payout_id_payouts')),
    sa.ForeignKeyConstraint(['reverses_id'], ['ledger_entries.id'], name=op.f('fk_ledger_entries_reverses_id_ledger_entries')),
    sa.ForeignKeyConstraint(['shopper_id'], ['users.id'], name=op.f('fk_ledger_entries_shopper_id_users')),
    sa.ForeignKeyConstraint(['visit_audit_id'], ['audits.id'], name=op.f('fk_ledger_entries_visit_audit_id_audits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_ledger_entries_reverses_id')),
    sa.UniqueConstraint('visit_audit_id', name=op.f('uq_ledger_entries_visit_audit_id'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index('ix_ledger_entries_payable', ['status', 'approved_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_payout_id'), ['payout_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_shopper_id'), ['shopper_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_status'), ['status'], unique=False)

    op.create_table('receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('amount_paid', app.money.amounts.Money(precision=12, scale=2), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('reimbursed', app.money.amounts.Money(precision=12, scale=2), nullable=True),
    sa.Column('over_limit', sa.Boolean(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', app.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_receipts_audit_id_audits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_receipts_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts')),
    sa.UniqueConstraint('audit_id', name=op.f('uq_receipts_audit_id')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_receipts_stored_name'))
    )


def downgrade() -> None:
    op.drop_table('receipts')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_status'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_shopper_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_payout_id'))
        batch_op.drop_index('ix_ledger_entries_payable')
        batch_op.drop_index(batch_op.f('ix_ledger_entries_audit_id'))

    op.drop_table('ledger_entries')
    op.drop_table('visit_terms')
    op.drop_table('payouts')
    op.drop_table('wave_money')
