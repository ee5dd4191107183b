"""visits and upgrade plans (SPEC §15), where a question came from, and its resolution

visits: the routine visits of the reps. questions: `source` (summary,
chief_review, visit — those a follow-up visit raised are backfilled as
visit), `resolved`/`resolved_at` (asked at the next visit), `answer_round`
`evidence_note` (the rep's note when not), (each answer makes a relay task, "q:<id>:<round>" from the second on: the
unique key on (question_id, kind) gives way to (meeting, subject, kind),
which already held).

Revision ID: 21529006aa19
Revises: e5a1c0f7b241
Create Date: 2026-12-07 01:50:27.301532

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '21529006aa19'
down_revision = 'e5a1c0f7b241'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doctor_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('visited_at', sa.DateTime(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('key_message', sa.Text(), nullable=True),
    sa.Column('expected_objection', sa.Text(), nullable=True),
    sa.Column('next_step', sa.Text(), nullable=True),
    sa.Column('outcome', sa.Enum('committed', 'ambiguous', 'declined', 'none', name='visitoutcome', native_enum=False, length=32), nullable=False),
    sa.Column('stage', sa.Enum('unaware', 'aware', 'interested', 'trial', 'regular', 'advocate', name='stage', native_enum=False, length=32), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['doctor_id'], ['doctors.id'], name=op.f('fk_visits_doctor_id_doctors')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_visits_question_id_questions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], name=op.f('fk_visits_rep_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits'))
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_doctor_id_visited_at', ['doctor_id', 'visited_at'], unique=False)
        batch_op.create_index('ix_visits_rep_id_visited_at', ['rep_id', 'visited_at'], unique=False)

    op.create_table('upgrade_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doctor_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('approved', sa.Boolean(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_upgrade_plans_approved_by_id_users')),
    sa.ForeignKeyConstraint(['doctor_id'], ['doctors.id'], name=op.f('fk_upgrade_plans_doctor_id_doctors')),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], name=op.f('fk_upgrade_plans_rep_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_upgrade_plans'))
    )
    with op.batch_alter_table('upgrade_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_upgrade_plans_doctor_id'), ['doctor_id'], unique=False)
        batch_op.create_index('ix_upgrade_plans_rep_id_starts_on', ['rep_id', 'starts_on'], unique=False)

    op.create_table('upgrade_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['upgrade_plans.id'], name=op.f('fk_upgrade_activities_plan_id_upgrade_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_upgrade_activities'))
    )
    with op.batch_alter_table('upgrade_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_upgrade_activities_plan_id'), ['plan_id'], unique=False)

    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.create_index('ix_followups_question_id', ['question_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('uq_followups_question_id_kind'), type_='unique')

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Enum('summary', 'chief_review', 'visit', name='questionsource', native_enum=False, length=32), server_default='summary', nullable=False))
        batch_op.add_column(sa.Column('resolved', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('evidence_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('answer_round', sa.Integer(), server_default='0', nullable=False))

    op.execute("UPDATE questions SET answer_round = 1 WHERE status = 'answered'")
    op.execute("UPDATE questions SET source = 'visit' WHERE id IN "
               "(SELECT raised_question_id FROM followups WHERE raised_question_id IS NOT NULL)")


def downgrade():
    op.execute("UPDATE questions SET status = 'answered' WHERE status = 'needs_evidence'")
    op.execute("DELETE FROM followups WHERE kind = 'answer_relay' AND subject LIKE 'q:%:%'")
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('answer_round')
        batch_op.drop_column('evidence_note')
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('resolved')
        batch_op.drop_column('source')

    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_followups_question_id_kind'), ['question_id', 'kind'])
        batch_op.drop_index('ix_followups_question_id')

    op.drop_table('upgrade_activities')
    op.drop_table('upgrade_plans')

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_rep_id_visited_at')
        batch_op.drop_index('ix_visits_doctor_id_visited_at')

    op.drop_table('visits')
