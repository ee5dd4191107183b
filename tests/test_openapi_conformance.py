"""The OpenAPI document tells the truth (issue 15 item 13): schemathesis
generates requests for every operation from /api/v1/openapi.json and sends
them as a rep, a provincial manager and an admin; every answer must be no
server error, conform to the documented schema and have a documented status.

Bounded: SCHEMATHESIS_EXAMPLES examples per operation (default 4), generated
from the schema only (no example database, no shrinking past a failure)."""
from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (response_schema_conformance,  # noqa: E402
                                               status_code_conformance)

from meetings.extensions import db  # noqa: E402

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


def test_every_operation_answers_as_documented(app, org, api_as, make_meeting):
    make_meeting("approved")
    tokens = {role: api_as(user).token for role, user in
              (("rep", org.rep), ("manager", org.pm), ("admin", org.admin))}
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, cases = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal cases
            for role, token in tokens.items():
                cases += 1
                response = case.call(headers={"Authorization": f"Bearer {token}"})
                try:
                    case.validate_response(response, checks=CHECKS)
                except Exception as exc:  # noqa: BLE001 — collected, reported together
                    failures.append(f"{role} {operation.method.upper()} {operation.path}: "  # noqa: B023 (run in this iteration)
                                    f"{response.status_code} {str(exc)[:300]}")
                    return

        run()
    assert cases >= 3 * EXAMPLES * 20
    assert not failures, "\n".join(failures[:20])
