"""PIPL on the QR page: what is collected and why, before anyone signs."""
from datetime import timedelta

import time_machine


def test_the_qr_page_says_what_is_collected_and_why_before_the_signature(app, client, make_meeting):
    meeting = make_meeting("approved")
    with time_machine.travel(meeting.starts_at - timedelta(minutes=30), tick=False):
        html = client.get(f"/checkin/{meeting.checkin_token}").get_data(as_text=True)
    start = html.index('id="privacy-notice"')
    # above the walk-in form and the signature pad
    assert start < html.index('id="walk-in"') < html.index('id="pad"')
    notice = html[start:html.index("</p>", start)]
    assert "签名" in notice and "证明您参加了本次会议" in notice  # what, and why
    assert "签名在 3 年后删除" in notice  # SIGNATURE_RETENTION_DAYS = 1095


def test_the_retention_on_the_qr_page_follows_the_configuration(app, client, make_meeting):
    app.config["SIGNATURE_RETENTION_DAYS"] = 730
    meeting = make_meeting("approved")
    with time_machine.travel(meeting.starts_at - timedelta(minutes=30), tick=False):
        html = client.get(f"/checkin/{meeting.checkin_token}").get_data(as_text=True)
    assert "签名在 2 年后删除" in html


def test_the_history_names_the_promoted_backup_from_ids_so_an_erased_doctor_stays_erased(
        client, org, make_meeting, make_doctor):
    from meetings.extensions import db
    from meetings.invitees import services as invitees
    from meetings.privacy.services import erase_doctor, erased_name
    from tests.conftest import PASSWORD

    chief = make_doctor(org.hospital, "A", name="张主任")
    deputy = make_doctor(org.hospital, "A", name="李副主任")
    meeting = make_meeting("draft")
    primary = invitees.add_invitee(org.rep, meeting, doctor_id=chief.id, role="primary")
    invitees.add_invitee(org.rep, meeting, doctor_id=deputy.id, role="backup", backup_for=primary.id)
    invitees.decline(org.rep, meeting, primary)
    db.session.commit()
    client.post("/login", data={"username": org.rep.username, "password": PASSWORD})

    def history():
        page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
        return page[page.index('id="history"'):]
    assert "张主任 婉拒参会，由替补 李副主任 顶上" in history()
    erase_doctor(org.admin, deputy.id, "本人申请")
    db.session.commit()
    assert f"由替补 {erased_name(deputy.id)} 顶上" in history() and "李副主任" not in history()
