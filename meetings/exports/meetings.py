"""The meeting list and a meeting's attendance (SPEC §9 Exports)."""
from __future__ import annotations

from typing import Iterator

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..checkin.models import CheckIn
from ..checkin.services import counted_checkins
from ..doctors.models import Department, Doctor, Hospital
from ..doctors.services import grade_of
from ..extensions import db
from ..orgs.models import Province
from ..proposals.models import BudgetLine, Meeting, Status
from ..proposals.services import search_meetings
from ..summary.models import SpendLine, Summary
from ..invitees.models import Invitee
from ..invitees.services import expected_clause
from ..types import local_date, to_local, utcnow
from ..labels import label
from .registry import Exporter, register

BATCH = 500  # rows fetched at a time (a server-side cursor on PostgreSQL)
# the words of the files' names (2026-12-08-降压新药沙龙-签到.xlsx) and of attendance
LIST_NAME, SIGN_IN_NAME = _l("Meeting list"), _l("sign-in (file name)")
CAME, STAYED_AWAY = _l("Came"), _l("Absent")
def _yes_no(value: bool) -> str:
    return str(_l("Yes") if value else _l("No"))


@register
class MeetingList(Exporter):
    """Every meeting the list shows with the same filters — not paged."""

    name = "meetings"
    object_type = "meeting"
    columns = (_l("Meeting no."), _l("Topic"), _l("Status"), _l("Starts"), _l("Hospital"),
               _l("Department"), _l("Province"), _l("Owner"), _l("Speaker"), _l("Venue"),
               _l("Expected attendees"), _l("Budget total (yuan)"), _l("Actual spend (yuan)"))
    kinds = (None, None, None, "datetime", None, None, None, None, None, None, "int", "money", "money")
    widths = (10, 36, 10, 0, 24, 12, 10, 12, 12, 20)

    def __init__(self, user: User, filters: dict):
        self.filters = filters
        self.today = local_date(utcnow())
        # the user's search as a statement now: the rows are read after the request
        self._ids = search_meetings(user, **filters).with_only_columns(Meeting.id).order_by(None)

    def detail(self) -> dict:
        # not the search text: it may be a doctor's name, which the log never holds
        return {key.rstrip("_"): getattr(value, "value", None) or str(value)
                for key, value in self.filters.items() if key != "q"}

    @property
    def display_name(self) -> str:
        return f"{self.today:%Y-%m-%d}-{LIST_NAME}"

    def _query(self):
        ids = self._ids
        owner, speaker = aliased(User), aliased(User)
        budget = (select(BudgetLine.meeting_id, func.sum(BudgetLine.amount).label("total"))
                  .where(BudgetLine.meeting_id.in_(ids)).group_by(BudgetLine.meeting_id).subquery())
        spend = (select(Summary.meeting_id, func.sum(SpendLine.amount).label("total"))
                 .join(SpendLine, SpendLine.summary_id == Summary.id)
                 .where(Summary.meeting_id.in_(ids)).group_by(Summary.meeting_id).subquery())
        return (select(Meeting.id, Meeting.topic, Meeting.status, Meeting.starts_at, Hospital.name,
                       Department.name, Province.name, owner.display_name, speaker.display_name,
                       Meeting.venue, Meeting.expected_attendees, budget.c.total, spend.c.total,
                       Summary.id)
                .join(Hospital, Hospital.id == Meeting.hospital_id)
                .join(Department, Department.id == Meeting.department_id)
                .join(Province, Province.id == Meeting.province_id)
                .join(owner, owner.id == Meeting.owner_id)
                .outerjoin(speaker, speaker.id == Meeting.speaker_id)
                .outerjoin(budget, budget.c.meeting_id == Meeting.id)
                .outerjoin(Summary, Summary.meeting_id == Meeting.id)
                .outerjoin(spend, spend.c.meeting_id == Meeting.id)
                .where(Meeting.id.in_(ids))
                .order_by(Meeting.starts_at, Meeting.id))

    def rows(self) -> Iterator[list]:
        words = {status: label(status) for status in Status}  # once, not per row
        result = db.session.execute(self._query().execution_options(yield_per=BATCH))
        for (id_, topic, status, starts_at, hospital, department, province, owner, speaker, venue,
             expected, budget, spend, summary_id) in result:
            yield [id_, topic, words[status], to_local(starts_at), hospital, department,
                   province, owner, speaker or "", venue, expected, budget,
                   (spend or 0) if summary_id else None]


@register
class Attendance(Exporter):
    """One row per check-in that counts in the meeting's figures; with
    `absent` (the pages' button) also a row per expected invitee who did not
    come, marked absent, after them. The API's file keeps to the check-ins
    (SPEC §10)."""

    name = "attendance"
    object_type = "meeting"
    columns = (_l("Full name"), _l("Title"), _l("Grade"), _l("Invited"), _l("How they signed in"),
               _l("Signed in at"), _l("Stays for the meal"), _l("Attendance"))
    kinds = (None, None, None, None, None, "datetime", None, None)
    widths = (16, 16, 8, 8, 20, 0, 12, 10)

    def __init__(self, meeting: Meeting, *, absent: bool = False):
        self.meeting_id = meeting.id  # the id, not the object: the rows are read after the request
        self.day, self.topic, self.absent = local_date(meeting.starts_at), meeting.topic, absent

    @property
    def object_id(self) -> int:
        return self.meeting_id

    @property
    def filename(self) -> str:
        return f"attendance-{self.meeting_id}"

    @property
    def display_name(self) -> str:
        return f"{self.day:%Y-%m-%d}-{self.topic[:60]}-{SIGN_IN_NAME}"

    def rows(self) -> Iterator[list]:
        query = (select(CheckIn, Doctor).outerjoin(Doctor, Doctor.id == CheckIn.doctor_id)
                 .where(CheckIn.meeting_id == self.meeting_id, counted_checkins())
                 .order_by(CheckIn.checked_in_at, CheckIn.id))
        came, absent = str(CAME), str(STAYED_AWAY)
        for checkin, doctor in db.session.execute(query.execution_options(yield_per=BATCH)):
            yield [checkin.name, label(checkin.title), grade_of(doctor).value if doctor else "",
                   _yes_no(checkin.invited), label(checkin.source),
                   to_local(checkin.checked_in_at), _yes_no(checkin.meal_opt_in), came]
        if not self.absent:
            return
        signed_in = select(CheckIn.doctor_id).where(CheckIn.meeting_id == self.meeting_id,
                                                    counted_checkins(), CheckIn.doctor_id.is_not(None))
        missing = (select(Doctor).join(Invitee, Invitee.doctor_id == Doctor.id)
                   .where(Invitee.meeting_id == self.meeting_id, expected_clause(),
                          Doctor.id.not_in(signed_in))
                   .order_by(Doctor.name, Doctor.id))
        for doctor in db.session.scalars(missing):
            yield [doctor.name, label(doctor.title), grade_of(doctor).value, _yes_no(True), "", None, "",
                   absent]
