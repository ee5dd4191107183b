"""A generated permission matrix (issue 15): every API route × every role.
Each part fails when a permission check is removed:

- nobody without a token gets past any route but the token request;
- every GET and every empty-body action on a meeting answers 403/404 to
  every role of another province or region (nothing leaks, nothing changes);
- master-data writes are the administrator's (403 for every other role).
"""
from __future__ import annotations

import re

import pytest

from meetings.auth.models import Role
from meetings.extensions import db

PUBLIC = {"/api/v1/auth/token", "/api/v1/openapi.json"}
OUTSIDER_ROLES = [Role.rep, Role.provincial_manager, Role.staff, Role.regional_manager]
# Bodyless meeting actions: their arguments are all optional, so the
# permission check is what answers.
ACTION_BODY: dict = {}


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")]


def _url(rule, ids: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), 1)), rule.rule)


def test_no_route_but_the_token_request_answers_without_a_token(app, client, make_meeting):
    meeting = make_meeting("approved")
    tried = 0
    for rule in _rules(app):
        if rule.rule in PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_url(rule, {"meeting_id": meeting.id}), method=method, json={})
            tried += 1
            assert response.status_code == 401, (method, rule.rule, response.status_code)
    assert tried > 40


@pytest.fixture
def outsiders(make_province, make_region, make_user):
    other_region = make_region()
    other = make_province(region=other_region)
    users = {role: make_user(role, province=other) for role in (Role.rep, Role.provincial_manager, Role.staff)}
    users[Role.regional_manager] = make_user(Role.regional_manager, region=other_region)
    return users


def test_meetings_of_another_province_are_invisible_to_every_role(app, org, api_as, make_meeting, outsiders,
                                                                  make_doctor):
    meeting = make_meeting("in_progress")
    from meetings.checkin import services as checkin
    doctor = make_doctor(org.hospital)
    record, _ = checkin.check_in(org.staff, meeting, doctor_id=doctor.id)
    db.session.commit()
    ids = {"meeting_id": meeting.id, "checkin_id": record.id}
    meeting_rules = [r for r in _rules(app) if "<int:meeting_id>" in r.rule]
    assert len(meeting_rules) > 10
    tried = 0
    for role, user in outsiders.items():
        api = api_as(user)
        for rule in meeting_rules:
            for method in sorted(rule.methods & {"GET", "POST"}):
                if method == "POST" and not _bodyless_action(rule):
                    continue
                response = api.client.open(_url(rule, ids), method=method, json=ACTION_BODY,
                                           headers={"Authorization": f"Bearer {api.token}"})
                tried += 1
                assert response.status_code in (403, 404), (role.value, method, rule.rule,
                                                             response.status_code)
    assert tried > 60
    db.session.refresh(meeting)
    assert meeting.status.value == "in_progress" and not record.voided


def _bodyless_action(rule) -> bool:
    return bool(re.search(r"/(submit|approve|reject|return|cancel|start|finish|close|confirm|decline)$",
                          rule.rule))


ADMIN_WRITES = [
    ("POST", "/users", {"username": "someone", "password": "long-enough-1", "role": "marketing"}),
    ("POST", "/regions", {"name": "新大区"}),
    ("POST", "/provinces", lambda org: {"name": "新省区", "region_id": org.region.id, "approval_limit": "5000"}),
    ("POST", "/hospitals", lambda org: {"name": "新医院", "level": "tertiary", "city": "南京",
                                        "province_id": org.province.id}),
    ("PATCH", "/users/{rep}", {"display_name": "改名"}),
]


@pytest.mark.parametrize("role", [Role.rep, Role.provincial_manager, Role.regional_manager, Role.staff,
                                  Role.marketing])
def test_master_data_writes_are_for_administrators(org, api_as, role):
    user = {Role.rep: org.rep, Role.provincial_manager: org.pm, Role.regional_manager: org.rm,
            Role.staff: org.staff, Role.marketing: org.marketing}[role]
    api = api_as(user)
    for method, path, body in ADMIN_WRITES:
        body = body(org) if callable(body) else body
        response = api.client.open("/api/v1" + path.format(rep=org.rep.id), method=method, json=body,
                                   headers={"Authorization": f"Bearer {api.token}"})
        assert response.status_code == 403, (role.value, method, path, response.status_code)
    admin = api_as(org.admin)
    for method, path, body in ADMIN_WRITES:
        body = body(org) if callable(body) else body
        response = admin.client.open("/api/v1" + path.format(rep=org.rep.id), method=method, json=body,
                                     headers={"Authorization": f"Bearer {admin.token}"})
        assert response.status_code in (200, 201), (method, path, response.json)


def test_compliance_reads_every_meeting_of_every_province_and_changes_none(app, org, api_as, make_meeting,
                                                                          make_user, make_doctor):
    """SPEC §1: compliance reads every meeting (and the action log) and may
    change none: every write on a meeting's routes is refused, whatever body."""
    meeting = make_meeting("in_progress")
    from meetings.checkin import services as checkin
    doctor = make_doctor(org.hospital)
    record, _ = checkin.check_in(org.staff, meeting, doctor_id=doctor.id)
    db.session.commit()
    officer = make_user(Role.compliance)
    api = api_as(officer)
    ids = {"meeting_id": meeting.id, "checkin_id": record.id}
    headers = {"Authorization": f"Bearer {api.token}"}
    read = changed = 0
    for rule in _rules(app):
        if "<int:meeting_id>" not in rule.rule:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = api.client.open(_url(rule, ids), method=method, json=ACTION_BODY, headers=headers)
            if method == "GET":
                read += 1
                assert response.status_code not in (401, 403), (rule.rule, response.status_code)
            else:
                changed += 1
                assert 400 <= response.status_code < 500, (method, rule.rule, response.status_code)
    assert read > 10 and changed > 10
    assert api.get(f"/meetings/{meeting.id}").status_code == 200
    assert api.get("/audit").status_code == 200
    db.session.refresh(meeting)
    assert meeting.status.value == "in_progress" and not record.voided
