"""The action log as an administrator reads it on the page: an entry's action,
its object and its before → after values in words, as everywhere else people
look (codes stay in the API, SPEC §10). The words come from meetings/labels.py;
tests/audit/test_words.py fails when an entry the service writes would show a
code here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from flask_babel import gettext

from ..actionlog import ActionLogEntry
from ..labels import FIELDS, LABELS, label, label_text, listed
from ..types import to_local

# The kind of code a value is, by its key — by the entry's object type where
# one key means different things ("status" of a meeting or of an invitee).
VALUE_KINDS: dict[str, str | dict[str, str]] = {
    "status": {"meeting": "Status", "invitee": "InviteeStatus", "followup": "FollowUpStatus",
               "question": "QuestionStatus", "flag": "FlagStatus"},
    "role": {"invitee": "InviteeRole", "user": "Role"},
    "format": {"meeting": "Format"},  # an export's format is a file type: CSV, XLSX
    "source": {"checkin": "Source", "doctor": "object_type"},  # a doctor's support: from prescriptions
    "title": "Title", "position": "Position", "level": "HospitalLevel",
    "outcome": "Outcome", "purpose": "Purpose", "audience": "Audience", "grade": "Grade",
    "override": "Grade", "computed": "Grade",
    "reason": {"user": "login_failure"},  # a failed login's; an erasure's reason is someone's words
    "export": "export",
    "kind": {"attachment": "AttachmentKind"}, "category": "BudgetCategory",
}
TIME_KEYS = ("starts_at", "signed_before", "from", "to")
# Keys whose value is a list of [budget category, amount] pairs, or of field names.
BUDGET_LISTS = ("budget", "actual_spend")
FIELD_LISTS = ("texts_changed",)


@dataclass(frozen=True)
class Line:
    field: str
    value: str


@dataclass(frozen=True)
class EntryWords:
    action: str
    object: str
    before: list[Line]
    after: list[Line]


def field_words(key: str, entry: ActionLogEntry) -> str:
    if entry.action == "export" and key == "format":
        return gettext("File type")
    text = FIELDS.get(key)
    return str(text) if text is not None else key


def _kind(key: str, object_type: str) -> str | None:
    kind = VALUE_KINDS.get(key)
    return kind.get(object_type) if isinstance(kind, dict) else kind


def value_words(key: str, value, entry: ActionLogEntry) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if key in BUDGET_LISTS and isinstance(value, list):
        return listed(" ".join(_budget_line(line)) for line in value)
    if key in FIELD_LISTS and isinstance(value, list):
        return listed(field_words(str(name), entry) for name in value)
    if isinstance(value, list):
        return listed(value_words(key, item, entry) for item in value)
    if isinstance(value, dict):
        return listed(f"{field_words(k, entry)} {value_words(k, v, entry)}" for k, v in value.items())
    if isinstance(value, str):
        kind = _kind(key, entry.object_type)
        if kind is not None and label_text(value, kind) is not None:
            return label(value, kind)
        if value == "changed":
            return gettext("changed")
        if key in TIME_KEYS or key.endswith("_at"):
            return _local_time(value)
        if entry.action == "export" and key == "format":
            return value.upper()
    return str(value)


def _budget_line(line) -> tuple[str, str]:
    if isinstance(line, (list, tuple)) and len(line) == 2:
        return label(line[0], "BudgetCategory"), str(line[1])
    return str(line), ""


def _local_time(text: str) -> str:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return text
    return to_local(when if when.tzinfo else when.replace(tzinfo=timezone.utc)).strftime("%Y-%m-%d %H:%M")


def options(kind: str) -> list[tuple[str, str]]:
    """(code, words) of every action or object type, by words: the page's filters."""
    return sorted(((code, str(text)) for code, text in LABELS[kind].items()), key=lambda option: option[1])


def lines(values: dict | None, entry: ActionLogEntry) -> list[Line]:
    return [Line(field_words(key, entry), value_words(key, value, entry))
            for key, value in (values or {}).items()]


def entry_words(entry: ActionLogEntry) -> EntryWords:
    thing = label(entry.object_type, "object_type")
    return EntryWords(action=label(entry.action, "action"),
                      object=f"{thing} {entry.object_id}" if entry.object_id is not None else thing,
                      before=lines(entry.before, entry), after=lines(entry.after, entry))
