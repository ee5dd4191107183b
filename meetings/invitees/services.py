"""The invitee list and the A/B backup rule (SPEC §4)."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import User
from ..doctors.models import Department, Doctor
from ..doctors.services import at_least, grade_of, is_key
from ..errors import BackupMissing, Forbidden, InvalidInput, InvalidTransition, InviteesMissing, NotFound
from ..extensions import db
from ..labels import label, listed
from ..proposals.models import Meeting, Status
from ..actionlog import log_action
from ..proposals.services import check_on_submit, record_transition, search_on
from ..types import local_date, utcnow
from .models import Invitee, InviteeRole, InviteeStatus
from ..proposals.labels import status_text

# The list is built while the meeting is being prepared, not once it ran.
LIST_OPEN = {Status.draft, Status.submitted, Status.pending_regional, Status.approved}

# The annual cap per doctor (SPEC §3) counts the shares of SPEC §12, which
# need the check-ins and the summary, layers above this one: they hand in the
# check run when a primary is invited and the year's totals the picker shows
# (meetings/summary/shares.py connect()). Called directly; a check refuses
# by raising.
INVITE_CHECKS: list = []
YEAR_TOTALS: list = []


def check_on_invite(check) -> None:
    """Register `check(meeting, doctor)`, run before a primary is added. Idempotent."""
    if check not in INVITE_CHECKS:
        INVITE_CHECKS.append(check)


def count_year_totals_with(totals) -> None:
    """Register `totals(doctor_ids, year) -> {doctor_id: Decimal}`."""
    YEAR_TOTALS[:] = [totals]


def _require_owner(actor: User, meeting: Meeting) -> None:
    if meeting.owner_id != actor.id:
        raise Forbidden(_("only the meeting's owner manages its invitee list"))


def get_invitee(meeting: Meeting, invitee_id: int) -> Invitee:
    invitee = db.session.get(Invitee, invitee_id)
    if invitee is None or invitee.meeting_id != meeting.id:
        raise NotFound(_("invitee not found"))
    return invitee


def add_invitee(actor: User, meeting: Meeting, *, doctor_id: int, role: InviteeRole,
                backup_for: int | None = None) -> Invitee:
    _require_owner(actor, meeting)
    if meeting.status not in LIST_OPEN:
        raise InvalidTransition(_("the invitee list of a %(status)s meeting is closed",
                                  status=status_text(meeting.status)))
    doctor = db.session.get(Doctor, doctor_id)
    if doctor is None:
        raise InvalidInput(_("no such doctor (%(id)s)", id=doctor_id), field="doctor_id")
    if doctor.department.hospital_id != meeting.hospital_id:
        raise InvalidInput(_("the doctor does not work at the meeting's hospital"),
                           field="doctor_id")
    if db.session.scalar(select(Invitee.id).where(Invitee.meeting_id == meeting.id,
                                                  Invitee.doctor_id == doctor_id)):
        raise InvalidInput(_("%(name)s is already on the list", name=doctor.name),
                           field="doctor_id")
    role = InviteeRole(role)
    primary = None
    if role == InviteeRole.backup:
        if backup_for is None:
            raise InvalidInput(_("a backup names the primary invitee it stands in for"),
                               field="backup_for")
        primary = get_invitee(meeting, backup_for) if backup_for else None
        if primary is None or primary.role != InviteeRole.primary:
            raise InvalidInput(_("no such primary invitee"), field="backup_for")
        if not at_least(grade_of(doctor), grade_of(primary.doctor)):
            raise InvalidInput(
                _("a backup must be of grade %(grade)s or higher; %(name)s is %(own)s",
                  grade=grade_of(primary.doctor).value, name=doctor.name, own=grade_of(doctor).value),
                field="doctor_id")
    elif backup_for is not None:
        raise InvalidInput(_("only a backup stands in for someone"), field="backup_for")
    if role == InviteeRole.primary:
        for check in INVITE_CHECKS:  # the annual cap per doctor
            check(meeting, doctor)
    invitee = Invitee(meeting=meeting, doctor=doctor, role=role,
                      backup_for_id=primary.id if primary else None, status=InviteeStatus.invited)
    db.session.add(invitee)
    db.session.flush()
    log_action(actor, "add_invitee", "invitee", invitee.id, after=_view(invitee))
    return invitee


def _view(invitee: Invitee) -> dict:
    return {"meeting_id": invitee.meeting_id, "doctor_id": invitee.doctor_id, "role": invitee.role,
            "backup_for": invitee.backup_for_id, "status": invitee.status}


def remove_invitee(actor: User, meeting: Meeting, invitee: Invitee) -> None:
    _require_owner(actor, meeting)
    if meeting.status not in LIST_OPEN:
        raise InvalidTransition(_("the invitee list of a %(status)s meeting is closed",
                                  status=status_text(meeting.status)))
    log_action(actor, "remove_invitee", "invitee", invitee.id, before=_view(invitee))
    for other in meeting.invitees:
        if other.backup_for_id == invitee.id:
            other.backup_for_id = None
    meeting.invitees.remove(invitee)
    db.session.flush()


def backup_of(meeting: Meeting, primary: Invitee) -> Invitee | None:
    for other in meeting.invitees:
        if other.backup_for_id == primary.id and other.role == InviteeRole.backup:
            return other
    return None


def missing_primary(meeting: Meeting) -> None:
    """SPEC §3: a meeting with nobody invited is not a meeting. Someone must be
    expected — a primary who declined does not count (their promoted backup
    does): the same people as the figures' `expected` (SPEC §5)."""
    if not expected_invitees(meeting):
        raise InviteesMissing(_("invite at least one primary invitee who has not declined "
                                "(a meeting with nobody invited is not a meeting)"), field="invitees")


def missing_backups(meeting: Meeting) -> None:
    """SPEC §4: every key (A/B) primary needs a backup of the same grade or higher."""
    missing = []
    for invitee in meeting.invitees:
        if (invitee.role == InviteeRole.primary and invitee.status != InviteeStatus.declined
                and is_key(invitee.doctor)):
            backup = backup_of(meeting, invitee)
            if backup is None or not at_least(grade_of(backup.doctor), grade_of(invitee.doctor)):
                missing.append(f"{invitee.doctor.name} ({grade_of(invitee.doctor).value})")
    if missing:
        raise BackupMissing(_("these key invitees need a backup of equal grade: %(names)s",
                              names=listed(missing)), field="invitees")


def confirm(actor: User, meeting: Meeting, invitee: Invitee) -> Invitee:
    _require_owner(actor, meeting)
    if invitee.status not in (InviteeStatus.invited, InviteeStatus.declined, InviteeStatus.confirmed):
        raise InvalidTransition(_("an invitee who is %(status)s cannot confirm", status=label(invitee.status)))
    log_action(actor, "confirm", "invitee", invitee.id, before={"status": invitee.status},
               after={"status": InviteeStatus.confirmed, "meeting_id": meeting.id})
    invitee.status = InviteeStatus.confirmed
    db.session.flush()
    return invitee


def decline(actor: User, meeting: Meeting, invitee: Invitee) -> Invitee:
    """A declining primary's backup is promoted at once; the replacement is
    recorded in the meeting's history."""
    _require_owner(actor, meeting)
    if invitee.status not in (InviteeStatus.invited, InviteeStatus.confirmed, InviteeStatus.declined):
        raise InvalidTransition(_("an invitee who is %(status)s cannot decline", status=label(invitee.status)))
    log_action(actor, "decline", "invitee", invitee.id, before={"status": invitee.status},
               after={"status": InviteeStatus.declined, "meeting_id": meeting.id})
    invitee.status = InviteeStatus.declined
    if invitee.role == InviteeRole.primary:
        backup = backup_of(meeting, invitee)
        if backup is not None and backup.status != InviteeStatus.declined:
            backup.role = InviteeRole.primary
            backup.promoted_at = utcnow()
            # ids, not names: the history is the action log (SPEC §11)
            record_transition(meeting, "promote_backup", meeting.status, meeting.status, actor, None,
                              invitee_id=backup.id, doctor_id=backup.doctor_id,
                              replaces_invitee_id=invitee.id, replaces_doctor_id=invitee.doctor_id)
    db.session.flush()
    return invitee


def can_manage(user: User, meeting: Meeting) -> bool:
    """Whether to offer the list's add/remove/confirm/decline forms."""
    return meeting.owner_id == user.id and meeting.status in LIST_OPEN


def invitable_doctors(meeting: Meeting) -> list[Doctor]:
    """Doctors of the meeting's hospital who are not on its list yet."""
    listed = select(Invitee.doctor_id).where(Invitee.meeting_id == meeting.id)
    return list(db.session.scalars(
        select(Doctor).join(Department, Doctor.department_id == Department.id)
        .where(Department.hospital_id == meeting.hospital_id, Doctor.id.not_in(listed))
        .order_by(Department.name, Doctor.name, Doctor.id)))


def year_spend(meeting: Meeting, doctors) -> dict[int, Decimal]:
    """For the invitee picker: each doctor's share of meeting spend so far in
    the meeting's year (the annual cap's own aggregate, one query), so a rep
    sees who is close to the cap before inviting."""
    if not YEAR_TOTALS:
        return {}
    return YEAR_TOTALS[0]([d.id for d in doctors], local_date(meeting.starts_at).year)


def list_invitees(meeting: Meeting) -> list[Invitee]:
    return list(meeting.invitees)


# ---------------------------------------------------------------- who is expected

def is_expected(invitee: Invitee) -> bool:
    """SPEC §5 `expected`: a primary not declined (promoted backups are primaries)."""
    return invitee.role == InviteeRole.primary and invitee.status != InviteeStatus.declined


def expected_invitees(meeting: Meeting) -> list[Invitee]:
    return [i for i in meeting.invitees if is_expected(i)]


def on_standby(invitee: Invitee) -> bool:
    """A backup not promoted who has not declined: they may still come in
    their primary's place, and if they do they count as an invited attendee
    (SPEC §4), never as a walk-in."""
    return invitee.role == InviteeRole.backup and invitee.status != InviteeStatus.declined


def expected_clause():
    """expected_invitees() as a SQL condition on Invitee, for reports."""
    return (Invitee.role == InviteeRole.primary) & (Invitee.status != InviteeStatus.declined)


def to_reconfirm(meeting: Meeting) -> list[Invitee]:
    """Day-before reminder (SPEC §4): key invitees — primaries and their
    backups — who have not confirmed yet."""
    waiting = [i for i in meeting.invitees if i.status == InviteeStatus.invited and is_key(i.doctor)]
    return sorted(waiting, key=lambda i: (i.role != InviteeRole.primary, i.id))


def connect() -> None:
    """Hand the meeting the refusals at submit that need the invitee list
    (called by the app factory; idempotent)."""
    check_on_submit("before_content", missing_primary)
    check_on_submit("before_content", missing_backups)
    search_on(invited_doctor_named)


def invited_doctor_named(pattern):
    """The meeting list's search (`q`): a meeting whose list has a doctor
    whose name contains the text (a LIKE pattern, proposals.like_pattern)."""
    return (select(Invitee.id).join(Doctor, Doctor.id == Invitee.doctor_id)
            .where(Invitee.meeting_id == Meeting.id, Doctor.name.ilike(pattern, escape="\\"))
            .exists())
