"""Refusals on the desk say their real reason, are offered only when allowed, and log one line
(issue 10)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def _login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_level1_pick_403_says_use_next_ticket_and_logs_one_line(team, make_ticket, caplog):
    ticket = make_ticket()
    junior = AgentFactory(teams=[team])  # level 1, no pick permission
    with caplog.at_level(logging.WARNING, logger="django.request"):
        page = _login(junior).post(f"/desk/tickets/{ticket.reference}/pick/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 403
    body = page.content.decode()
    assert "use Next ticket" in body
    assert "for supervisors or administrators" not in body
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert refusals and all(r.exc_info is None and r.exc_text is None for r in refusals)
    assert all("Traceback" not in caplog.handler.format(r) for r in refusals)
    ticket.refresh_from_db()
    assert ticket.assignee_id is None


def test_403_in_french(team, make_ticket):
    ticket = make_ticket()
    junior = AgentFactory(teams=[team])
    page = _login(junior).post(f"/desk/tickets/{ticket.reference}/pick/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 403
    assert 'data-testid="error-reason"' in page.content.decode()


def test_bulk_bar_offers_assignment_only_to_who_may_assign(team, make_ticket):
    make_ticket()
    junior = AgentFactory(teams=[team])
    senior = AgentFactory(teams=[team], level=2)
    page = _login(junior).get("/desk/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="bulk-bar"' in page
    assert 'value="assign_me"' not in page and 'value="assign"' not in page and 'value="unassign"' not in page
    assert 'value="status"' in page
    page = _login(senior).get("/desk/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="assign_me"' in page and 'value="unassign"' in page
