"""The admin's action log page in words (meetings/audit/words.py): actions,
objects, keys and values as a person reads them; the API keeps the codes."""
from __future__ import annotations

import ast
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

import meetings
from meetings.actionlog import ActionLogEntry
from meetings.audit.words import entry_words
from meetings.auth.services import AUDITED_USER_FIELDS
from meetings.doctors.services import DEPARTMENT_FIELDS, DOCTOR_FIELDS, HOSPITAL_FIELDS
from meetings.exports.registry import EXPORTERS
from meetings.extensions import db
from meetings.labels import FIELDS, LABELS
from meetings.proposals.services import AUDITED_FIELDS
from tests.conftest import PASSWORD

HAN = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"^[a-z]+(?:_[a-z]+)+$")  # check_in, wrong_password, pending_regional
# where each call names an action or an object type: (function, argument index, registry)
NAMING_CALLS = {"log_action": ((1, "action"), (2, "object_type")), "record_transition": ((1, "action"),),
                "note_in_history": ((1, "action"),), "move": ((3, "action"),), "_log_update": ((1, "object_type"),)}


# names the services build a log entry's values under before they pass them
VALUE_DICTS = {"before", "after", "counts", "view"}
TRANSITION_PARAMETERS = {"comment", "before"}  # record_transition's and move()'s own; the rest are values


def _strings(node) -> set[str]:
    return {e.value for e in ast.walk(node) if isinstance(e, ast.Constant) and isinstance(e.value, str)}


def _codes_the_services_log() -> dict[str, set[str]]:
    """Every action, object type and before/after key the package's source
    names: the arguments of the calls that write entries, the keys of dicts
    passed to them or filled as before[…]/after[…]/counts[…], the keywords of
    a transition, the keys the *_view helpers return and snapshot()'s fields."""
    found = {"action": set(), "object_type": set(), "key": set()}
    for path in Path(meetings.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.endswith("_view"):
                for ret in (n for n in ast.walk(node) if isinstance(n, ast.Return) and n.value is not None):
                    for d in (n for n in ast.walk(ret) if isinstance(n, ast.Dict)):
                        found["key"] |= {k.value for k in d.keys if isinstance(k, ast.Constant)}
            elif (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)
                  and getattr(node.value, "id", None) in VALUE_DICTS and isinstance(node.slice, ast.Constant)):
                found["key"].add(node.slice.value)
            elif isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "snapshot":  # snapshot(obj, ("name", "region_id", …))
                    found["key"] |= _strings(node)
                if name not in NAMING_CALLS:
                    continue
                for index, kind in NAMING_CALLS[name]:
                    if len(node.args) > index and isinstance(node.args[index], ast.Constant):
                        found[kind].add(node.args[index].value)
                for keyword in node.keywords:
                    if keyword.arg in ("before", "after") and isinstance(keyword.value, ast.Dict):
                        found["key"] |= {k.value for k in keyword.value.keys if isinstance(k, ast.Constant)}
                    elif (name in ("move", "record_transition") and keyword.arg not in TRANSITION_PARAMETERS
                          and keyword.arg is not None):
                        found["key"].add(keyword.arg)
    found["export"] = set()
    for exporter in EXPORTERS.values():
        found["object_type"].add(exporter.object_type)
        found["export"].add(exporter.name)
    found["key"] |= set(AUDITED_FIELDS) | set(AUDITED_USER_FIELDS) | set(HOSPITAL_FIELDS) | set(DEPARTMENT_FIELDS)
    found["key"] |= set(DOCTOR_FIELDS)
    # keys made at run time: an export's filters (Exporter.detail), the lists of a
    # doctor's data export (privacy.services.export_doctor), a user's changed fields
    found["key"] |= {"status", "province_id", "from", "to"}
    found["key"] |= {"invitations", "checkins", "followups", "questions", "spend", "prescriptions"}
    found["key"] |= {"display_name", "email", "username", "password"}
    return found


def test_the_scan_finds_the_codes_it_checks(app):
    found = _codes_the_services_log()
    assert {"check_in", "login_failed", "approve", "promote_backup", "purge_signatures"} <= found["action"]
    assert {"meeting", "checkin", "prescriptions", "hospital"} <= found["object_type"]
    assert {"meeting_id", "spent", "texts_changed", "approval_limit", "headcount"} <= found["key"]
    assert {"meetings", "attendance"} <= found["export"]


def test_every_action_object_and_key_the_services_log_has_words_in_both_languages(app):
    found = _codes_the_services_log()
    with app.test_request_context(), force_locale("zh"):
        for kind in ("action", "object_type", "export"):
            for code in found[kind]:
                assert code in LABELS[kind], f"{kind} {code!r}: no words in meetings/labels.py"
                assert HAN.search(str(LABELS[kind][code])), f"{kind} {code!r}: no Chinese"
        for key in found["key"]:
            assert key in FIELDS, f"log key {key!r}: no words in labels.FIELDS"
            assert HAN.search(str(FIELDS[key])), f"log key {key!r}: no Chinese"


def _entry(action="update", object_type="meeting", before=None, after=None):
    return ActionLogEntry(action=action, object_type=object_type, object_id=7, before=before, after=after)


def _words(entry) -> list[tuple[str, str]]:
    return [(line.field, line.value) for line in entry_words(entry).after]


def test_values_read_as_words(app):
    with app.test_request_context(), force_locale("zh"):
        words = entry_words(_entry("approve", "meeting", before={"status": "pending_regional"},
                                   after={"status": "approved", "comment": "同意，注意控制餐费"}))
        assert (words.action, words.object) == ("已批准", "会议 7")
        assert [(line.field, line.value) for line in words.before] == [("状态", "待大区经理审批")]
        assert _words(_entry(after={"status": "attended"}, object_type="invitee")) == [("状态", "已到会")]
        # not "查看", the Open button's word
        assert _words(_entry(after={"status": "open"}, object_type="followup")) == [("状态", "待办")]
        assert _words(_entry(after={"actual_spend": [["meals", "1400.00"], ["gifts", "600.00"]]})) == [
            ("实际花费", "餐费 1400.00、礼品 600.00")]
        assert _words(_entry("check_in", "checkin", after={"meal_opt_in": True, "doctor_id": None,
                                                           "source": "self"})) == [
            ("留下用餐", "是"), ("医生", "—"), ("来源", "扫码自助签到")]
        assert _words(_entry("login_failed", "user", after={"reason": "wrong_password"})) == [("原因", "密码错误")]
        assert _words(_entry("erase", "doctor", after={"reason": "wrong_password"}))[0][1] == "wrong_password"
        assert _words(_entry("export", "meeting", after={"export": "attendance", "format": "xlsx"})) == [
            ("导出内容", "签到名单"), ("文件类型", "XLSX")]
        assert _words(_entry("support_update", "doctor", after={"source": "prescriptions", "grade": "A"})) == [
            ("来源", "处方数据"), ("客户分级", "A 类——重点维护")]
        assert _words(_entry(after={"texts_changed": ["feedback", "next_steps"]})) == [
            ("修改的文字", "医生反响、下一步计划")]
        when = datetime(2026, 12, 14, 0, 30, tzinfo=timezone.utc).isoformat()
        assert _words(_entry(after={"starts_at": when})) == [("开始时间", "2026-12-14 08:30")]
    with app.test_request_context(), force_locale("en"):
        words = entry_words(_entry("draw", "budget", after={"spent": "2300.00", "meeting_id": 4}))
        assert (words.action, words.object) == ("Drawn from the budget", "Budget pool 7")
        assert _words(_entry(after={"actual_spend": [["meals", "1400.00"], ["gifts", "600.00"]]})) == [
            ("Actual spend", "Meals 1400.00, Gifts 600.00")]


def _visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html.split('id="action-log"', 1)[1])


def test_the_page_shows_every_entry_of_the_demo_in_words(app, client):
    assert app.test_cli_runner().invoke(args=["seed-demo", "--allow-production"]).exit_code == 0
    assert client.post("/login", data={"username": "rep", "password": "wrong-password"}).status_code == 401
    assert client.post("/login", data={"username": "admin", "password": "demo-password"}).status_code == 302
    entries = db.session.scalars(select(ActionLogEntry)).all()
    assert {"login_failed", "check_in", "approve", "import", "settle", "add_invitee"} <= {e.action for e in entries}
    with app.test_request_context(), force_locale("zh"):
        for entry in entries:
            words = entry_words(entry)
            assert HAN.search(words.action) and HAN.search(words.object), (entry.action, entry.object_type)
            for line in words.before + words.after:
                assert HAN.search(line.field), (entry.action, line)
                assert not CODE.match(line.value) and line.value not in ("None", "True", "False", "null"), line
    html = client.get("/admin/audit").get_data(as_text=True)
    text = _visible_text(html)
    assert "同意，注意控制餐费" in text and "\\u" not in text and "<code>" not in html
    for code in ("check_in", "add_invitee", "login_failed", "wrong_password", "meeting_id", "in_progress"):
        assert code not in text, code
    assert "变更前" in html and "会前" not in html


@pytest.mark.parametrize("field, code", [("action", "check_in"), ("object_type", "checkin")])
def test_the_filters_offer_words_and_send_codes(app, client, org, field, code):
    client.post("/login", data={"username": org.admin.username, "password": PASSWORD})
    html = client.get(f"/admin/audit?{field}={code}").get_data(as_text=True)
    select_html = html.split(f'name="{field}"', 1)[1].split("</select>", 1)[0]
    with app.test_request_context(), force_locale("zh"):
        assert f'<option value="{code}" selected>{LABELS[field][code]}</option>' in select_html
