"""clinic time zones

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 01:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013'
down_revision: str | Sequence[str] | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL: the clinic keeps the network's zone (MP_DEFAULT_TIME_ZONE), as before this revision.
    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    # Not batch mode: on SQLite a copy-and-drop of `clinics` would cascade into director_clinics and
    # fail on the audits, assignments and actions that refer to it; SQLite 3.35+ drops a column in place.
    op.drop_column('clinics', 'time_zone')
