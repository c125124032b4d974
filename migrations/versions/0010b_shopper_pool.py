"""the shopper pool: wave rules, the visit board, certifications, the rejection reason code

Revision ID: 0010b
Revises: 0010
Create Date: 2026-12-01 20:54:17
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db_types
import app.money.amounts

revision: str = '0010b'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('wave_rules',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('revisit_days', sa.Integer(), nullable=True),
    sa.Column('max_visits', sa.Integer(), nullable=True),
    sa.Column('certification_required', sa.Boolean(), nullable=False),
    sa.Column('updated_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_wave_rules_wave_id_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', name=op.f('pk_wave_rules'))
    )
    op.create_table('certifications',
    sa.Column('shopper_id', sa.Integer(), nullable=False),
    sa.Column('checklist_id', sa.Integer(), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('certified_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certified_by_id'], ['users.id'], name=op.f('fk_certifications_certified_by_id_users')),
    sa.ForeignKeyConstraint(['checklist_id'], ['checklists.id'], name=op.f('fk_certifications_checklist_id_checklists'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shopper_id'], ['users.id'], name=op.f('fk_certifications_shopper_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('shopper_id', 'checklist_id', name=op.f('pk_certifications'))
    )
    op.create_table('board_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('checklist_id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=True),
    sa.Column('window_start', sa.Date(), nullable=True),
    sa.Column('window_end', sa.Date(), nullable=True),
    sa.Column('fee', app.money.amounts.Money(precision=12, scale=2), nullable=True),
    sa.Column('reimbursement_limit', app.money.amounts.Money(precision=12, scale=2), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', app.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_board_visits_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['checklist_id'], ['checklists.id'], name=op.f('fk_board_visits_checklist_id_checklists')),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['users.id'], name=op.f('fk_board_visits_claimed_by_id_users')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_board_visits_clinic_id_clinics')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_board_visits_published_by_id_users')),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenarios.id'], name=op.f('fk_board_visits_scenario_id_scenarios')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_board_visits_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_visits')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_board_visits_assignment_id'))
    )
    with op.batch_alter_table('board_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_visits_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_visits_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_visits_wave_id'), ['wave_id'], unique=False)

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('reason_code')

    with op.batch_alter_table('board_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_visits_wave_id'))
        batch_op.drop_index(batch_op.f('ix_board_visits_status'))
        batch_op.drop_index(batch_op.f('ix_board_visits_clinic_id'))

    op.drop_table('board_visits')
    op.drop_table('certifications')
    op.drop_table('wave_rules')
