"""The Chinese catalog: complete, faithful to the msgids' placeholders, compiled,
and used by the pages (Chinese by default, English on request).

After changing user-visible strings run `scripts/i18n.sh`, translate the new
entries in translations/zh/LC_MESSAGES/messages.po and compile again.
"""
from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask_babel import refresh

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.mo"

# %(name)s, %s, %d, {0}, {name}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\w*\}")
# "doctor_id: …", "budget.lines.%(i)s.amount: …", "%(field)s: …": an API field name
# that the pages strip before showing the message beside its field.
FIELD_PREFIX = re.compile(r"^(?:[a-z_][a-z0-9_]*|%\(\w+\)s)(?:\.(?:[a-z_][a-z0-9_]*|%\(\w+\)s))*: ")


def _catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _strings(catalog) -> dict:
    return {m.id: m.string for m in catalog if m.id}


@pytest.fixture(scope="module")
def pot():
    return _catalog(POT)


@pytest.fixture(scope="module")
def po():
    return _catalog(PO)


def test_every_msgid_has_a_chinese_translation(pot, po):
    translations = {m.id: m for m in po if m.id}
    missing = [m.id for m in pot if m.id and not (translations.get(m.id) and translations[m.id].string)]
    fuzzy = [m.id for m in translations.values() if m.fuzzy]
    assert not missing, f"untranslated (run scripts/i18n.sh and translate): {missing}"
    assert not fuzzy, f"fuzzy entries: {fuzzy}"


def test_translations_keep_placeholders_and_field_prefixes(po):
    wrong = []
    for message in po:
        if not message.id or not message.string:
            continue
        if Counter(PLACEHOLDER.findall(message.id)) != Counter(PLACEHOLDER.findall(message.string)):
            wrong.append(("placeholders", message.id, message.string))
        prefix = FIELD_PREFIX.match(message.id)
        if prefix and not message.string.startswith(prefix.group(0)):
            wrong.append(("field prefix", message.id, message.string))
    assert not wrong, wrong


def test_chinese_translations_are_chinese(po):
    """A msgstr copied from its msgid is an untranslated entry in disguise."""
    han = re.compile(r"[\u4e00-\u9fff]")
    latin_only = [m.id for m in po if m.id and m.string and not han.search(m.string)]
    assert not latin_only, latin_only


def test_the_committed_mo_matches_the_po(po):
    compiled = io.BytesIO()
    write_mo(compiled, po)
    compiled.seek(0)
    expected = _strings(read_mo(compiled))
    with MO.open("rb") as f:
        committed = _strings(read_mo(f))
    assert committed == expected, "stale messages.mo: run pybabel compile -d translations -l zh"


def test_pages_are_chinese_by_default_and_english_on_request(client):
    # The `app` fixture holds one app context for the whole test and Flask-Babel
    # caches the locale there; in production every request has its own context.
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page and "Log in" not in page

    client.get("/lang/en")
    refresh()
    page = client.get("/login").get_data(as_text=True)
    assert "Log in" in page and "登录" not in page

    client.get("/lang/zh")
    refresh()
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_error_pages_speak_the_page_language(client):
    page = client.get("/no-such-page").get_data(as_text=True)
    assert "页面不存在" in page and "Not Found" not in page
