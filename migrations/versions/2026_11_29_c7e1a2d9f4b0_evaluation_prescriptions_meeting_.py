"""evaluation: prescriptions, meeting product, checklist at start, actual total,
overspend reason; a pool may be overspent by a summary

Revision ID: c7e1a2d9f4b0
Revises: bfbc0992c035
Create Date: 2026-11-29 09:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7e1a2d9f4b0'
down_revision = 'bfbc0992c035'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'prescriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('doctor_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('product', sa.String(length=80), nullable=False),
        sa.Column('boxes', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('boxes >= 0', name=op.f('ck_prescriptions_boxes_not_negative')),
        sa.ForeignKeyConstraint(['doctor_id'], ['doctors.id'],
                                name=op.f('fk_prescriptions_doctor_id_doctors'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_prescriptions')),
        sa.UniqueConstraint('doctor_id', 'month', 'product',
                            name=op.f('uq_prescriptions_doctor_id_month_product')),
    )

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('product', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('checklist_items_at_start', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checklist_ticked_at_start', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('actual_total', sa.Numeric(precision=14, scale=2), nullable=True))

    with op.batch_alter_table('summaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overspend_reason', sa.Text(), nullable=True))

    # A summary's actual spend settles the pool and may take it past its amount.
    with op.batch_alter_table('budget_pools', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_budget_pools_within_amount'), type_='check')
        batch_op.create_check_constraint(op.f('ck_budget_pools_spent_not_negative'), 'spent >= 0')

    # Meetings summarised before this release: their actual total, as the
    # summary's spend lines say, and their pools settled (SPEC §3) to match.
    op.execute(
        "UPDATE meetings SET actual_total = (SELECT COALESCE(SUM(l.amount), 0) "
        "FROM summaries s LEFT JOIN summary_spend_lines l ON l.summary_id = s.id "
        "WHERE s.meeting_id = meetings.id) "
        "WHERE EXISTS (SELECT 1 FROM summaries s WHERE s.meeting_id = meetings.id)")
    op.execute(
        "UPDATE budget_pools SET spent = spent + (SELECT COALESCE(SUM(m.actual_total - m.drawn_amount), 0) "
        "FROM meetings m WHERE m.drawn_pool_id = budget_pools.id "
        "AND m.actual_total IS NOT NULL AND m.drawn_amount IS NOT NULL)")


def downgrade():
    with op.batch_alter_table('budget_pools', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_budget_pools_spent_not_negative'), type_='check')
        batch_op.create_check_constraint(op.f('ck_budget_pools_within_amount'),
                                         'spent >= 0 AND spent <= amount')
    with op.batch_alter_table('summaries', schema=None) as batch_op:
        batch_op.drop_column('overspend_reason')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('actual_total')
        batch_op.drop_column('checklist_ticked_at_start')
        batch_op.drop_column('checklist_items_at_start')
        batch_op.drop_column('product')
    op.drop_table('prescriptions')
