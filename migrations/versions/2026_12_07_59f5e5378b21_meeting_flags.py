"""compliance flags on meetings (SPEC §12)

Revision ID: 59f5e5378b21
Revises: d3a91f6c27e4
Create Date: 2026-12-07 02:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '59f5e5378b21'
down_revision = 'd3a91f6c27e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'meeting_flags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('raised_by_id', sa.Integer(), nullable=False),
        sa.Column('raised_at', sa.DateTime(), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_flags_meeting_id_meetings'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_meeting_flags_raised_by_id_users')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_meeting_flags_answered_by_id_users')),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_meeting_flags_resolved_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_flags')),
    )
    op.create_index('ix_meeting_flags_meeting_id_resolved_at', 'meeting_flags', ['meeting_id', 'resolved_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_meeting_flags_meeting_id_resolved_at', table_name='meeting_flags')
    op.drop_table('meeting_flags')
