"""The action log refuses TRUNCATE too (PostgreSQL)

Revision ID: d3a91f6c27e4
Revises: 5d1e0c4b7a92
Create Date: 2026-12-07 02:30:00

The row trigger refuses UPDATE and DELETE; TRUNCATE fires no row trigger, so
a statement trigger refuses it. A deliberate reset (the demo's --reset, the
test suite) sets `meetings.action_log_truncate = 'allowed'` for its
transaction first. The service itself runs as a role that has no TRUNCATE,
UPDATE or DELETE on the log at all (`flask grant-app-role`, docs/operations.md).
"""
from alembic import op

revision = 'd3a91f6c27e4'
down_revision = '5d1e0c4b7a92'
branch_labels = None
depends_on = None

NO_TRUNCATE = """
CREATE OR REPLACE FUNCTION action_log_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('meetings.action_log_truncate', true) = 'allowed' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING MESSAGE = 'action_log is append-only: TRUNCATE refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER action_log_no_truncate BEFORE TRUNCATE ON action_log
    FOR EACH STATEMENT EXECUTE FUNCTION action_log_no_truncate();
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NO_TRUNCATE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS action_log_no_truncate ON action_log")
        op.execute("DROP FUNCTION IF EXISTS action_log_no_truncate()")
