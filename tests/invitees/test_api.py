from flask_babel import refresh


def test_invitee_endpoints(org, api_as, make_meeting, make_doctor):
    meeting = make_meeting()
    rep = api_as(org.rep)
    a1, a2 = make_doctor(org.hospital, "A"), make_doctor(org.hospital, "A")
    primary = rep.post(f"/meetings/{meeting.id}/invitees", {"doctor_id": a1.id, "role": "primary"})
    assert primary.status_code == 201
    assert primary.json["grade"] == "A" and primary.json["status"] == "invited"
    assert rep.post(f"/meetings/{meeting.id}/submit").json["reason"] == "backup_missing"
    backup = rep.post(f"/meetings/{meeting.id}/invitees",
                      {"doctor_id": a2.id, "role": "backup", "backup_for": primary.json["id"]})
    assert backup.status_code == 201 and backup.json["backup_for"] == primary.json["id"]
    twice = rep.post(f"/meetings/{meeting.id}/invitees", {"doctor_id": a1.id, "role": "primary"})
    assert twice.status_code == 422 and "doctor_id" in twice.json["errors"]
    declined = rep.post(f"/meetings/{meeting.id}/invitees/{primary.json['id']}/decline")
    assert declined.status_code == 200 and declined.json["status"] == "declined"
    promoted = rep.get(f"/meetings/{meeting.id}/invitees/{backup.json['id']}").json
    assert promoted["role"] == "primary"
    confirmed = rep.post(f"/meetings/{meeting.id}/invitees/{backup.json['id']}/confirm")
    assert confirmed.json["status"] == "confirmed"
    assert len(rep.get(f"/meetings/{meeting.id}/invitees").json) == 2
    assert api_as(org.pm).post(f"/meetings/{meeting.id}/invitees",
                               {"doctor_id": a1.id}).status_code == 403
    assert rep.get(f"/meetings/{meeting.id}/invitees/99999").status_code == 404
    assert rep.post(f"/meetings/{meeting.id}/invitees", {"doctor_id": 99999}).status_code == 422


def test_the_meeting_lists_key_invitees_to_reconfirm(org, api_as, make_meeting, make_doctor):
    meeting = make_meeting()
    rep = api_as(org.rep)
    key = rep.post(f"/meetings/{meeting.id}/invitees",
                   {"doctor_id": make_doctor(org.hospital, "A").id}).json
    backup = rep.post(f"/meetings/{meeting.id}/invitees",
                      {"doctor_id": make_doctor(org.hospital, "A").id, "role": "backup",
                       "backup_for": key["id"]}).json
    rep.post(f"/meetings/{meeting.id}/invitees", {"doctor_id": make_doctor(org.hospital, "C").id})
    assert rep.get(f"/meetings/{meeting.id}").json["to_reconfirm"] == [key["id"], backup["id"]]
    rep.post(f"/meetings/{meeting.id}/invitees/{key['id']}/confirm")
    assert rep.get(f"/meetings/{meeting.id}").json["to_reconfirm"] == [backup["id"]]


def test_submit_without_a_primary_invitee_is_422_naming_the_list(org, api_as, make_meeting, make_doctor):
    meeting = make_meeting()
    rep = api_as(org.rep)
    refresh()  # the test's app context cached the factory's locale; each request has its own
    refused = rep.post(f"/meetings/{meeting.id}/submit")
    assert refused.status_code == 422
    assert refused.json["reason"] == "invitees_missing" and refused.json["code"] == 422
    assert set(refused.json["errors"]) == {"invitees"}
    assert "primary invitee" in refused.json["message"]
    refresh()
    chinese = rep.post(f"/meetings/{meeting.id}/submit", headers={"Accept-Language": "zh"})
    assert "主邀医生" in chinese.json["message"] and chinese.json["reason"] == "invitees_missing"
    # a primary who declined is nobody
    only = rep.post(f"/meetings/{meeting.id}/invitees",
                    {"doctor_id": make_doctor(org.hospital, "C").id, "role": "primary"}).json
    rep.post(f"/meetings/{meeting.id}/invitees/{only['id']}/decline")
    assert rep.post(f"/meetings/{meeting.id}/submit").json["reason"] == "invitees_missing"
    assert rep.get(f"/meetings/{meeting.id}").json["status"] == "draft"
    rep.post(f"/meetings/{meeting.id}/invitees", {"doctor_id": make_doctor(org.hospital, "D").id})
    submitted = rep.post(f"/meetings/{meeting.id}/submit")
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
