"""summary: the written reason for spending above the approved total (SPEC §3)

Revision ID: c3a1f0e2d9b4
Revises: bfbc0992c035
Create Date: 2026-11-29 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3a1f0e2d9b4'
down_revision = 'bfbc0992c035'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('summaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overspend_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('summaries', schema=None) as batch_op:
        batch_op.drop_column('overspend_reason')
