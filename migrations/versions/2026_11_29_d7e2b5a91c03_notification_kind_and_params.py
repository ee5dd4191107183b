"""notifications: a message kind and its parameters, put into words when read

Revision ID: d7e2b5a91c03
Revises: 4548ec011c45
Create Date: 2026-11-29 10:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd7e2b5a91c03'
down_revision = '4548ec011c45'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('params')
        batch_op.drop_column('kind')
