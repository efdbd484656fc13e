"""Issue 12 where people read it: the API's sentiment, effort and flags; the desk's badges, effort
card and High effort list; nothing of it where a customer reads."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.tickets.services import ticket_agent_message, ticket_customer_reply
from comptoir.tickets.tracking import make_token

pytestmark = pytest.mark.django_db

ANGRY = "I am FURIOUS!!! Third time I write, I will cancel."


@pytest.fixture
def unhappy(make_ticket, fake_model):
    return make_ticket(subject="Parcel lost", body=ANGRY, language="en")


def test_the_api_gives_each_message_its_sentiment_and_the_ticket_its_effort_and_flags(
    unhappy, agent, api_client, django_capture_on_commit_callbacks
):
    note = ticket_agent_message(ticket=unhappy, actor=agent, body="Calling them back.", internal=True)
    with django_capture_on_commit_callbacks(execute=False):  # its task has not run yet
        waiting = ticket_customer_reply(ticket=unhappy, body="thanks", channel="email")
    body = api_client.get(f"/api/v1/tickets/{unhappy.reference}").json()
    by_id = {m["id"]: m["sentiment"] for m in body["messages"]}
    first = min(by_id)
    assert by_id[first] == {"label": "negative", "score": -0.95}
    assert by_id[note.pk] is None and by_id[waiting.pk] is None
    assert body["flags"] == ["unhappy"]
    assert body["effort"]["score"] == 0 and body["effort"]["high"] is False
    assert body["effort"]["parts"]["contacts"] == 1 and body["effort"]["parts"]["channels"] == 1
    assert set(body["effort"]["points"]) == {
        "contacts", "channels", "transfers", "escalations", "reopenings", "repeats", "waiting",
    }  # fmt: skip


def test_the_desk_shows_unhappy_with_its_reasons_and_the_effort_parts(unhappy, desk_client, settings):
    settings.COMPTOIR_EFFORT_HIGH = 0  # every ticket is high effort: the badge and the list show it
    page = desk_client.get(f"/desk/tickets/{unhappy.reference}/").content.decode()
    assert 'data-testid="unhappy"' in page and "Unhappy" in page
    assert "threat to leave" in page and "capitals" in page  # the cues, in words
    assert page.count('data-testid="effort-part"') == 7 and 'data-testid="effort-score"' in page
    queue = desk_client.get("/desk/?view=open").content.decode()
    assert 'data-testid="unhappy"' in queue


def test_the_high_effort_list(
    make_ticket, unhappy, desk_client, fake_model, django_capture_on_commit_callbacks
):
    calm = make_ticket(subject="Invoice copy", body="Could you send my invoice?", language="en")
    for channel in ("phone", "sms"):  # two more contacts, two more channels: 2 + 4 = 6
        with django_capture_on_commit_callbacks(execute=True):
            ticket_customer_reply(
                ticket=unhappy, body=f"Calling by {channel} about the parcel", channel=channel
            )
    page = desk_client.get("/desk/high-effort/").content.decode()
    assert page.count('data-testid="high-effort-row"') == 1
    assert unhappy.reference in page and calm.reference not in page
    assert desk_client.get("/desk/high-effort/?before=abc").status_code == 200


def test_customers_never_see_sentiment_or_effort(unhappy, client: Client):
    page = client.get(f"/track/{make_token(unhappy.tracking_uid)}/").content.decode()
    assert ANGRY.split("!")[0] in page  # their own words are there
    for hidden in ("Unhappy", "unhappy", "effort", "Effort", "sentiment", "threat to leave"):
        assert hidden not in page
    # The API is for staff tokens only.
    assert client.get(f"/api/v1/tickets/{unhappy.reference}").status_code == 401
    assert client.get("/desk/high-effort/").status_code in (302, 403)
