"""Compliance flags (SPEC §12): raised by compliance, answered by the owner or
the provincial manager, resolved by compliance; an open flag blocks close."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from meetings.actionlog import ActionLogEntry
from meetings.auth.models import Role
from meetings.errors import EvidenceMissing, Forbidden
from meetings.extensions import db
from meetings.flags import services as flags
from meetings.flags.models import FlagStatus
from meetings.flags.services import FlagResolved
from meetings.notifications.models import Notification
from meetings.proposals import services as proposals
from meetings.summary import services as summary
from tests.conftest import filled_summary


@pytest.fixture
def summarized(org, make_meeting):
    meeting = make_meeting("held")
    summary.save_summary(org.rep, meeting, **filled_summary(actual_spend=[{"category": "gifts", "amount": "0"}]))
    db.session.commit()
    return meeting


def _told(kind):
    return {n.user_id for n in db.session.scalars(select(Notification).where(Notification.kind == kind))}


def test_only_compliance_raises_a_flag_and_owner_and_provincial_manager_are_told(
        org, make_meeting, compliance):
    meeting = make_meeting("approved")
    for user in (org.rep, org.pm, org.rm, org.admin, org.marketing, org.staff):
        with pytest.raises(Forbidden):
            flags.raise_flag(user, meeting, reason="?")
    flag = flags.raise_flag(compliance, meeting, reason="餐费偏高")
    assert flag.open and flag.status == FlagStatus.open and flags.flags_of(meeting) == [flag]
    assert _told("flag_raised") == {org.rep.id, org.pm.id}


def test_the_owner_or_the_provincial_manager_answers_and_compliance_resolves(
        org, make_meeting, compliance, make_user, make_province):
    meeting = make_meeting("approved")
    flag = flags.raise_flag(compliance, meeting, reason="请补充说明")
    other_pm = make_user(Role.provincial_manager, province=make_province())
    for user in (org.staff, org.rm, other_pm, compliance):
        with pytest.raises(Forbidden):
            flags.answer(user, meeting, flag, comment="说明")
    flags.answer(org.pm, meeting, flag, comment="人数多于预期")
    flags.answer(org.rep, meeting, flag, comment="已补充发票")
    assert flag.status == FlagStatus.answered and flag.answer == "已补充发票" and flag.answered_by_id == org.rep.id
    assert _told("flag_answered") == {compliance.id}
    for user in (org.rep, org.pm, org.admin):
        with pytest.raises(Forbidden):
            flags.resolve(user, meeting, flag)
    flags.resolve(compliance, meeting, flag)
    assert not flag.open and flag.status == FlagStatus.resolved
    assert _told("flag_resolved") == {org.rep.id, org.pm.id}
    with pytest.raises(FlagResolved):
        flags.resolve(compliance, meeting, flag)
    with pytest.raises(FlagResolved):
        flags.answer(org.rep, meeting, flag, comment="再说明")


def test_every_step_is_in_the_action_log_without_the_words(org, make_meeting, compliance):
    meeting = make_meeting("approved")
    flag = flags.raise_flag(compliance, meeting, reason="王医生的餐费")
    flags.answer(org.rep, meeting, flag, comment="王医生确实到场")
    flags.resolve(compliance, meeting, flag)
    entries = db.session.scalars(select(ActionLogEntry).where(ActionLogEntry.object_type == "flag",
                                                              ActionLogEntry.object_id == flag.id)
                                 .order_by(ActionLogEntry.id)).all()
    assert [(e.action, e.actor_id, e.after["status"]) for e in entries] == [
        ("flag", compliance.id, "open"), ("answer_flag", org.rep.id, "answered"),
        ("resolve_flag", compliance.id, "resolved")]
    assert all(e.after["meeting_id"] == meeting.id for e in entries)
    assert "王医生" not in repr([(e.before, e.after) for e in entries])


def test_an_open_flag_keeps_the_meeting_from_closing_until_resolved(org, summarized, compliance):
    flag = flags.raise_flag(compliance, summarized, reason="请说明")
    with pytest.raises(EvidenceMissing) as err:
        proposals.close(org.rep, summarized)
    assert set(err.value.gaps) == {"flag_open"} and err.value.gaps["flag_open"] in err.value.message
    flags.answer(org.rep, summarized, flag, comment="说明")
    with pytest.raises(EvidenceMissing):  # answered is not resolved
        proposals.close(org.rep, summarized)
    flags.resolve(compliance, summarized, flag)
    proposals.close(org.rep, summarized)
    assert summarized.status.value == "closed"


def test_close_names_every_gap_of_every_registered_check_at_once(org, summarized, compliance):
    flags.raise_flag(compliance, summarized, reason="请说明")

    def evidence_gaps(meeting):
        return {"meals": "餐费发票还差 400.00 元", "photo": "缺会议照片"}

    proposals.check_on_close(evidence_gaps)  # what a higher layer does in one line
    try:
        assert set(proposals.close_gaps(summarized)) == {"flag_open", "meals", "photo"}
        with pytest.raises(EvidenceMissing) as err:
            proposals.close(org.rep, summarized)
        assert set(err.value.gaps) == {"flag_open", "meals", "photo"}
        assert "餐费发票还差 400.00 元" in err.value.message and "缺会议照片" in err.value.message
        assert summarized.status.value == "summarized"
    finally:
        proposals.CLOSE_CHECKS.remove(evidence_gaps)
