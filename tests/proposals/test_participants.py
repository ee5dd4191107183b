"""Issue 32, 6: speaker and staff are users who may see the meeting (SPEC
§1). A rep attaching another province's manager put that meeting into their
private calendar feed; and "no such user" for unknown ids told which exist.
Unknown, inactive and not allowed now get the same 422."""
from __future__ import annotations

import json

import pytest

from meetings.auth.models import Role
from meetings.proposals import services
from tests.conftest import jsonable, meeting_data


@pytest.fixture
def elsewhere(make_region, make_province, make_user):
    province = make_province(region=make_region())
    return {"pm": make_user(Role.provincial_manager, province=province),
            "staff": make_user(Role.staff, province=province)}


def _create(api, org, **overrides):
    return api.post("/meetings", json=json.loads(json.dumps(jsonable(meeting_data(org, **overrides)))))


def test_people_who_see_the_meeting_may_be_speaker_and_staff(org, api_as):
    api = api_as(org.rep)
    response = _create(api, org, speaker_id=org.rm.id, staff_ids=[org.staff.id, org.pm.id, org.rep.id])
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("field", ["speaker_id", "staff_ids"])
def test_a_user_who_may_not_see_the_meeting_is_refused_like_an_unknown_id(org, api_as, elsewhere,
                                                                         make_user, field):
    api = api_as(org.rep)
    other_rep = make_user(Role.rep, province=org.province)  # sees only their own meetings
    inactive = make_user(Role.staff, province=org.province)
    inactive.active = False
    answers = {}
    for name, user_id in (("other province", elsewhere["pm"].id), ("other rep", other_rep.id),
                          ("inactive", inactive.id), ("unknown", 999_999)):
        response = _create(api, org, **{field: user_id if field == "speaker_id" else [user_id]})
        assert response.status_code == 422, (name, response.json)
        assert set(response.json["errors"]) == {field}
        answers[name] = response.json["message"].replace(str(user_id), "#")
    assert len(set(answers.values())) == 1, answers  # nothing tells the cases apart


def test_the_proposal_form_offers_only_those_people(org, make_user, elsewhere):
    other_rep = make_user(Role.rep, province=org.province)
    offered = {u.id for u in services.colleagues(org.rep)}
    assert {org.rep.id, org.pm.id, org.staff.id, org.rm.id} <= offered
    assert other_rep.id not in offered and elsewhere["pm"].id not in offered


def test_the_calendar_feed_lists_only_meetings_the_user_may_see(org, make_meeting, elsewhere):
    from meetings.exports.calendar import upcoming_meetings

    meeting = make_meeting("approved")
    meeting.speaker_id = elsewhere["pm"].id  # attached before the rule (an old row)
    meeting.staff.append(elsewhere["staff"])
    assert meeting not in upcoming_meetings(elsewhere["pm"])
    assert meeting not in upcoming_meetings(elsewhere["staff"])
    assert meeting in upcoming_meetings(org.pm)
