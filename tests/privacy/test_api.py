"""PIPL (SPEC §11): an admin exports everything held on one doctor and erases
the person without changing any meeting figure; signatures are kept for a
configured time only."""
from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from meetings.actionlog import ActionLogEntry
from meetings.checkin import services as checkin
from meetings.checkin.models import CheckIn
from meetings.extensions import db
from meetings.followups import services as followups
from meetings.followups.models import FollowUp
from meetings.invitees import services as invitees
from meetings.notifications.services import notify
from meetings.proposals import services as proposals
from meetings.summary import services as summary
from meetings.types import utcnow
from tests.checkin.test_services import png_data_url
from tests.pdf_helpers import text_of

NAME = "欧阳娜娜"


@pytest.fixture
def story(org, make_meeting, make_doctor):
    """A doctor invited to a meeting that was held: she signed in with a
    signature, the rep's visit notes and the summary name her, and a
    notification does too; a second doctor came as well."""
    doctor = make_doctor(org.hospital, "C", name=NAME)
    other = make_doctor(org.hospital, "C", name="孙悟空")
    meeting = make_meeting("draft")
    for d in (doctor, other):
        invitees.add_invitee(org.rep, meeting, doctor_id=d.id, role="primary")
    proposals.submit(org.rep, meeting)
    proposals.approve(org.pm, meeting)
    meeting.starts_at = utcnow() + timedelta(minutes=30)
    proposals.start(org.rep, meeting)
    checkin.check_in(org.staff, meeting, doctor_id=doctor.id, meal_opt_in=True, signature=png_data_url())
    checkin.check_in(org.staff, meeting, doctor_id=other.id)
    proposals.finish(org.rep, meeting)
    task = db.session.scalar(select(FollowUp).where(FollowUp.doctor_id == doctor.id, FollowUp.kind == "visit"))
    followups.complete(org.rep, task, outcome="committed", notes=f"{NAME}主任同意试用")
    summary.save_summary(org.rep, meeting, organization="顺利", feedback=f"{NAME}提问积极", questions=[
        {"text": "老年患者如何减量？", "doctor_id": doctor.id}],
        actual_spend=[{"category": "meals", "amount": Decimal("300")}])  # she ate: 300 a head
    notify(org.rep, f"test:{doctor.id}", f"回访{NAME}", f"请回访{NAME}")
    db.session.commit()

    class Story:
        pass
    s = Story()
    s.doctor, s.other, s.meeting, s.task = doctor, other, meeting, task
    return s


def test_only_an_admin_exports_or_erases(org, story, api_as):
    rep = api_as(org.rep)
    assert rep.get(f"/doctors/{story.doctor.id}/export").status_code == 403
    assert rep.post(f"/doctors/{story.doctor.id}/erase", {"reason": "x"}).status_code == 403
    assert api_as(org.admin).get("/doctors/999999/export").status_code == 404


def test_the_export_holds_everything_on_the_doctor_and_is_logged(org, story, api_as):
    response = api_as(org.admin).get(f"/doctors/{story.doctor.id}/export")
    assert response.status_code == 200
    data = response.json
    assert data["doctor"]["name"] == NAME and data["doctor"]["hospital"]["id"] == org.hospital.id
    assert [i["meeting_id"] for i in data["invitations"]] == [story.meeting.id]
    [signed] = data["checkins"]
    assert signed["meal_opt_in"] is True and signed["signature"].startswith("data:image/png;base64,")
    assert base64.b64decode(signed["signature"].split(",", 1)[1]).startswith(b"\x89PNG")
    assert [f["notes"] for f in data["followups"] if f["kind"] == "visit"] == [f"{NAME}主任同意试用"]
    assert [q["text"] for q in data["questions"]] == ["老年患者如何减量？"]
    [year] = data["spend"]
    assert year["meetings"][0]["meeting_id"] == story.meeting.id and Decimal(year["total"]) > 0
    [entry] = db.session.scalars(select(ActionLogEntry).where(ActionLogEntry.action == "export")).all()
    assert (entry.actor_id, entry.object_type, entry.object_id) == (org.admin.id, "doctor", story.doctor.id)
    assert entry.after["checkins"] == 1 and NAME not in str(entry.after)


def test_erase_needs_a_reason(org, story, api_as):
    response = api_as(org.admin).post(f"/doctors/{story.doctor.id}/erase", {"reason": ""})
    assert response.status_code == 422 and "reason" in response.json["errors"]


def test_erase_removes_the_person_everywhere_and_keeps_every_figure(org, story, api_as):
    admin, rep = api_as(org.admin), api_as(org.rep)
    mid = story.meeting.id
    figures = lambda: (rep.get(f"/meetings/{mid}/attendance").json,  # noqa: E731
                       rep.get(f"/meetings/{mid}/summary").json["actual_total"],
                       rep.get(f"/meetings/{mid}").json["budget"]["total"],
                       admin.get(f"/doctors/{story.doctor.id}/export").json["spend"])
    before = figures()

    response = admin.post(f"/doctors/{story.doctor.id}/erase", {"reason": f"{NAME}本人申请删除"})
    assert response.status_code == 200, response.json
    assert response.json["erased"] is True and NAME not in response.json["name"]
    assert figures() == before

    db.session.expire_all()
    assert admin.get(f"/doctors/{story.doctor.id}").json["name"] != NAME
    row = db.session.scalar(select(CheckIn).where(CheckIn.doctor_id == story.doctor.id))
    assert row.signature is None and row.name != NAME
    assert db.session.get(FollowUp, story.task.id).notes is None
    assert NAME not in rep.get(f"/meetings/{mid}/summary").json["feedback"]
    assert all(NAME not in n["body"] + n["subject"] for n in rep.get("/notifications").json)
    for form in ("sign-in-sheet.pdf", "summary.pdf"):
        assert NAME not in text_of(rep.get(f"/meetings/{mid}/{form}").data)[1], form
    exported = str(admin.get(f"/doctors/{story.doctor.id}/export").json)
    assert NAME not in exported and "孙悟空" not in exported
    [erase] = db.session.scalars(select(ActionLogEntry).where(ActionLogEntry.action == "erase")).all()
    assert erase.actor_id == org.admin.id and erase.object_id == story.doctor.id
    everything = db.session.scalars(select(ActionLogEntry)).all()
    assert all(NAME not in str((e.before, e.after)) for e in everything)
    # the other doctor is untouched
    assert admin.get(f"/doctors/{story.other.id}").json["name"] == "孙悟空"


def test_signatures_older_than_the_retention_are_purged_by_the_job(app, org, story):
    from meetings.jobs import JOBS, run_job

    assert "purge_signatures" in JOBS
    row = db.session.scalar(select(CheckIn).where(CheckIn.doctor_id == story.doctor.id))
    assert row.signature is not None
    assert run_job("purge_signatures")["purged"] == 0  # three years by default
    app.config["SIGNATURE_RETENTION_DAYS"] = 0
    assert run_job("purge_signatures")["purged"] == 1
    db.session.expire_all()
    assert db.session.get(CheckIn, row.id).signature is None
    [entry] = db.session.scalars(select(ActionLogEntry).where(ActionLogEntry.action == "purge_signatures")).all()
    assert entry.after["count"] == 1 and entry.actor_id is None
