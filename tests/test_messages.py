"""Every message a person can be shown, in both languages, is words (issue 25):
no identifier (a snake_case token, a field's name, an enum value such as
`committed`) and, in Chinese, no English sentence; a field is named by its
label. Collected three ways:

- the catalog: every msgid of the code and the templates, as Chinese;
- the refusals: every `raise SomeDomainError(...)` in meetings/ (found by
  reading the source) says words through gettext, and the fields it names have
  labels; the DomainError's text is built from those parts;
- the input schemas: every marshmallow schema of meetings/ loaded with bad
  input (nothing, then the wrong kind of value in each field), its messages
  rendered per field as a page and the API show them.
"""
from __future__ import annotations

import ast
import enum
import importlib
import pkgutil
import re
from pathlib import Path

import marshmallow as ma
import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

import meetings
from meetings import errors
from meetings.errors import DomainError, InvalidInput, flat_messages
from meetings.labels import errors_text, field_label
from meetings.rest import Args

ROOT = Path(meetings.__file__).resolve().parent
PO = ROOT.parent / "translations" / "zh" / "LC_MESSAGES" / "messages.po"

PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\w*(?:![rs])?\}")
SNAKE = re.compile(r"\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b")
FIELD_PREFIX = re.compile(r"^(?:[a-z_][a-z0-9_]*|%\(\w+\)s)(?:\.(?:[a-z_][a-z0-9_]*|%\(\w+\)s))*: ")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*")
# Latin words a Chinese reader meets in these texts: file formats, units and
# marks that are not English prose (and the letters of the A–D grades).
ALLOWED_IN_CHINESE = {
    "CSV", "XLSX", "PNG", "PDF", "QR", "UTF-8", "GBK", "GB18030", "iCal", "webcal", "URL", "ID", "API",
    "SMTP", "MB", "KB", "Q4", "JSON", "JPEG", "WebP", "SHA-256", "ISO", "W51", "YYYY-MM",
    "Excel", "WPS", "PIN", "U", "Q", "A", "B", "C", "D", "No", "E-mail", "Email", "mm", "px",
}


def model_enum_values() -> set[str]:
    values = set()
    for module in pkgutil.walk_packages(meetings.__path__, "meetings."):
        if module.name.endswith(".models"):
            for value in vars(importlib.import_module(module.name)).values():
                if isinstance(value, type) and issubclass(value, enum.Enum) and value is not enum.Enum:
                    values.update(str(m.value) for m in value if len(str(m.value)) > 1)
    return values


ENUM_VALUES = model_enum_values()


def not_words_in_chinese(text: str) -> list[str]:
    """What in a Chinese text is not Chinese words: identifiers, enum values,
    English words (an untranslated sentence)."""
    text = PLACEHOLDER.sub("", text)
    text = re.sub(r"https?://\S+|webcal://\S+|/api/v1\S*|U\+[0-9A-F]{4,6}", "", text)
    found = SNAKE.findall(text)
    found += [w for w in LATIN_WORD.findall(text) if w not in ALLOWED_IN_CHINESE]
    return found


def identifiers_in_english(text: str) -> list[str]:
    text = PLACEHOLDER.sub("", text)
    found = SNAKE.findall(text)
    if FIELD_PREFIX.match(text):
        found.append(FIELD_PREFIX.match(text).group(0))
    return found


# ---------------------------------------------------------------- the catalog

def catalog():
    with PO.open("rb") as f:
        return [m for m in read_po(f) if m.id]


# Texts that must show a file's column headers as the file spells them.
COLUMN_HEADERS = {
    "Monthly boxes per doctor and product, as CSV (UTF-8) or XLSX with the columns doctor_id, month "
    "(YYYY-MM), product, boxes. At most %(mb)s MB and %(rows)s rows. Importing the same file again "
    "changes nothing.",
}


def test_every_chinese_text_is_words():
    wrong = {}
    for message in catalog():
        if message.id in COLUMN_HEADERS:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            found = not_words_in_chinese(text)
            if found:
                wrong[ids[0]] = (text, found)
    assert not wrong, wrong


def test_no_message_starts_with_a_field_name():
    """A message about a field says what is wrong; the field is named by its
    label where the message is shown (DomainError(field=…), never "field: …")."""
    prefixed = [m.id for m in catalog() if isinstance(m.id, str) and FIELD_PREFIX.match(m.id)]
    assert not prefixed, prefixed


# ---------------------------------------------------------------- the refusals

def domain_error_names() -> set[str]:
    for module in pkgutil.walk_packages(meetings.__path__, "meetings."):
        importlib.import_module(module.name)
    names, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


TRANSLATED = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "Message"}


def raise_sites():
    """(where, call) for every `raise E(...)` / `return E(...)` of a DomainError in meetings/."""
    names = domain_error_names()
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Raise, ast.Return)) and isinstance(getattr(node, "exc", None)
                                                                          or getattr(node, "value", None),
                                                                          ast.Call):
                call = node.exc if isinstance(node, ast.Raise) else node.value
                func = call.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in names:
                    yield f"{path.relative_to(ROOT.parent)}:{node.lineno}", call


def test_the_code_raises_domain_errors_to_check():
    assert len(list(raise_sites())) > 150


def _words_call(node) -> bool:
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        return name in TRANSLATED or name == "str" and all(_words_call(a) for a in node.args)
    if isinstance(node, ast.IfExp):
        return _words_call(node.body) and _words_call(node.orelse)
    # a name or an attribute: a message built (and translated) elsewhere
    return isinstance(node, (ast.Name, ast.Attribute, ast.Subscript))


def test_every_refusal_says_words_through_the_catalog():
    """A refusal's message is gettext(...) (so it is in the catalog, which the
    test above reads in Chinese) — never a literal or an f-string in English."""
    untranslated = [where for where, call in raise_sites() if call.args and not _words_call(call.args[0])]
    assert not untranslated, untranslated


def refusal_fields() -> set[str]:
    """The field names the refusals name (`field="…"`, f-strings with 0 for
    their numbers, and the keys given to Problems.add)."""
    found, names = set(), domain_error_names()

    def text_of(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else "0" for v in node.values)
        return None

    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in names:
                for keyword in node.keywords:
                    value = text_of(keyword.value) if keyword.arg == "field" else None
                    if value:
                        found.add(value)
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "add" and getattr(node.func.value, "id", None) == "problems"):
                value = text_of(node.args[0])
                if value and re.fullmatch(r"[a-z_][a-z0-9_.]*", value):
                    found.add(value)
    return found


def test_the_fields_refusals_name_have_labels_in_both_languages(app):
    fields = refusal_fields()
    assert {"starts_at", "budget.lines.0.amount", "checked_in_at", "doctor_id"} <= fields
    for language, check in (("zh", not_words_in_chinese), ("en", identifiers_in_english)):
        with app.test_request_context(), force_locale(language):
            unlabelled = {f: field_label(f) for f in fields if check(field_label(f))}
        assert not unlabelled, (language, unlabelled)


def test_a_refusal_names_its_fields_by_their_labels(app):
    with app.test_request_context(), force_locale("zh"):
        refusal = InvalidInput("开始时间必须在将来", field="starts_at")
        assert refusal.text() == "开始时间：开始时间必须在将来"
        assert refusal.payload()["errors"] == {"starts_at": ["开始时间必须在将来"]}  # names for machines
        together = InvalidInput(errors={"topic": "必填。", "actual_spend.0.amount": "不能为负数"})
        assert together.text() == "会议主题：必填。；第1个实际花费 · 金额：不能为负数"
    with app.test_request_context(), force_locale("en"):
        assert InvalidInput("required", field="starts_at").text() == "Starts: required"


def test_problems_reports_every_field_at_once():
    problems = errors.Problems()
    with problems.check():
        raise InvalidInput("in the past", field="starts_at")
    problems.add("topic", "required")
    with pytest.raises(InvalidInput) as refused:
        problems.raise_any()
    assert refused.value.errors == {"starts_at": "in the past", "topic": "required"}


# ---------------------------------------------------------------- the schemas

def input_schemas() -> list[type[ma.Schema]]:
    """The schemas that read input (rest.Args and its kin): output schemas
    never see a person's values."""
    for module in pkgutil.walk_packages(meetings.__path__, "meetings."):
        importlib.import_module(module.name)
    found, todo = {}, [ma.Schema]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if (cls.__module__.startswith("meetings.") and cls._declared_fields
                and (issubclass(cls, Args) or cls.__name__.endswith(("Args", "Filter")))):
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[k] for k in sorted(found)]


def wrong_value(field: ma.fields.Field):
    """A value of the wrong kind for `field` (text for numbers and dates, a
    number for text, a list for objects…), and text too long for strings."""
    if isinstance(field, (ma.fields.Number, ma.fields.Date, ma.fields.DateTime, ma.fields.Boolean,
                          ma.fields.Enum)):
        return ["x", "no-such-value"]
    if isinstance(field, ma.fields.String):
        return [12, "x" * 100_001, "\u202e", " "]
    if isinstance(field, (ma.fields.List, ma.fields.Nested, ma.fields.Dict)):
        return ["x", [1], 1]
    return [object()]


def schema_messages(schema_cls) -> list[dict]:
    """The field → message dicts a schema's refusals render to, for nothing
    and for each wrong value of each field."""
    try:
        schema = schema_cls()
    except TypeError:
        return []
    inputs = [{}]
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        inputs += [{key: value} for value in wrong_value(field)]
        if isinstance(field, ma.fields.List) and isinstance(field.inner, ma.fields.Nested):
            inner = field.inner.schema
            inputs += [{key: [{(f.data_key or n): v for n, f in inner.load_fields.items()
                               for v in wrong_value(f)[:1]}]}]
    out = []
    for data in inputs:
        try:
            schema.load(data)
        except ma.ValidationError as exc:
            out.append(flat_messages(exc.messages))
        except Exception:  # noqa: BLE001 — a value no client sends (object()): not a message
            continue
    return out


def test_there_are_schemas_to_check():
    names = {cls.__name__ for cls in input_schemas()}
    assert {"MeetingArgs", "CheckInArgs", "SummaryArgs", "CompleteArgs", "BudgetArgs"} <= names


@pytest.mark.parametrize("schema_cls", input_schemas(), ids=lambda cls: cls.__name__)
def test_every_schema_message_is_words_in_both_languages(app, schema_cls):
    for language, check in (("zh", not_words_in_chinese), ("en", identifiers_in_english)):
        with app.test_request_context(), force_locale(language):
            wrong = {}
            for errors_ in schema_messages(schema_cls):
                text = errors_text(errors_)
                found = check(text)
                if found:
                    wrong[text] = found
        assert not wrong, (language, wrong)


def test_a_stale_form_is_refused_in_words(app, client):
    """Flask-WTF's reason (English) is replaced by ours, in the page's language."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.post("/login", data={"username": "x", "password": "y"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "CSRF" not in text and "刷新页面" in text
