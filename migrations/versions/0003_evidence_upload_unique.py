"""one evidence row per audit and client_upload_id

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows a race stored twice before this constraint existed: keep the first of each upload.
    op.execute(sa.text(
        "DELETE FROM evidence WHERE client_upload_id IS NOT NULL AND id NOT IN ("
        "SELECT MIN(id) FROM evidence WHERE client_upload_id IS NOT NULL "
        "GROUP BY audit_id, client_upload_id)"))
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_evidence_audit_id_client_upload_id'),
                                          ['audit_id', 'client_upload_id'])


def downgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_evidence_audit_id_client_upload_id'), type_='unique')
