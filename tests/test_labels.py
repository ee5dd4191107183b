"""One registry of words for codes (meetings/labels.py): every enum of every
model has a label, in English and in Chinese; messages name fields in words."""
from __future__ import annotations

import enum
import importlib
import pkgutil
import re

import pytest
from flask_babel import force_locale

import meetings
from meetings.labels import LABELS, bilingual, colon, field_label, humanize, label, validation_message
from tests.conftest import PASSWORD

HAN = re.compile(r"[\u4e00-\u9fff]")


def model_enums() -> list[type[enum.Enum]]:
    found = {}
    for module in pkgutil.walk_packages(meetings.__path__, "meetings."):
        if module.name.endswith(".models"):
            for value in vars(importlib.import_module(module.name)).values():
                if (isinstance(value, type) and issubclass(value, enum.Enum) and value is not enum.Enum
                        and value.__module__ == module.name):
                    found[value.__qualname__] = value
    return list(found.values())


def test_the_models_have_enums_to_check():
    names = {e.__name__ for e in model_enums()}
    assert {"Status", "BudgetCategory", "SegmentKind", "QuestionStatus", "Title"} <= names


@pytest.mark.parametrize("enum_cls", model_enums(), ids=lambda e: e.__name__)
def test_every_enum_value_has_a_label_in_both_languages(app, enum_cls):
    assert enum_cls.__name__ in LABELS, f"{enum_cls.__name__} has no labels in meetings/labels.py"
    for member in enum_cls:
        assert member.value in LABELS[enum_cls.__name__], f"{enum_cls.__name__}.{member.value} has no label"
        with app.test_request_context(), force_locale("en"):
            english = label(member)
        with app.test_request_context(), force_locale("zh"):
            chinese = label(member)
        assert english != member.value or " " in english, english
        assert HAN.search(chinese), f"{enum_cls.__name__}.{member.value}: no Chinese ({chinese!r})"


def test_history_actions_have_labels(app):
    with app.test_request_context(), force_locale("zh"):
        for action in ("create", "submit", "approve", "return", "reject", "cancel", "start",
                       "finish", "close", "promote_backup", "summary", "summary_edit"):
            assert HAN.search(label(action, "action")), action


def test_field_keys_in_messages_become_words(app):
    with app.test_request_context(), force_locale("zh"):
        assert humanize("meals: 餐费会引起合规部门关注") == "餐费：餐费会引起合规部门关注"
        assert field_label("segments.2.quiz") == "第3个环节 · 问答题目"
        assert field_label("budget.lines.0.amount") == "第1个预算 · 金额"
        text = humanize("开会前提未满足：supply_channel_open（供货渠道通畅，药房能拿到药）")
        assert text == "开会前提未满足：供货渠道通畅，药房能拿到药"
        assert not re.search(r"[a-z]+_[a-z]+", humanize("off_site: 科室外会议会引起合规部门关注"))


def test_marshmallow_messages_are_translated(app):
    with app.test_request_context(), force_locale("zh"):
        assert validation_message("Missing data for required field.") == "必填。"
        assert validation_message("Not a valid number.") == "不是有效的数字。"
        assert validation_message("Must be greater than or equal to 1.") == "不能小于 1。"
        assert validation_message("Longer than maximum length 200.") == "最多 200 个字符。"


def test_printed_labels_carry_both_languages(app):
    from meetings.proposals.models import Status
    with app.test_request_context():
        assert bilingual(Status.held) == "已召开 Held"


def test_a_label_and_its_value_are_joined_by_the_readers_colon(app, client, org):
    with app.test_request_context(), force_locale("zh"):
        assert colon() == "："
    with app.test_request_context(), force_locale("en"):
        assert colon() == ": "
    client.post("/login", data={"username": org.admin.username, "password": PASSWORD})
    html = client.get(f"/admin/users/{org.rep.id}/edit").get_data(as_text=True)
    assert f"用户名：<strong>{org.rep.username}</strong>" in html and "用户名:" not in html
