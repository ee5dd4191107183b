import pytest

from meetings.auth.models import Role


@pytest.fixture
def compliance(make_user):
    return make_user(Role.compliance)
