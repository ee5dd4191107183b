"""doctors.erased_at: when a doctor was anonymised (PIPL erase)

Revision ID: c5e8f1a2b3d4
Revises: a7c3e1d20b13
Create Date: 2026-11-29 10:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c5e8f1a2b3d4'
down_revision = 'a7c3e1d20b13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('doctors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('doctors', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
