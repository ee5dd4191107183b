from meetings.checkin.services import attendance

from .test_services import world  # noqa: F401  (fixture)


def test_report_rows_have_the_contract_shape_with_money_as_strings(org, world, api_as):  # noqa: F811
    response = api_as(org.pm).get("/reports/meetings?group_by=rep")
    assert response.status_code == 200
    rows = {row["key"]["id"]: row for row in response.json}
    assert set(rows) == {org.rep.id, world.rep2.id}
    row = rows[org.rep.id]
    assert set(row) >= {"key", "meetings_held", "budget_approved", "actual_spend", "expected",
                        "present", "attendance_rate", "accuracy_rate", "key_attendance_rate",
                        "followups_due", "followups_on_time", "followup_on_time_rate",
                        "score_percent_avg"}
    assert row["key"] == {"type": "rep", "id": org.rep.id, "name": org.rep.display_name}
    assert row["actual_spend"] == "800.00" and isinstance(row["budget_approved"], str)
    assert row["present"] == attendance(world.m1)["present"] + attendance(world.later)["present"]


def test_period_and_group_by_are_checked(org, api_as):
    api = api_as(org.admin)
    assert api.get("/reports/meetings?group_by=hospital").status_code == 422
    bad = api.get("/reports/meetings?from=2026-12-01&to=2026-11-01")
    assert bad.status_code == 422 and "from" in bad.json["errors"]
    assert api.get("/reports/meetings?from=yesterday").status_code == 422
    assert api.get("/reports/meetings?group_by=region&from=2026-01-01&to=2026-12-31").status_code == 200
    assert api_as().get("/reports/meetings").status_code == 401
