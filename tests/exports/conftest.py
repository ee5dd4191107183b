"""The held-meeting makers of the reports tests."""
from ..reports.conftest import held, make_team  # noqa: F401  (fixtures)
