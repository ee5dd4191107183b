"""Issue 32, 3: the settings the documentation names are the ones the code
reads — the proxy setting was documented as TRUSTED_PROXIES while the code
read PROXY_COUNT, so an operator following the docs throttled a whole company
as one address."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from meetings import create_app

ROOT = Path(__file__).resolve().parent.parent
CODE = "\n".join(p.read_text() for p in [*(ROOT / "meetings").rglob("*.py"), *(ROOT / "scripts").glob("*")]
                 if p.is_file())


def documented_settings(path: Path) -> dict[str, str]:
    """`NAME` → its row, for every row of the page's settings tables."""
    found = {}
    for line in path.read_text().splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", first):
                found[name] = line
    return found


@pytest.mark.parametrize("page", ["README.md", "docs/operations.md"])
def test_every_documented_setting_is_read_by_the_code(page):
    settings = documented_settings(ROOT / page)
    assert settings
    unread = [name for name in settings if f'"{name}"' not in CODE and f"${{{name}" not in CODE
              and f"${name}" not in CODE]
    assert unread == []


def test_the_documented_proxy_setting_changes_the_client_address(monkeypatch):
    names = {name for page in ("README.md", "docs/operations.md")
             for name, row in documented_settings(ROOT / page).items() if "prox" in row.lower()}
    compose = (ROOT / "compose.yaml").read_text()
    assert len(names) == 1, names  # one name, in both pages
    (name,) = names
    assert f"{name}:" in compose
    monkeypatch.setenv(name, "1")
    app = create_app({"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app.add_url_rule("/whoami", "whoami", lambda: __import__("flask").request.remote_addr)
    answer = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"},
                                   environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert answer.get_data(as_text=True) == "203.0.113.7"
    monkeypatch.delenv(name)
    plain = create_app({"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "TESTING": True,
                        "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    plain.add_url_rule("/whoami", "whoami", lambda: __import__("flask").request.remote_addr)
    answer = plain.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"},
                                     environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert answer.get_data(as_text=True) == "10.0.0.1"
