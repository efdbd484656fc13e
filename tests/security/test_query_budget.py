"""THREATS.md case 42: pages cost the same number of queries with 3 or 30 rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.tickets.files import IncomingFile
from comptoir.tickets.services import ticket_agent_message, ticket_customer_reply, ticket_update
from comptoir.tickets.tracking import make_token

from .conftest import PDF

pytestmark = pytest.mark.django_db


def _count(client: Client, path: str) -> int:
    """Queries of one request, less the config cache's generation read: that one comes once a
    second whatever the page (``common.config.CHECK_EVERY``), so a slow machine would count it in
    one request and not the other."""
    client.get(path)  # warm-up: session, token "last used" write, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len([q for q in ctx.captured_queries if '"common_configgeneration"' not in q["sql"]])


def _tickets(make_ticket, agent, team, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        t = make_ticket(subject=f"Demande {i}", email=f"c{i % 7}@example.test")
        ticket_update(
            ticket_id=t.pk, actor=agent, version=t.version, team=team, assignee=agent, priority="P2"
        )


def _conversation(ticket, agent, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        files = (IncomingFile(name=f"f{i}.pdf", content=PDF + str(i).encode()),) if i % 2 else ()
        if i % 3 == 0:
            ticket_customer_reply(ticket=ticket, body=f"Client {i}", channel="web", files=files)
        else:
            ticket_agent_message(
                ticket=ticket, actor=agent, body=f"Agent {i}", internal=i % 3 == 2,
                configuration_items=[f"srv-{i}"], files=files,
            )  # fmt: skip


@pytest.mark.attack("query-budget", "42")
@pytest.mark.parametrize(
    "path", ["/desk/", "/desk/?scope=all", "/api/v1/tickets", "/api/v1/tickets?status=open"]
)
def test_lists_cost_the_same_with_3_or_30_tickets(path, make_ticket, agent, team, desk_client, api_client):  # type: ignore[no-untyped-def]
    client = api_client if path.startswith("/api/") else desk_client
    _tickets(make_ticket, agent, team, 3)
    small = _count(client, path)
    _tickets(make_ticket, agent, team, 27)
    large = _count(client, path)
    assert large == small, (path, small, large)


@pytest.mark.attack("query-budget", "42")
def test_ticket_pages_cost_the_same_with_3_or_30_messages(
    make_ticket, agent, desk_client, api_client, client
):  # type: ignore[no-untyped-def]
    small_t = make_ticket(email="a@example.test")
    large_t = make_ticket(email="b@example.test")
    _conversation(small_t, agent, 3)
    _conversation(large_t, agent, 30)
    for c, path in (
        (client, "/track/{token}/"),
        (desk_client, "/desk/tickets/{ref}/"),
        (api_client, "/api/v1/tickets/{ref}"),
        (api_client, "/api/v1/tickets/{ref}/history"),
        (api_client, "/api/v1/customers/{customer}"),
    ):
        counts = [
            _count(c, path.format(token=make_token(t.tracking_uid), ref=t.reference, customer=t.customer_id))
            for t in (small_t, large_t)
        ]
        assert counts[0] == counts[1], (path, counts)
