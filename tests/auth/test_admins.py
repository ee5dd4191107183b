"""Issue 32, 5: nobody deactivates or demotes themself, and the last active
administrator stays one (409), by the API, the page and under concurrency."""
from __future__ import annotations

import pytest

from meetings.auth import services
from meetings.auth.models import Role, User
from meetings.errors import Conflict
from meetings.extensions import db
from tests.races import race


def test_an_admin_cannot_deactivate_or_demote_themself(org, api_as):
    api = api_as(org.admin)
    response = api.patch(f"/users/{org.admin.id}", json={"active": False})
    assert response.status_code == 409, response.json
    assert set(response.json["errors"]) == {"active"}
    with pytest.raises(Conflict):  # the role changes on the page (the API has no role to patch)
        services.update_user(org.admin, org.admin, role=Role.marketing)
    db.session.expire_all()
    admin = db.session.get(User, org.admin.id)
    assert admin.active and admin.role == Role.admin
    assert api.patch(f"/users/{org.admin.id}", json={"display_name": "Still me"}).status_code == 200


def test_the_page_refuses_it_too(login, org):
    client = login(org.admin)
    client.post(f"/admin/users/{org.admin.id}/edit", data={"display_name": "Me", "role": "admin"})  # active unticked
    db.session.expire_all()
    assert db.session.get(User, org.admin.id).active is True


def test_another_admin_may_be_deactivated_but_not_the_last(org, make_user):
    other = make_user(role=Role.admin)
    services.update_user(org.admin, other, active=False)
    assert other.active is False
    with pytest.raises(Conflict):
        services._keeps_an_admin(other, org.admin, {"role": Role.rep})  # the last active one


def _demote(user, target_id):
    services.update_user(user, db.session.get(User, target_id), role=Role.marketing)
    return "ok"


@pytest.mark.postgres
@pytest.mark.real_commits  # two processes race for the rows
def test_two_admins_demoting_each_other_at_once_leave_one(app, org, make_user):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("races are only real on PostgreSQL")
    other = make_user(role=Role.admin)
    db.session.commit()
    results = race(app, _demote, [(org.admin.id, other.id), (other.id, org.admin.id)])
    assert sorted(results) == ["conflict", "ok"]
    assert db.session.query(User).filter_by(role=Role.admin, active=True).count() == 1
