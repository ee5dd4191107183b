"""The one append-only action log (SPEC §11): what writes an entry, what an
entry holds (ids and non-personal values), and that nothing changes one."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, text

from meetings.actionlog import ActionLogEntry, AppendOnly, log_action
from meetings.extensions import db
from tests.conftest import PASSWORD


def entries(**filters) -> list[ActionLogEntry]:
    db.session.expire_all()
    return db.session.scalars(select(ActionLogEntry).filter_by(**filters).order_by(ActionLogEntry.id)).all()


def test_an_entry_cannot_be_changed_or_removed_through_the_orm(org):
    entry = log_action(org.admin, "export", "meeting", 1, after={"format": "csv"})
    db.session.commit()
    entry.action = "nothing"
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(ActionLogEntry, entry.id))
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(ActionLogEntry, entry.id).action == "export"


def test_postgresql_refuses_update_and_delete_on_the_log_table(org):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite has the ORM guard only")
    entry = log_action(org.admin, "export", "meeting", 1)
    db.session.commit()
    for statement in ("UPDATE action_log SET action = 'x'", "DELETE FROM action_log"):
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.get(ActionLogEntry, entry.id) is not None


def test_logins_and_failed_logins_are_logged_without_the_typed_name(client, org):
    client.post("/login", data={"username": org.rep.username, "password": "wrong"})
    client.post("/login", data={"username": "nobody-such", "password": "x"})
    client.post("/api/v1/auth/token", json={"username": org.rep.username, "password": PASSWORD})
    failed = entries(action="login_failed")
    assert [(e.object_id, e.after["reason"], e.actor_id) for e in failed] == [
        (org.rep.id, "wrong_password", None), (None, "unknown_user", None)]
    assert "nobody-such" not in str([e.after for e in failed])
    [login] = entries(action="login")
    assert (login.actor_id, login.object_type, login.object_id) == (org.rep.id, "user", org.rep.id)


def test_transitions_are_the_meetings_history_with_status_before_and_after(org, make_meeting, api_as):
    meeting = make_meeting("approved")
    logged = entries(object_type="meeting", object_id=meeting.id)
    assert [(e.action, e.from_status, e.to_status) for e in logged] == [
        ("create", "draft", "draft"), ("submit", "draft", "submitted"), ("approve", "submitted", "approved")]
    history = api_as(org.rep).get(f"/meetings/{meeting.id}").json["history"]
    assert [h["action"] for h in history] == ["create", "submit", "approve"]
    assert history[-1]["actor_id"] == org.pm.id and history[-1]["to_status"] == "approved"


def test_an_approval_logs_what_it_drew_from_the_pool_and_a_cancel_what_it_gave_back(org, make_meeting):
    from meetings.proposals import services as proposals

    meeting = make_meeting("approved")
    [draw] = entries(action="draw")
    assert draw.object_type == "budget" and draw.actor_id == org.pm.id
    assert (draw.before["spent"], draw.after["spent"], draw.after["meeting_id"]) == ("0.00", "2000.00", meeting.id)
    proposals.cancel(org.rep, meeting, "医院临时停诊")
    db.session.commit()
    [refund] = entries(action="refund")
    assert (refund.before["spent"], refund.after["spent"], refund.actor_id) == ("2000.00", "0.00", org.rep.id)


def test_a_draft_edit_logs_the_old_and_new_budget(org, make_meeting):
    from meetings.proposals import services as proposals

    meeting = make_meeting("draft")
    proposals.update_meeting(org.rep, meeting, budget={"lines": [{"category": "meals", "amount": "1200"}]},
                             expected_attendees=20)
    db.session.commit()
    [update] = entries(action="update", object_type="meeting")
    assert update.before["budget_total"] == "2000.00" and update.after["budget_total"] == "1200.00"
    assert (update.before["expected_attendees"], update.after["expected_attendees"]) == (15, 20)
    assert "topic" not in update.after  # unchanged fields stay out


def test_invitee_changes_and_check_ins_are_logged_with_ids_only(org, make_meeting, make_doctor):
    from meetings.checkin import services as checkin
    from meetings.invitees import services as invitees

    doctor = make_doctor(org.hospital, "C", name="李秀英")
    draft = make_meeting("draft")
    invitee = invitees.add_invitee(org.rep, draft, doctor_id=doctor.id, role="primary")
    invitees.confirm(org.rep, draft, invitee)
    db.session.commit()
    meeting = make_meeting("in_progress")  # its factory-made guest's entry is not the draft's
    checkin.check_in(org.staff, meeting, doctor_id=doctor.id)
    checkin.check_in(org.staff, meeting, name="王走访", title="nurse")
    db.session.commit()
    assert [e.action for e in entries(object_type="invitee")
            if e.after["meeting_id"] == draft.id] == ["add_invitee", "confirm"]
    checks = entries(action="check_in")
    assert [(e.after["doctor_id"], e.actor_id) for e in checks] == [(doctor.id, org.staff.id), (None, org.staff.id)]
    everything = str([(e.before, e.after) for e in entries()])
    assert "李秀英" not in everything and "王走访" not in everything


def test_actual_spend_edits_log_old_and_new_amounts(org, make_meeting):
    from meetings.summary import services as summary

    meeting = make_meeting("held", diners=5)
    spend = [{"category": "meals", "amount": Decimal("1400")}]
    summary.save_summary(org.rep, meeting, organization="顺利", feedback="好", actual_spend=spend)
    summary.save_summary(org.rep, meeting, organization="顺利", feedback="很好，主任张三认可",
                         actual_spend=[{"category": "meals", "amount": Decimal("1500")}])
    db.session.commit()
    first, edit = entries(object_type="meeting", object_id=meeting.id)[-2:]
    assert first.action == "summary" and first.after["actual_total"] == "1400.00"
    assert edit.action == "summary_edit"
    assert (edit.before["actual_total"], edit.after["actual_total"]) == ("1400.00", "1500.00")
    assert edit.after["texts_changed"] == ["feedback"] and "张三" not in str(edit.after)


def test_a_follow_up_outcome_rewrite_shows_old_and_new(org, make_meeting, make_doctor):
    from meetings.checkin import services as checkin
    from meetings.followups import services as followups
    from meetings.followups.models import FollowUp
    from meetings.proposals import services as proposals

    doctor = make_doctor(org.hospital, "C")
    meeting = make_meeting("in_progress")
    checkin.check_in(org.rep, meeting, doctor_id=doctor.id)
    proposals.finish(org.rep, meeting)
    db.session.commit()
    task = db.session.scalar(select(FollowUp).where(FollowUp.doctor_id == doctor.id, FollowUp.kind == "visit"))
    followups.complete(org.rep, task, outcome="declined", notes="主任不同意")
    followups.complete(org.rep, task, outcome="committed", notes="改变主意")
    db.session.commit()
    first, second = entries(action="complete", object_type="followup")
    assert (first.before["outcome"], first.after["outcome"]) == (None, "declined")
    assert (second.before["outcome"], second.after["outcome"]) == ("declined", "committed")
    assert "主任" not in str(second.after)


def test_doctor_edits_log_figures_but_never_the_name(org, make_doctor, api_as):
    doctor = make_doctor(org.hospital, "C", name="赵敏")
    response = api_as(org.admin).patch(f"/doctors/{doctor.id}", {"name": "赵敏敏", "potential": "300"})
    assert response.status_code == 200, response.json
    [update] = entries(action="update", object_type="doctor")
    assert Decimal(update.after["potential"]) == 300 and update.after["name"] == "changed"
    assert "赵敏" not in str((update.before, update.after))


def test_budget_pool_changes_log_old_and_new_amounts(org, api_as):
    pool = org.province.budgets[0]
    response = api_as(org.admin).post(f"/provinces/{org.province.id}/budgets",
                                      {"period": "2031-Q1", "amount": "8000"})
    assert response.status_code == 201
    [allocate] = entries(action="allocate")
    assert allocate.after["amount"] == "8000.00" and allocate.object_type == "budget"
    from meetings.orgs import services as orgs
    orgs.set_budget_amount(org.admin, pool, "60000")
    db.session.commit()
    [changed] = entries(action="set_amount")
    assert (changed.before, changed.after) == ({"amount": "50000.00"}, {"amount": "60000.00"})


def test_nothing_is_logged_when_the_change_is_refused(org, make_meeting, api_as):
    meeting = make_meeting("draft")
    rep = api_as(org.rep)
    before = len(entries())
    refused = rep.post(f"/meetings/{meeting.id}/approve")
    assert refused.status_code in (403, 409)
    assert len(entries()) == before


def test_a_story_told_after_the_fact_is_dated_when_it_happened_without_rewriting_entries(org, make_user):
    from datetime import datetime, timezone

    from meetings.actionlog import log_action, recorded_at

    then = datetime(2026, 3, 1, 8, 30, tzinfo=timezone.utc)
    with recorded_at(then):
        log_action(org.rep, "submit", "meeting", 1)
    log_action(org.rep, "approve", "meeting", 1)
    db.session.commit()
    dated, now = entries(object_type="meeting", object_id=1)[-2:]
    assert dated.at == then and now.at > then
