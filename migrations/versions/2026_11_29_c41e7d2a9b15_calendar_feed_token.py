"""calendar feed token on the user

Revision ID: c41e7d2a9b15
Revises: d7e2b5a91c03
Create Date: 2026-11-29 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c41e7d2a9b15'
down_revision = 'd7e2b5a91c03'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_calendar_token'), ['calendar_token'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_calendar_token'), type_='unique')
        batch_op.drop_column('calendar_token')
