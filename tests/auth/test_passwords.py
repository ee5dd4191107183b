"""Issue 32, 8: common and context-specific passwords are refused (422
naming the field), not only short ones; `aaaaaaaaaa` was accepted."""
from __future__ import annotations

import pytest

from meetings.auth import services
from meetings.auth.models import Role
from meetings.errors import InvalidInput


@pytest.mark.parametrize("password, why", [
    ("aaaaaaaaaa", "different characters"),
    ("1212121212", "different characters"),
    ("qwertyuiop", "common"),
    ("1234567890", "common"),
    ("password123", "common"),
    ("Dragon2026!!", "common"),
    ("zhangwei-2026", "username"),
    ("keshihui-2026", "service"),
    ("我的科室会密码123", "service"),
])
def test_weak_passwords_are_refused_with_the_reason(app, password, why):
    with app.test_request_context("/api/v1/users", headers={"Accept-Language": "en"}), \
            pytest.raises(InvalidInput) as refused:  # English words, whatever the catalog says
        services.create_user(None, username="ZhangWei", password=password, role=Role.marketing)
    assert refused.value.field == "password"
    assert why in refused.value.message or why == "common" and "common" in refused.value.message


def test_the_api_answers_422_and_a_good_password_passes(org, api_as):
    admin = api_as(org.admin)
    weak = admin.post("/users", {"username": "newbie", "password": "aaaaaaaaaa", "role": "marketing"})
    assert weak.status_code == 422 and set(weak.json["errors"]) == {"password"}
    assert admin.post("/users", {"username": "newbie", "password": "harbour-light-0123",
                                 "role": "marketing"}).status_code == 201


def test_a_changed_password_is_checked_too(org):
    with pytest.raises(InvalidInput) as refused:
        services.change_own_password(org.rep, "secret123", "password123")
    assert refused.value.field == "new_password"
    with pytest.raises(InvalidInput):
        services.update_user(org.admin, org.rep, password=org.rep.username + "-2026x")


def test_the_bundled_list_is_there_and_large():
    from meetings.auth.passwords import common_passwords
    assert len(common_passwords()) >= 5000 and "iloveyou" in common_passwords()
