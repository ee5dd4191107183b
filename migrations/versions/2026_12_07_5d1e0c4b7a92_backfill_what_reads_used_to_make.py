"""backfill what reads used to make: older meetings' default agenda and
checklist, older users' calendar-feed token (issue 23 item 1)

Pages and the API made these on first read (eight GET handlers marked
@read_writes), a data migration living forever in the read path. New
meetings get their defaults at creation (agenda.services.prepare on
meeting_created) and new users their token (auth.models.User.calendar_token's
default); this gives the older ones theirs once, so every GET only reads.

A meeting without any agenda segment is one older than agendas (an agenda is
never empty once made: agenda.services.check_plan): it gets the default agenda
and the default checklist, as agenda.services.prepare makes them. The titles
are written in Chinese, the UI's default language (a new meeting's are written
in its creator's). The data is spelled out here, not imported: a migration
must do the same thing whatever the code becomes.

Downgrade keeps the rows: they are ordinary data by then.

Revision ID: 5d1e0c4b7a92
Revises: ac740a2a1922
Create Date: 2026-12-07 02:10:00

"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d1e0c4b7a92'
down_revision = 'ac740a2a1922'
branch_labels = None
depends_on = None

# agenda.services.DEFAULT_AGENDA as of this revision: kind, title (zh), planned minutes
DEFAULT_AGENDA = (
    ("video", "企业视频与签到", 5),
    ("talk", "产品讲解", 15),
    ("quiz", "有奖问答", 5),
    ("chief_review", "科主任总结", 5),
    ("closing", "送礼与用餐", None),
)
# agenda.services.DEFAULT_CHECKLIST's keys as of this revision (labels are translated when shown)
DEFAULT_CHECKLIST = ("gifts", "chief_gift", "leaflets", "literature", "sign_in_sheets", "laptop_1",
                     "laptop_2", "projector", "screen", "laser_pointer", "adapter", "power_strip")
BATCH = 1000

meetings = sa.table("meetings", sa.column("id", sa.Integer))
segments = sa.table("agenda_segments", sa.column("meeting_id", sa.Integer), sa.column("position", sa.Integer),
                    sa.column("kind", sa.String), sa.column("title", sa.String),
                    sa.column("planned_minutes", sa.Integer))
checklist = sa.table("checklist_items", sa.column("meeting_id", sa.Integer), sa.column("position", sa.Integer),
                     sa.column("key", sa.String), sa.column("ticked", sa.Boolean))
users = sa.table("users", sa.column("id", sa.Integer), sa.column("calendar_token", sa.String))


def upgrade():
    bind = op.get_bind()
    without_agenda = sa.select(meetings.c.id).where(~sa.exists().where(segments.c.meeting_id == meetings.c.id))
    ids = bind.execute(without_agenda.order_by(meetings.c.id)).scalars().all()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        bind.execute(segments.insert(), [
            {"meeting_id": meeting_id, "position": i, "kind": kind, "title": title, "planned_minutes": minutes}
            for meeting_id in chunk for i, (kind, title, minutes) in enumerate(DEFAULT_AGENDA)])
        bind.execute(checklist.insert(), [
            {"meeting_id": meeting_id, "position": i, "key": key, "ticked": False}
            for meeting_id in chunk for i, key in enumerate(DEFAULT_CHECKLIST)])

    without_token = sa.select(users.c.id).where(users.c.calendar_token.is_(None)).order_by(users.c.id)
    for user_id in bind.execute(without_token).scalars().all():
        bind.execute(users.update().where(users.c.id == user_id)
                     .values(calendar_token=secrets.token_urlsafe(32)))


def downgrade():
    pass
