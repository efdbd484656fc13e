"""``GET /api/v1/metrics``: the figures of the hand-worked history, as JSON and as CSV."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.test import Client

from comptoir.accounts.services import api_token_create
from tests.factories import AgentFactory

from .conftest import at

pytestmark = pytest.mark.django_db

SPRING = "from=2026-03-01&to=2026-04-30"


def _client(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=user)}"})


def test_supervisors_read_the_figures_as_json(history):
    with time_machine.travel(history.now, tick=False):
        response = _client(history.agent).get(f"/api/v1/metrics?{SPRING}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == {"from": "2026-03-01", "to": "2026-04-30"}
    assert (body["tickets_created"], body["tickets_resolved"]) == (6, 5)
    assert (body["level1_resolution_share"], body["escalated_share"]) == (0.8, 0.2)
    assert body["first_response_sla_met_share"] == 0.6667 and body["resolution_sla_met_share"] == 0.8
    assert body["first_response_minutes"] == {"median": 20.0, "p90": 84.0}
    assert body["resolution_minutes"] == {"median": 120.0, "p90": 1128.0}
    assert (body["csat_average"], body["ces_average"]) == (3.5, 4.0)
    assert body["backlog_by_age"]["3_to_7_days"] == 1 and body["backlog"] == 1
    assert [m["month"] for m in body["months"]] == ["2026-03", "2026-04"]
    assert body["months"][0]["tickets_resolved"] == 4


def test_filters_by_team_category_and_channel(history):
    client = _client(history.agent)
    experts = client.get(f"/api/v1/metrics?{SPRING}&team={history.experts.pk}").json()
    assert (experts["tickets_created"], experts["escalated_share"]) == (1, 1.0)
    assert client.get(f"/api/v1/metrics?{SPRING}&category=complaint").json()["complaints"] == 1
    billing = client.get(f"/api/v1/metrics?{SPRING}&category={history.billing.pk}").json()
    assert billing["tickets_created"] == 5
    assert client.get(f"/api/v1/metrics?{SPRING}&channel=email").json()["tickets_created"] == 2


def test_csv_when_asked_for(history):
    response = _client(history.agent).get(f"/api/v1/metrics?{SPRING}", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["period"] for row in rows] == ["2026-03-01..2026-04-30", "2026-03", "2026-04"]
    assert rows[0]["tickets_created"] == "6" and rows[0]["resolution_minutes_p90"] == "1128.0"
    assert rows[1]["level1_resolution_share"] == "0.75" and rows[2]["tickets_created"] == "1"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-05-01&to=2026-04-01", "from"),
        ("from=2020-01-01&to=2026-04-01", "from"),
        ("team=999999", "team"),
        ("category=nope", "category"),
        ("channel=fax", "channel"),
        ("from=yesterday", None),
        ("to=0", None),
        ("to=2026-02-30", "to"),
    ],
)
def test_bad_filters_are_422_with_the_field(history, query, field):
    response = _client(history.agent).get(f"/api/v1/metrics?{query}")
    assert response.status_code == 422
    if field:
        assert response.json()["field"] == field


def test_only_supervisors_read_them(history):
    agent = AgentFactory(email="n1@comptoir.test")
    assert _client(agent).get(f"/api/v1/metrics?{SPRING}").status_code == 403
    assert Client().get(f"/api/v1/metrics?{SPRING}").status_code == 401


def test_the_default_period_ends_today(history):
    with time_machine.travel(at(4, 15, 12), tick=False):
        body = _client(history.agent).get("/api/v1/metrics").json()
    assert body["period"] == {"from": "2025-11-01", "to": "2026-04-15"}
    assert body["tickets_created"] == 6
