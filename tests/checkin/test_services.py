from flask_babel import gettext
import base64
import io
from datetime import timedelta

import pytest
import time_machine
from PIL import Image

from meetings.checkin import services
from meetings.checkin.models import CheckIn, Source
from meetings.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from meetings.extensions import db
from meetings.invitees import services as invitees
from meetings.invitees.models import InviteeStatus
from meetings.types import utcnow


def png_data_url(size=(300, 100)) -> str:
    """A transparent PNG with a scribble, as a signature pad sends it."""
    from PIL import ImageDraw

    image = Image.new("RGBA", size, (0, 0, 0, 0))
    w, h = size
    ImageDraw.Draw(image).line([(w * 0.1, h * 0.7), (w * 0.3, h * 0.2), (w * 0.5, h * 0.8),
                                (w * 0.7, h * 0.3), (w * 0.9, h * 0.6)], fill=(0, 0, 0, 255), width=4)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def count(meeting):
    return db.session.query(CheckIn).filter_by(meeting_id=meeting.id).count()


# ---------------------------------------------------------------- idempotency

def test_a_doctor_signs_in_once_and_a_repeat_returns_the_first_record(org, meeting_with, doctors):
    (doc,) = doctors("C")
    meeting = meeting_with([doc], status="in_progress")
    first, created = services.check_in(org.staff, meeting, doctor_id=doc.id)
    again, created_again = services.check_in(org.rep, meeting, doctor_id=doc.id, meal_opt_in=True)
    assert created and not created_again
    assert again.id == first.id and again.meal_opt_in is False
    assert count(meeting) == 1


def test_a_retried_nonce_never_creates_a_second_walk_in(org, meeting_with):
    meeting = meeting_with([], status="in_progress")
    first, _ = services.check_in(org.staff, meeting, name="王护士", title="nurse", nonce="abcdefgh1234")
    again, created = services.check_in(org.staff, meeting, name="王护士", title="nurse",
                                       nonce="abcdefgh1234")
    assert not created and again.id == first.id
    other, created = services.check_in(org.staff, meeting, name="王护士", title="nurse",
                                       nonce="zzzzzzzz9999", same_name_ok=True)
    assert created and other.id != first.id  # a different nonce, confirmed: a different person
    assert count(meeting) == 2


def test_the_same_nonce_on_another_meeting_is_independent(org, meeting_with):
    one, two = meeting_with([], status="in_progress"), meeting_with([], status="in_progress")
    services.check_in(org.staff, one, name="甲", title="other", nonce="samesame1")
    _, created = services.check_in(org.staff, two, name="甲", title="other", nonce="samesame1")
    assert created


def test_signing_in_an_invitee_marks_them_attended(org, meeting_with, doctors):
    (doc,) = doctors("C")
    meeting = meeting_with([doc])
    checkin, _ = services.check_in(org.staff, meeting, doctor_id=doc.id)
    assert checkin.invited and checkin.name == doc.name and checkin.title == doc.title
    assert meeting.invitees[0].status == InviteeStatus.attended


def test_a_walk_in_doctor_record_is_not_invited(org, meeting_with, doctors):
    invited, walk_in = doctors("C", "D")
    meeting = meeting_with([invited])
    checkin, _ = services.check_in(org.staff, meeting, doctor_id=walk_in.id)
    assert checkin.doctor_id == walk_in.id and not checkin.invited


# ---------------------------------------------------------------- who, when, what

def test_only_those_who_run_the_meeting_sign_people_in(org, meeting_with, make_user, doctors):
    (doc,) = doctors("C")
    meeting = meeting_with([doc])
    for user in (org.marketing, org.rm, org.admin):
        with pytest.raises(Forbidden):
            services.check_in(user, meeting, doctor_id=doc.id)
    assert services.check_in(org.pm, meeting, doctor_id=doc.id)[1]  # the speaker


def test_sign_in_is_refused_outside_the_meeting_states(org, meeting_with, doctors):
    (doc,) = doctors("C")
    draft = meeting_with([doc], status="draft")
    with pytest.raises(InvalidTransition):
        services.check_in(org.rep, draft, doctor_id=doc.id)
    held = meeting_with([doc], status="held")
    with pytest.raises(InvalidTransition):
        services.check_in(org.rep, held, doctor_id=doc.id)


def test_paper_entries_are_typed_in_after_the_meeting_with_their_time(org, meeting_with, doctors):
    (doc,) = doctors("C")
    meeting = meeting_with([doc], status="held")
    with pytest.raises(InvalidInput) as err:
        services.check_in(org.staff, meeting, doctor_id=doc.id, source="paper")
    assert err.value.field == "checked_in_at"
    at = utcnow() - timedelta(minutes=3)  # as written on the sheet
    checkin, created = services.check_in(org.staff, meeting, doctor_id=doc.id, source="paper",
                                         checked_in_at=at)
    assert created and checkin.source == Source.paper and checkin.checked_in_at == at


def test_an_offline_staff_sign_in_uploaded_after_the_finish_keeps_its_time(org, meeting_with, doctors):
    (doc, late) = doctors("C", "C")
    meeting = meeting_with([doc, late], status="held")
    taken = meeting.history[-1].at - timedelta(minutes=20)
    checkin, created = services.check_in(org.staff, meeting, doctor_id=doc.id, checked_in_at=taken,
                                         nonce="offline-0001")
    assert created and checkin.checked_in_at == taken
    with pytest.raises(InvalidTransition):  # taken after the finish: not an offline upload
        services.check_in(org.staff, meeting, doctor_id=late.id, checked_in_at=utcnow())


def test_walk_ins_need_name_and_title(org, meeting_with):
    meeting = meeting_with([], status="in_progress")
    with pytest.raises(InvalidInput) as err:
        services.check_in(org.staff, meeting)
    assert err.value.field == "name"
    with pytest.raises(InvalidInput) as err:
        services.check_in(org.staff, meeting, name="李")
    assert err.value.field == "title"
    with pytest.raises(InvalidInput) as err:
        services.check_in(org.staff, meeting, name="李", title="professor")
    assert err.value.field == "title"
    with pytest.raises(InvalidInput) as err:
        services.check_in(org.staff, meeting, doctor_id=999999)
    assert err.value.field == "doctor_id"
    with pytest.raises(InvalidInput) as err:
        services.check_in(org.staff, meeting, name="李", title="other", nonce="short")
    assert err.value.field == "nonce"
    with pytest.raises(InvalidInput) as err:
        services.check_in(org.staff, meeting, name="李", title="other", source="self")
    assert err.value.field == "source"


def test_signatures_must_be_small_png_images(org, meeting_with):
    meeting = meeting_with([], status="in_progress")
    checkin, _ = services.check_in(org.staff, meeting, name="甲", title="other", signature=png_data_url())
    assert checkin.signature.startswith(b"\x89PNG")
    for bad in ("data:image/jpeg;base64,AAAA", "data:image/png;base64,not base64!",
                "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\nrubbish").decode(),
                png_data_url((5000, 100))):
        with pytest.raises(InvalidInput) as err:
            services.check_in(org.staff, meeting, name="乙", title="other", signature=bad)
        assert err.value.field == "signature"


# ---------------------------------------------------------------- self sign-in

def test_self_sign_in_is_open_from_an_hour_before_to_two_hours_after(meeting_with, doctors):
    (doc,) = doctors("C")
    meeting = meeting_with([doc])
    start = meeting.starts_at
    # the right token outside the window says when it opens, or that it closed (not a 404)
    with time_machine.travel(start - timedelta(minutes=61), tick=False), \
            pytest.raises(services.SignInNotOpen) as early:
        services.self_check_in(meeting.checkin_token, doctor_id=doc.id)
    assert early.value.http_status == 403 and early.value.details["opens_at"]
    with time_machine.travel(start + timedelta(minutes=121), tick=False), \
            pytest.raises(services.SignInClosed) as late:
        services.self_check_in(meeting.checkin_token, doctor_id=doc.id)
    assert late.value.http_status == 410
    with time_machine.travel(start - timedelta(minutes=59), tick=False):
        checkin, created = services.self_check_in(meeting.checkin_token, doctor_id=doc.id,
                                                  meal_opt_in=True, signature=png_data_url(),
                                                  nonce="first-form-0001")
    assert created and checkin.source == Source.self and checkin.created_by_id is None
    assert checkin.meal_opt_in and checkin.has_signature
    with time_machine.travel(start + timedelta(minutes=119), tick=False):
        again, created = services.self_check_in(meeting.checkin_token, doctor_id=doc.id,
                                                nonce="first-form-0001")  # the same form, resent
        assert not created and again.id == checkin.id
        with pytest.raises(InvalidInput):  # anyone else picking that name is refused
            services.self_check_in(meeting.checkin_token, doctor_id=doc.id, nonce="another-form-02")


def test_the_qr_page_opens_when_staff_start_the_meeting_early(org, meeting_with, doctors):
    from meetings.proposals import services as proposals

    (doc,) = doctors("C")
    meeting = meeting_with([doc])
    start = meeting.starts_at
    with time_machine.travel(start - timedelta(minutes=100), tick=False):
        with pytest.raises(services.SignInNotOpen):
            services.meeting_for_token(meeting.checkin_token)
        proposals.start(org.rep, meeting)
        assert services.meeting_for_token(meeting.checkin_token) == meeting


def test_a_wrong_token_or_a_cancelled_meeting_looks_like_nothing(org, meeting_with, doctors):
    from meetings.proposals import services as proposals

    (doc,) = doctors("C")
    meeting = meeting_with([doc])
    with time_machine.travel(meeting.starts_at, tick=False):
        for token in ("", "x", meeting.checkin_token[:-1] + "A" if meeting.checkin_token[-1] != "A"
                      else meeting.checkin_token[:-1] + "B", "é" * 32):
            with pytest.raises(NotFound) as err:
                services.self_check_in(token, doctor_id=doc.id)
            assert err.value.message == gettext("this sign-in page is not open")
        proposals.cancel(org.rep, meeting)
        with pytest.raises(services.SignInClosed):  # the right token: closed, not unknown
            services.meeting_for_token(meeting.checkin_token)


def test_self_sign_in_picks_from_the_list_or_types_a_name(meeting_with, doctors):
    invited, stranger = doctors("C", "C")
    meeting = meeting_with([invited])
    with time_machine.travel(meeting.starts_at, tick=False):
        with pytest.raises(InvalidInput) as err:
            services.self_check_in(meeting.checkin_token, doctor_id=stranger.id)
        assert err.value.field == "doctor_id"
        walk_in, created = services.self_check_in(meeting.checkin_token, name="赵医生",
                                                  title="resident", nonce="formnonce01")
        again, created_again = services.self_check_in(meeting.checkin_token, name="赵医生",
                                                      title="resident", nonce="formnonce01")
    assert created and not created_again and again.id == walk_in.id
    assert walk_in.doctor_id is None and not walk_in.invited


# ---------------------------------------------------------------- figures

def test_figures_of_an_empty_meeting_have_null_rates(make_meeting, doctors):
    # submit needs a primary (SPEC §3); nobody is expected once he declined with no backup
    (guest,) = doctors("C")
    figures = services.attendance(make_meeting("approved", primaries=[guest], declined=[guest]))
    assert figures == {"expected": 0, "present": 0, "attended_invited": 0, "attendance_rate": None,
                       "accuracy_rate": None, "invited_attendance_rate": None, "key_expected": 0,
                       "key_present": 0, "key_attendance_rate": None}


def test_figures_count_invited_walk_ins_and_key_people(org, meeting_with, doctors, make_doctor):
    a1, a2, c1, c2 = doctors("A", "A", "C", "C")
    backup_a1, backup_a2 = doctors("A", "A")
    nurse_a = make_doctor(org.hospital, grade="A", title="nurse")  # A figures, never key
    meeting = meeting_with([a1, a2, c1, c2, nurse_a], backups=[(backup_a1, a1), (backup_a2, a2)],
                           status="in_progress")
    for doc in (a1, c1, nurse_a):
        services.check_in(org.staff, meeting, doctor_id=doc.id)
    services.check_in(org.staff, meeting, name="路人", title="nurse")
    figures = services.attendance(meeting)
    assert figures == {
        "expected": 5, "present": 4, "attended_invited": 3,
        "attendance_rate": 0.8, "accuracy_rate": 0.75, "invited_attendance_rate": 0.6,
        "key_expected": 2, "key_present": 1, "key_attendance_rate": 0.5,
    }


def test_a_promoted_backup_is_expected_and_an_unpromoted_one_counts_when_present(
        org, meeting_with, doctors):
    a1, a2, backup1, backup2 = doctors("A", "A", "A", "A")
    meeting = meeting_with([a1, a2], backups=[(backup1, a1), (backup2, a2)])
    by_doctor = {i.doctor_id: i for i in meeting.invitees}
    invitees.decline(org.rep, meeting, by_doctor[a1.id])  # backup1 steps in
    figures = services.attendance(meeting)
    assert figures["expected"] == 2 and figures["key_expected"] == 2
    services.check_in(org.staff, meeting, doctor_id=backup1.id)
    services.check_in(org.staff, meeting, doctor_id=backup2.id)  # a2 did not decline, backup2 came
    figures = services.attendance(meeting)
    assert figures["present"] == 2 and figures["attended_invited"] == 2
    assert figures["key_present"] == 2 and figures["key_attendance_rate"] == 1.0
    assert figures["accuracy_rate"] == 1.0


def test_to_reconfirm_lists_key_invitees_not_yet_confirmed(org, meeting_with, doctors, make_doctor):
    a1, a2, c1, backup1, backup2 = doctors("A", "B", "C", "A", "B")
    nurse = make_doctor(org.hospital, grade="A", title="intern")
    meeting = meeting_with([a1, a2, c1, nurse], backups=[(backup1, a1), (backup2, a2)])
    by_doctor = {i.doctor_id: i for i in meeting.invitees}
    invitees.confirm(org.rep, meeting, by_doctor[a2.id])
    assert [i.doctor_id for i in invitees.to_reconfirm(meeting)] == [a1.id, backup1.id, backup2.id]


# ---------------------------------------------------------------- frequency

def test_invitees_who_attended_often_lately_are_flagged(org, meeting_with, doctors, app):
    regular, newcomer = doctors("C", "C")
    for _ in range(3):
        past = meeting_with([regular], status="in_progress")
        services.check_in(org.staff, past, doctor_id=regular.id)
    once = meeting_with([newcomer], status="in_progress")
    services.check_in(org.staff, once, doctor_id=newcomer.id)
    db.session.commit()
    meeting = meeting_with([regular, newcomer], status="draft")
    by_doctor = {i.doctor_id: i for i in meeting.invitees}
    assert services.is_frequent(by_doctor[regular.id])
    assert not services.is_frequent(by_doctor[newcomer.id])
    assert len(services.frequency_warnings(meeting)) == 1
    app.config["ATTENDANCE_FREQUENCY_DAYS"] = 0  # nothing in the window any more
    assert not services.is_frequent(by_doctor[regular.id])
