"""JSON answers through orjson (meetings/jsonio.py) say what Flask's own
provider said: the same values, keys sorted, Flask's conversions."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from meetings.jsonio import JSONProvider


@dataclass
class Point:
    x: int


SAMPLE = {"topic": "新适应症解读", "total": Decimal("1200.50"), "b": 1, "a": [1, 2.5, None, True],
          "when": datetime(2026, 11, 29, 9, 30, tzinfo=timezone.utc), "day": date(2026, 11, 29),
          "id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "point": Point(3),
          "html": Markup("<b>x</b>"), "by_id": {7: "int key", 3: "another"}}


def test_answers_equal_flasks_own(app):
    ours, flasks = JSONProvider(app), DefaultJSONProvider(app)
    assert json.loads(ours.dumps(SAMPLE)) == json.loads(flasks.dumps(SAMPLE))
    body = ours.response(SAMPLE).get_data()
    assert json.loads(body) == json.loads(flasks.dumps(SAMPLE))
    # keys sorted, as Flask sorts them
    assert body.startswith(b'{"a":[1,2.5,null,true],"b":1,"by_id":{"3":"another","7":"int key"},')
    assert "新适应症解读".encode() in body  # orjson wrote it (json escapes it as \\u…)


def test_what_orjson_refuses_is_written_by_json(app):
    ours = JSONProvider(app)
    for value in ({"n": 10 ** 30}, {"s": "\ud800"}):
        assert json.loads(ours.dumps(value)) == json.loads(json.dumps(value))
        assert ours.response(value).status_code == 200
    assert json.loads(ours.response({"n": 10 ** 30}).get_data()) == {"n": 10 ** 30}


def test_the_app_answers_through_it(app, client):
    assert isinstance(app.json, JSONProvider)
    response = client.get("/api/v1/meetings")  # a 401's JSON body
    assert response.status_code == 401
    body = response.get_json()
    assert body["code"] == 401 and "Bearer" in body["message"]
