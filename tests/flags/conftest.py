import pytest

from meetings.auth.models import Role


@pytest.fixture
def compliance(make_user):
    return make_user(Role.compliance)


@pytest.fixture(autouse=True)
def _no_photo_needed(app):
    """These tests are about flags: the close gate asks for no photo here, and
    their summaries spend nothing a receipt must cover (tests/evidence covers
    those gaps of the same gate)."""
    app.config["EVIDENCE_PHOTOS_MIN"] = 0
