"""users.whole_network: a director's access to the whole network is an explicit flag

Until now a director with neither regions nor clinics saw every clinic. From this revision on such a
director sees nothing (scope fails closed) unless `whole_network` is set. So that the upgrade takes
nobody's access away, the data step sets the flag for every existing director who has no
director_regions and no director_clinics rows: they keep seeing the whole network, as an explicit
choice an administrator can now clear. Directors created after the upgrade start without it.
Downgrading drops the column; the old rule (no rows = everything) then gives the flagged directors
the same access again. It refuses while a director has neither the flag nor a region or clinic: under
the old rule that director, who sees nothing now, would see the whole network.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 01:15:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | Sequence[str] | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (the server default fills existing rows). Not batch mode: on SQLite that
    # would copy and drop `users`, and the drop cascades into director_regions, sessions and tokens.
    op.add_column('users', sa.Column('whole_network', sa.Boolean(), nullable=False, server_default=sa.false()))
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('role', sa.String()),
                     sa.column('whole_network', sa.Boolean()))
    regions = sa.table('director_regions', sa.column('user_id', sa.Integer()))
    clinics = sa.table('director_clinics', sa.column('user_id', sa.Integer()))
    op.execute(users.update()
               .where(users.c.role == 'director')
               .where(~sa.exists().where(regions.c.user_id == users.c.id))
               .where(~sa.exists().where(clinics.c.user_id == users.c.id))
               .values(whole_network=True))


def downgrade() -> None:
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('role', sa.String()),
                     sa.column('whole_network', sa.Boolean()))
    regions = sa.table('director_regions', sa.column('user_id', sa.Integer()))
    clinics = sa.table('director_clinics', sa.column('user_id', sa.Integer()))
    closed = op.get_bind().execute(
        sa.select(sa.func.count()).select_from(users)
        .where(users.c.role == 'director', sa.not_(users.c.whole_network))
        .where(~sa.exists().where(regions.c.user_id == users.c.id))
        .where(~sa.exists().where(clinics.c.user_id == users.c.id))).scalar_one()
    if closed:
        raise RuntimeError(f"{closed} director(s) see no clinic now and would see the whole network after this "
                           "downgrade: give each a region, a clinic or the whole-network flag first")
    # Not batch mode, as in upgrade(): SQLite (3.35+) drops the column in place; a copy-and-drop of
    # `users` would cascade into director_regions, sessions and tokens.
    op.drop_column('users', 'whole_network')
