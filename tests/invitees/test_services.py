import pytest

from meetings.errors import BackupMissing, Forbidden, InvalidInput, InvalidTransition, InviteesMissing
from meetings.invitees import services
from meetings.invitees.models import InviteeRole, InviteeStatus
from meetings.proposals import services as proposals
from meetings.proposals.models import Status


def invite(org, meeting, make_doctor, grade: str, backup_for=None):
    """A new doctor of `grade` on the meeting's list, added by its rep: a
    primary, or the backup of the invitee `backup_for`."""
    return services.add_invitee(org.rep, meeting, doctor_id=make_doctor(org.hospital, grade).id,
                                role="primary" if backup_for is None else "backup",
                                backup_for=None if backup_for is None else backup_for.id)


def test_submit_needs_a_primary_invitee_who_has_not_declined(org, make_meeting, make_doctor):
    """SPEC §3: a meeting with nobody invited is not a meeting; a declined
    primary is nobody, and a backup never promoted is not a primary."""
    meeting = make_meeting()
    with pytest.raises(InviteesMissing) as err:
        proposals.submit(org.rep, meeting)
    assert err.value.field == "invitees" and err.value.http_status == 422
    first = invite(org, meeting, make_doctor, "C")
    services.decline(org.rep, meeting, first)  # no backup yet: nobody promoted
    invite(org, meeting, make_doctor, "C", backup_for=first)
    with pytest.raises(InviteesMissing):
        proposals.submit(org.rep, meeting)
    assert meeting.status == Status.draft
    assert [e.action for e in meeting.history] == ["create"]
    invite(org, meeting, make_doctor, "D")
    proposals.submit(org.rep, meeting)
    assert meeting.status == Status.submitted


def test_a_promoted_backup_is_the_primary_submit_needs(org, make_meeting, make_doctor):
    meeting = make_meeting()
    primary = invite(org, meeting, make_doctor, "C")
    invite(org, meeting, make_doctor, "C", backup_for=primary)
    services.decline(org.rep, meeting, primary)
    proposals.submit(org.rep, meeting)
    assert meeting.status == Status.submitted


def test_a_key_primary_without_backup_blocks_submit(org, make_meeting, make_doctor):
    meeting = make_meeting()
    chief = make_doctor(org.hospital, grade="A")
    services.add_invitee(org.rep, meeting, doctor_id=chief.id, role="primary")
    with pytest.raises(BackupMissing) as err:
        proposals.submit(org.rep, meeting)
    assert chief.name in err.value.message
    assert meeting.status == Status.draft


def test_a_backup_of_equal_grade_lets_submit_through(org, make_meeting, make_doctor):
    meeting = make_meeting()
    primary = invite(org, meeting, make_doctor, "B")
    invite(org, meeting, make_doctor, "B", backup_for=primary)
    proposals.submit(org.rep, meeting)
    assert meeting.status == Status.submitted


def test_a_higher_grade_backup_is_fine_a_lower_one_is_refused(org, make_meeting, make_doctor):
    meeting = make_meeting()
    b_primary = invite(org, meeting, make_doctor, "B")
    invite(org, meeting, make_doctor, "A", backup_for=b_primary)
    a_primary = invite(org, meeting, make_doctor, "A")
    with pytest.raises(InvalidInput) as err:
        invite(org, meeting, make_doctor, "B", backup_for=a_primary)
    assert err.value.field == "doctor_id"


def test_nurses_and_interns_are_never_key_and_need_no_backup(org, make_meeting, make_doctor):
    meeting = make_meeting()
    for title in ("nurse", "intern"):
        services.add_invitee(org.rep, meeting, doctor_id=make_doctor(org.hospital, "A", title=title).id,
                             role="primary")
    proposals.submit(org.rep, meeting)
    assert meeting.status == Status.submitted


def test_the_same_doctor_twice_is_refused(org, make_meeting, make_doctor):
    meeting = make_meeting()
    doctor = make_doctor(org.hospital, "C")
    services.add_invitee(org.rep, meeting, doctor_id=doctor.id, role="primary")
    with pytest.raises(InvalidInput):
        services.add_invitee(org.rep, meeting, doctor_id=doctor.id, role="primary")
    primary = invite(org, meeting, make_doctor, "A")
    with pytest.raises(InvalidInput):  # already on the list: cannot also be a backup
        services.add_invitee(org.rep, meeting, doctor_id=doctor.id, role="backup",
                             backup_for=primary.id)


def test_doctors_of_another_hospital_are_refused(org, make_meeting, make_doctor, make_hospital):
    meeting = make_meeting()
    stranger = make_doctor(make_hospital(province=org.province), "C")
    with pytest.raises(InvalidInput):
        services.add_invitee(org.rep, meeting, doctor_id=stranger.id, role="primary")


def test_decline_promotes_the_backup(org, make_meeting, make_doctor):
    meeting = make_meeting()
    primary = invite(org, meeting, make_doctor, "A")
    backup = invite(org, meeting, make_doctor, "A", backup_for=primary)
    services.decline(org.rep, meeting, primary)
    assert primary.status == InviteeStatus.declined
    assert backup.role == InviteeRole.primary
    assert backup.promoted_at is not None
    assert meeting.history[-1].action == "promote_backup"
    entry = meeting.history[-1]  # the action log holds ids, never names (SPEC §11)
    assert (entry.after["doctor_id"], entry.after["replaces_doctor_id"]) == (backup.doctor_id, primary.doctor_id)
    assert backup.doctor.name not in str(entry.after) and entry.comment is None


def test_only_the_owner_manages_the_list(org, make_meeting, make_doctor):
    meeting = make_meeting()
    with pytest.raises(Forbidden):
        services.add_invitee(org.pm, meeting, doctor_id=make_doctor(org.hospital).id, role="primary")


def test_the_list_closes_once_the_meeting_ran(org, make_meeting, make_doctor):
    meeting = make_meeting("held")
    with pytest.raises(InvalidTransition):
        invite(org, meeting, make_doctor, "C")


def test_removing_a_primary_frees_its_backup_and_only_the_owner_removes(org, make_meeting, make_doctor):
    meeting = make_meeting("draft")
    primary = invite(org, meeting, make_doctor, "B")
    backup = invite(org, meeting, make_doctor, "B", backup_for=primary)
    with pytest.raises(Forbidden):
        services.remove_invitee(org.pm, meeting, primary)
    services.remove_invitee(org.rep, meeting, primary)
    assert [i.id for i in meeting.invitees] == [backup.id]
    assert backup.backup_for_id is None


def test_the_list_of_a_meeting_that_ran_is_closed_to_removals(org, make_meeting, make_doctor):
    meeting = make_meeting("approved")
    invitee = invite(org, meeting, make_doctor, "C")
    held = make_meeting("held")
    with pytest.raises(InvalidTransition):
        services.remove_invitee(org.rep, held, invitee)
    assert invitee in meeting.invitees


@pytest.mark.parametrize("case", ["backup_without_primary", "backup_of_a_backup", "primary_with_backup_for"])
def test_a_backup_must_name_a_primary_and_only_a_backup_may(org, make_meeting, make_doctor, case):
    meeting = make_meeting("draft")
    primary = invite(org, meeting, make_doctor, "C")
    backup = invite(org, meeting, make_doctor, "C", backup_for=primary)
    role, backup_for = {"backup_without_primary": ("backup", None),
                        "backup_of_a_backup": ("backup", backup.id),
                        "primary_with_backup_for": ("primary", primary.id)}[case]
    with pytest.raises(InvalidInput) as err:
        services.add_invitee(org.rep, meeting, doctor_id=make_doctor(org.hospital, "C").id,
                             role=role, backup_for=backup_for)
    assert err.value.field == "backup_for"
    assert len(meeting.invitees) == 2
