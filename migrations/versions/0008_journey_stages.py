"""journey stages: a clinic's service blueprint per stage (backstage, supporting systems) and its owner

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-01 21:11:41
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db_types

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('journey_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('touchpoint_key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('backstage', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('systems', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('owner_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_journey_stages_clinic_id_clinics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_journey_stages_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journey_stages')),
    sa.UniqueConstraint('clinic_id', 'touchpoint_key', name=op.f('uq_journey_stages_clinic_id_touchpoint_key'))
    )
    with op.batch_alter_table('journey_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journey_stages_clinic_id'), ['clinic_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('journey_stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journey_stages_clinic_id'))

    op.drop_table('journey_stages')
