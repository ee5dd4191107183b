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
from meetings.labels import LABELS, bilingual, colon, errors_text, field_label, field_message, label
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


def test_fields_in_messages_are_named_by_their_labels(app):
    with app.test_request_context(), force_locale("zh"):
        assert field_message("meals", "餐费会引起合规部门关注") == "餐费：餐费会引起合规部门关注"
        assert field_label("segments.2.quiz") == "第3个环节 · 问答题目"
        assert field_label("segments-2-quiz") == "第3个环节 · 问答题目"  # a form's key
        assert field_label("budget.lines.0.amount") == "第1个预算 · 金额"
        assert errors_text({"topic": "必填。", "starts_at": "开始时间必须在将来"}) == \
            "会议主题：必填。；开始时间：开始时间必须在将来"
    with app.test_request_context(), force_locale("en"):
        assert field_message("starts_at", "required") == "Starts: required"


def test_marshmallow_messages_are_translated_when_raised(app):
    from marshmallow import Schema, fields, validate

    class Probe(Schema):
        n = fields.Integer(required=True)
        s = fields.String(validate=validate.Length(max=200))

    with app.test_request_context(), force_locale("zh"):
        errors = Probe().validate({"s": "x" * 201})
        assert errors == {"n": ["必填。"], "s": ["最多 200 个字符。"]}
        assert Probe().validate({"n": "x"})["n"] == ["不是整数。"]
    with app.test_request_context(), force_locale("en"):
        assert Probe().validate({"s": "x" * 201})["s"] == ["At most 200 characters."]


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
