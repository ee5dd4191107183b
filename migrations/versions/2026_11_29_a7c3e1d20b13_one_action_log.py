"""One append-only action log: audit_entries and transitions move into action_log

Revision ID: a7c3e1d20b13
Revises: c7e1a2d9f4b0
Create Date: 2026-11-29 09:50:00

Every old row is kept, in time order: a transition becomes an entry about its
meeting (before {status}, after {status, comment}); an audit entry keeps its
detail as `after`. The backup-promotion comments named doctors: the log holds
ids only (SPEC §11), so those comments are dropped. On PostgreSQL a trigger
refuses UPDATE and DELETE on the new table.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = 'a7c3e1d20b13'
down_revision = 'c7e1a2d9f4b0'
branch_labels = None
depends_on = None

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION action_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'action_log is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER action_log_append_only BEFORE UPDATE OR DELETE ON action_log
    FOR EACH ROW EXECUTE FUNCTION action_log_append_only();
"""

OBJECT_TYPES = {"budget_pool": "budget"}  # SPEC §10 names


def _action_log():
    return sa.table("action_log", sa.column("id", sa.Integer()), sa.column("at", sa.DateTime()), sa.column("actor_id", sa.Integer()),
                    sa.column("action", sa.String()), sa.column("object_type", sa.String()),
                    sa.column("object_id", sa.Integer()), sa.column("before", sa.JSON(none_as_null=True)),
                    sa.column("after", sa.JSON(none_as_null=True)))


def upgrade():
    op.create_table('action_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_action_log_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_log'))
    )
    with op.batch_alter_table('action_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_action_log_object', ['object_type', 'object_id'], unique=False)

    conn = op.get_bind()
    rows = []
    # typed columns: SQLite hands back dates as text otherwise
    old_transitions = sa.table("transitions", sa.column("id", sa.Integer()), sa.column("meeting_id", sa.Integer()),
                               sa.column("action", sa.String()), sa.column("from_status", sa.String()),
                               sa.column("to_status", sa.String()), sa.column("actor_id", sa.Integer()),
                               sa.column("at", sa.DateTime()), sa.column("comment", sa.Text()))
    old_audit = sa.table("audit_entries", sa.column("id", sa.Integer()), sa.column("entity", sa.String()),
                         sa.column("entity_id", sa.Integer()), sa.column("action", sa.String()),
                         sa.column("actor_id", sa.Integer()), sa.column("at", sa.DateTime()),
                         sa.column("detail", sa.Text()))
    for r in conn.execute(sa.select(old_transitions).order_by(old_transitions.c.id)):
        after = {"status": r.to_status}
        if r.comment and r.action != "promote_backup":  # those named doctors
            after["comment"] = r.comment
        rows.append(dict(at=r.at, actor_id=r.actor_id, action=r.action, object_type="meeting",
                         object_id=r.meeting_id, before={"status": r.from_status}, after=after))
    for r in conn.execute(sa.select(old_audit).order_by(old_audit.c.id)):
        rows.append(dict(at=r.at, actor_id=r.actor_id, action=r.action,
                         object_type=OBJECT_TYPES.get(r.entity, r.entity), object_id=r.entity_id,
                         before=None, after=json.loads(r.detail or "{}") or None))
    rows.sort(key=lambda row: row["at"])  # stable: one history in time order
    if rows:
        op.bulk_insert(_action_log(), rows)

    with op.batch_alter_table('transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transitions_meeting_id'))
    op.drop_table('transitions')
    op.drop_table('audit_entries')
    if conn.dialect.name == "postgresql":
        op.execute(APPEND_ONLY)


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS action_log_append_only ON action_log")
        op.execute("DROP FUNCTION IF EXISTS action_log_append_only()")
    statuses = ('draft', 'submitted', 'pending_regional', 'approved', 'rejected', 'cancelled',
                'in_progress', 'held', 'summarized', 'closed')
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    op.create_table('transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_status', sa.Enum(*statuses, name='status', native_enum=False, length=32), nullable=False),
    sa.Column('to_status', sa.Enum(*statuses, name='status', native_enum=False, length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_transitions_actor_id_users')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_transitions_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transitions'))
    )
    with op.batch_alter_table('transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transitions_meeting_id'), ['meeting_id'], unique=False)
    transitions = sa.table("transitions", sa.column("meeting_id"), sa.column("action"), sa.column("from_status"),
                           sa.column("to_status"), sa.column("actor_id"), sa.column("at"), sa.column("comment"))
    audit = sa.table("audit_entries", sa.column("entity"), sa.column("entity_id"), sa.column("action"),
                     sa.column("actor_id"), sa.column("at"), sa.column("detail"))
    log = _action_log()
    for r in conn.execute(sa.select(log).order_by(log.c.id)):
        before, after = r.before or {}, r.after or {}
        if r.object_type == "meeting" and "status" in after:
            conn.execute(transitions.insert().values(
                meeting_id=r.object_id, action=r.action, from_status=before.get("status", after["status"]),
                to_status=after["status"], actor_id=r.actor_id, at=r.at, comment=after.get("comment")))
        elif r.object_id is not None:
            entity = {v: k for k, v in OBJECT_TYPES.items()}.get(r.object_type, r.object_type)
            conn.execute(audit.insert().values(entity=entity, entity_id=r.object_id, action=r.action,
                                               actor_id=r.actor_id, at=r.at,
                                               detail=json.dumps(after, ensure_ascii=False)))
    with op.batch_alter_table('action_log', schema=None) as batch_op:
        batch_op.drop_index('ix_action_log_object')
        batch_op.drop_index(batch_op.f('ix_action_log_at'))
        batch_op.drop_index(batch_op.f('ix_action_log_actor_id'))
        batch_op.drop_index(batch_op.f('ix_action_log_action'))
    op.drop_table('action_log')
