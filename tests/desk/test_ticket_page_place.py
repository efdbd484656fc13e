"""Issue 10 walk: the ticket page keeps the list it was opened from through every action, its live
parts include the service-level line, the approvals list polls, agent replies name no channel."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

FROM = "view=team&priority=P3"


def _from_of(response) -> dict[str, list[str]]:
    url = urlsplit(response["Location"])
    assert url.scheme == "" and url.netloc == ""  # on this site
    return parse_qs(parse_qs(url.query).get("from", [""])[0])


@pytest.mark.django_db
def test_actions_keep_the_list(desk_client, make_ticket):
    ticket = make_ticket()
    make_ticket()
    page = desk_client.get(f"/desk/tickets/{ticket.reference}/", {"from": FROM}, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert 'data-testid="worklist-nav"' in html
    assert html.count('name="from"') >= 3  # each form carries it (reply, update, snooze...)
    ref = ticket.reference
    # A note, a pick, a snooze and a wake, each posted with the form's hidden field.
    note = desk_client.post(
        f"/desk/tickets/{ref}/messages/", {"body": "Vu.", "internal": "1", "then": "", "from": FROM}
    )
    assert note.status_code == 302 and _from_of(note) == {"view": ["team"], "priority": ["P3"]}
    followed = desk_client.get(note["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="worklist-nav"' in followed
    assert _from_of(desk_client.post(f"/desk/tickets/{ref}/pick/", {"from": FROM}))["view"] == ["team"]
    until = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    snooze = desk_client.post(f"/desk/tickets/{ref}/snooze/", {"until": until, "from": FROM})
    assert _from_of(snooze)["view"] == ["team"]
    assert _from_of(desk_client.post(f"/desk/tickets/{ref}/wake/", {"from": FROM}))["view"] == ["team"]
    ticket.refresh_from_db()
    change = desk_client.post(
        f"/desk/tickets/{ref}/change/",
        {"version": ticket.version, "status": "open", "priority": "P2", "team": ticket.team_id or "",
         "assignee": "", "category": "", "from": FROM},
    )  # fmt: skip
    assert change.status_code == 302 and _from_of(change)["view"] == ["team"]
    # Without from: the plain page.
    plain = desk_client.post(
        f"/desk/tickets/{ref}/messages/", {"body": "Encore.", "internal": "1", "then": ""}
    )
    assert plain["Location"] == f"/desk/tickets/{ref}/"


@pytest.mark.django_db
def test_from_is_never_an_open_redirect(desk_client, make_ticket):
    ref = make_ticket().reference
    for evil in ("https://evil.example/", "//evil.example", "view=all&next=https://evil.example"):
        response = desk_client.post(f"/desk/tickets/{ref}/pick/", {"from": evil})
        assert response["Location"].startswith(f"/desk/tickets/{ref}/")
        assert "evil" not in response["Location"]


@pytest.mark.django_db
def test_live_parts_have_the_service_line_and_keep_the_list(desk_client, make_ticket):
    ticket = make_ticket()
    live = desk_client.get(f"/desk/tickets/{ticket.reference}/live/", {"v": "0", "from": FROM})
    html = live.content.decode()
    assert live.status_code == 200 and 'data-live-part="sla"' in html
    assert f'name="from" value="{FROM.replace("&", "&amp;")}"' in html or 'name="from"' not in html


@pytest.mark.django_db
def test_agent_reply_names_no_channel(desk_client, make_ticket):
    ticket = make_ticket(channel="web")
    desk_client.post(
        f"/desk/tickets/{ticket.reference}/messages/", {"body": "Bonjour, c'est corrigé.", "then": ""}
    )
    html = desk_client.get(f"/desk/tickets/{ticket.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    messages = html.split('data-testid="message"')[1:]
    assert len(messages) == 2
    assert "Web form" in messages[0].split("</div>")[0]  # the customer's: how it came in
    assert "Web form" not in messages[1].split("</div>")[0]  # the agent's: no channel claimed
    # The customer's timeline says the same.
    timeline = desk_client.get(
        f"/desk/customers/{ticket.customer_id}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert timeline.count("<strong>Web form</strong>") == 1
