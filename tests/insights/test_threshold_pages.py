"""The desk's threshold and corrective-action pages, and ``GET /api/v1/quality/actions``: who may
do what (issue 12, item 7)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.insights.models import CorrectiveAction, QualityThreshold
from comptoir.insights.thresholds import ThresholdData, threshold_create, thresholds_evaluate
from comptoir.notifications.models import Notification
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 5, 6, 12, tzinfo=ZoneInfo("America/Toronto"))


@pytest.fixture
def people():
    return {
        "chief": AgentFactory(is_supervisor=True, name="Chef"),
        "owner": AgentFactory(name="Owen Owner"),
        "other": AgentFactory(name="Olga Other"),
    }


def desk(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=user)}"})


@pytest.fixture
def action(people, django_capture_on_commit_callbacks) -> CorrectiveAction:
    """ "Fewer than one ticket created today" on a day without tickets: crossed at once."""
    threshold_create(
        actor=people["chief"],
        data=ThresholdData(figure="tickets_created", comparison="below", value=Decimal("1"), window="day",
                           owner=people["owner"]),
    )  # fmt: skip
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert thresholds_evaluate() == 1
    return CorrectiveAction.objects.get()


def form(owner, **changes) -> dict:
    data = {
        "figure": "level1_resolution_share", "comparison": "below", "value": "85", "window": "week",
        "team": "", "category": "", "channel": "", "owner": str(owner.pk), "active": "on",
    }  # fmt: skip
    return {**data, **changes}


def test_an_agent_who_is_not_a_supervisor_cannot_manage_thresholds(people):
    client = desk(people["other"])
    assert client.get("/desk/quality/thresholds/").status_code == 403
    assert client.get("/desk/quality/thresholds/new/").status_code == 403
    assert client.post("/desk/quality/thresholds/new/", form(people["owner"])).status_code == 403
    assert not QualityThreshold.objects.exists()
    threshold = threshold_create(
        actor=people["chief"],
        data=ThresholdData(figure="complaints", comparison="above", value=Decimal("3"), window="day",
                           owner=people["owner"]),
    )  # fmt: skip
    assert client.post(f"/desk/quality/thresholds/{threshold.pk}/", form(people["owner"])).status_code == 403
    assert client.post(f"/desk/quality/thresholds/{threshold.pk}/deactivate/").status_code == 403
    threshold.refresh_from_db()
    assert (threshold.figure, threshold.active) == ("complaints", True)


def test_a_supervisor_creates_edits_and_deactivates_a_threshold(people):
    client = desk(people["chief"])
    assert client.post("/desk/quality/thresholds/new/", form(people["owner"])).status_code == 302
    threshold = QualityThreshold.objects.get()
    assert (threshold.value, threshold.owner, threshold.created_by) == (
        Decimal("85"),
        people["owner"],
        people["chief"],
    )
    page = client.get("/desk/quality/thresholds/").content.decode()
    assert "Share resolved at level 1 falls below 85 % over this week" in page
    assert "distinct from the contractual SLA targets" in page
    assert 'value="85.00"' in client.get(f"/desk/quality/thresholds/{threshold.pk}/").content.decode()
    edited = form(people["owner"], value="90", window="month")
    assert client.post(f"/desk/quality/thresholds/{threshold.pk}/", edited).status_code == 302
    assert client.post(f"/desk/quality/thresholds/{threshold.pk}/deactivate/").status_code == 302
    threshold.refresh_from_db()
    assert (threshold.value, threshold.window, threshold.active) == (Decimal("90"), "month", False)


def test_a_share_over_100_percent_is_refused(people):
    response = desk(people["chief"]).post("/desk/quality/thresholds/new/", form(people["owner"], value="120"))
    assert response.status_code == 400
    assert "A share is at most 100" in response.content.decode()
    assert not QualityThreshold.objects.exists()


def test_actions_are_listed_for_their_owner_and_supervisors_only(people, action):
    mine = desk(people["owner"]).get("/desk/quality/actions/").content.decode()
    assert f'data-id="{action.pk}"' in mine
    assert "/desk/quality/tickets/?drill=created&amp;from=2026-05-06&amp;to=2026-05-06" in mine
    assert f'data-id="{action.pk}"' in desk(people["chief"]).get("/desk/quality/actions/").content.decode()
    other = desk(people["other"])
    assert f'data-id="{action.pk}"' not in other.get("/desk/quality/actions/").content.decode()
    assert other.get(f"/desk/quality/actions/{action.pk}/").status_code == 404
    assert other.post(f"/desk/quality/actions/{action.pk}/", {"note": "Rien"}).status_code == 404
    assert 'data-testid="nav-quality-actions"' in mine


def test_the_owner_marks_an_action_done_with_a_note(people, action):
    client = desk(people["owner"])
    assert (
        'data-testid="action-done-form"' in client.get(f"/desk/quality/actions/{action.pk}/").content.decode()
    )
    assert client.post(f"/desk/quality/actions/{action.pk}/", {"note": ""}).status_code == 400
    response = client.post(f"/desk/quality/actions/{action.pk}/", {"note": "Renfort le matin."})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.note, action.done_by) == ("done", "Renfort le matin.", people["owner"])
    assert client.post(f"/desk/quality/actions/{action.pk}/", {"note": "Encore"}).status_code == 400
    action.refresh_from_db()
    assert action.note == "Renfort le matin."


def test_the_bell_opens_the_action(people, action):
    notification = Notification.objects.get(recipient=people["owner"])
    client = desk(people["owner"])
    assert "A quality threshold you own was crossed" in client.get("/desk/notifications/").content.decode()
    response = client.post(f"/desk/notifications/{notification.pk}/read/", {"open": "1"})
    assert response["Location"] == f"/desk/quality/actions/{action.pk}/"
    # Always emailed: no "also by email" choice offered for it.
    assert "corrective_action" not in client.get("/desk/me/notifications/").content.decode()


def test_the_api_lists_an_agents_own_actions_and_a_supervisor_all(people, action):
    own = api(people["owner"]).get("/api/v1/quality/actions")
    assert own.status_code == 200
    [row] = own.json()
    assert (row["id"], row["figure"], row["figure_value"], row["threshold_value"]) == (
        action.pk, "tickets_created", 0.0, 1.0,
    )  # fmt: skip
    assert row["tickets_url"].startswith("/desk/quality/tickets/?drill=created&from=2026-05-06")
    assert api(people["other"]).get("/api/v1/quality/actions").json() == []
    assert [r["id"] for r in api(people["chief"]).get("/api/v1/quality/actions").json()] == [action.pk]
    assert api(people["chief"]).get("/api/v1/quality/actions?status=done").json() == []
    assert Client().get("/api/v1/quality/actions").status_code == 401
