"""one checklist draft per author and checklist

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DRAFTS = sa.text("status = 'draft'")


def upgrade() -> None:
    # Drafts a race opened twice before this index existed: keep the newest of each author's.
    op.execute(sa.text(
        "DELETE FROM checklist_versions WHERE status = 'draft' AND id NOT IN ("
        "SELECT MAX(id) FROM checklist_versions WHERE status = 'draft' GROUP BY checklist_id, created_by_id)"))
    op.create_index('uq_checklist_versions_one_draft', 'checklist_versions', ['checklist_id', 'created_by_id'],
                    unique=True, sqlite_where=DRAFTS, postgresql_where=DRAFTS)


def downgrade() -> None:
    op.drop_index('uq_checklist_versions_one_draft', table_name='checklist_versions')
