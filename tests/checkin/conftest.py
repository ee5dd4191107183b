import pytest


@pytest.fixture
def meeting_with(make_meeting):
    """meeting_with(primaries=[doctor…], backups=[(backup, primary)…], status="approved"):
    tests/conftest.py make_meeting with check-in's usual default status."""
    def make(primaries=(), backups=(), status="approved", **overrides):
        return make_meeting(status, primaries=primaries, backups=backups, **overrides)
    return make


@pytest.fixture
def doctors(org, make_doctor):
    """doctors("C", "C", "A") → doctors of org.hospital with those grades."""
    def make(*grades, title="attending"):
        return [make_doctor(org.hospital, grade=g, title=title) for g in grades]
    return make
