"""attachments of a meeting (SPEC §12): receipts, photos, sign-in scans

Metadata only; the bodies live in the file store (FILES_URL) under their
SHA-256. One live receipt per invoice number, in any meeting: a partial
unique index (kind = 'receipt' and not voided), on SQLite and PostgreSQL.

Revision ID: e5a1c0f7b241
Revises: 59f5e5378b21
Create Date: 2026-12-07 02:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a1c0f7b241'
down_revision = '59f5e5378b21'
branch_labels = None
depends_on = None

LIVE_RECEIPT = "kind = 'receipt' AND voided_at IS NULL"


def upgrade():
    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('receipt', 'photo', 'signin_scan', 'material_used', 'other',
                                  name='attachmentkind', native_enum=False, length=32), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('taken_at', sa.DateTime(), nullable=True),
        sa.Column('category', sa.Enum('gifts', 'meals', 'materials', 'venue', 'speaker_fee', 'other',
                                      name='budgetcategory', native_enum=False, length=32), nullable=True),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('invoice_no', sa.String(length=40), nullable=True),
        sa.Column('issued_on', sa.Date(), nullable=True),
        sa.Column('late_reason', sa.String(length=500), nullable=True),
        sa.Column('voided_at', sa.DateTime(), nullable=True),
        sa.Column('voided_by_id', sa.Integer(), nullable=True),
        sa.Column('void_reason', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['voided_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_sha256'), ['sha256'], unique=False)
        batch_op.create_index('uq_attachments_invoice_no_live', ['invoice_no'], unique=True,
                              sqlite_where=sa.text(LIVE_RECEIPT), postgresql_where=sa.text(LIVE_RECEIPT))


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index('uq_attachments_invoice_no_live', sqlite_where=sa.text(LIVE_RECEIPT),
                            postgresql_where=sa.text(LIVE_RECEIPT))
        batch_op.drop_index(batch_op.f('ix_attachments_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachments_meeting_id'))
    op.drop_table('attachments')
