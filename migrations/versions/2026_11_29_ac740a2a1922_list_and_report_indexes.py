"""indexes for the lists and reports (issue 14 item 8; docs/performance.md)

What EXPLAIN (ANALYZE) showed at 20,000 meetings on PostgreSQL: a doctor's
meetings (annual cap, doctor page, spend) read every invitee; the province's
and a rep's meeting lists sorted all their meetings for a page of 50; open
tasks past due were found through a status index and filtered; a reader's
notifications and the province's hospitals, departments and doctors had no
index to start from. The composite indexes replace the single-column ones
they begin with (created first, so a running service always has one).

Revision ID: ac740a2a1922
Revises: c41e7d2a9b15
Create Date: 2026-11-29 13:17:36

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'ac740a2a1922'
down_revision = 'c41e7d2a9b15'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitees_doctor_id'), ['doctor_id'], unique=False)

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index('ix_meetings_owner_id_starts_at', ['owner_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_meetings_province_id_starts_at', ['province_id', 'starts_at'], unique=False)
        batch_op.drop_index(batch_op.f('ix_meetings_owner_id'))
        batch_op.drop_index(batch_op.f('ix_meetings_province_id'))

    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.create_index('ix_followups_assignee_id_due_on', ['assignee_id', 'due_on'], unique=False)
        batch_op.create_index('ix_followups_status_due_on', ['status', 'due_on'], unique=False)
        batch_op.drop_index(batch_op.f('ix_followups_assignee_id'))
        batch_op.drop_index(batch_op.f('ix_followups_status'))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_id_created_at', ['user_id', 'created_at'], unique=False)
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))

    with op.batch_alter_table('hospitals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospitals_province_id'), ['province_id'], unique=False)

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_departments_hospital_id'), ['hospital_id'], unique=False)

    with op.batch_alter_table('doctors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doctors_department_id'), ['department_id'], unique=False)


def downgrade():
    with op.batch_alter_table('doctors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doctors_department_id'))

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_departments_hospital_id'))

    with op.batch_alter_table('hospitals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hospitals_province_id'))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)
        batch_op.drop_index('ix_notifications_user_id_created_at')

    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followups_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_followups_assignee_id'), ['assignee_id'], unique=False)
        batch_op.drop_index('ix_followups_status_due_on')
        batch_op.drop_index('ix_followups_assignee_id_due_on')

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_owner_id'), ['owner_id'], unique=False)
        batch_op.drop_index('ix_meetings_province_id_starts_at')
        batch_op.drop_index('ix_meetings_owner_id_starts_at')

    with op.batch_alter_table('invitees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitees_doctor_id'))
