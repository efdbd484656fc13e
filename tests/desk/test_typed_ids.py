"""Ids typed into desk forms and query strings: anything that is not a row id is refused, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.common.ids import parse_row_id
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db

NOT_IDS = ["²", "٣", "99999999999999999999", "-1", "0", "1e3", " ", "abc"]


def test_parse_row_id():
    assert parse_row_id("42") == 42 and parse_row_id(" 7 ") == 7
    assert parse_row_id(str(2**63 - 1)) == 2**63 - 1
    assert [parse_row_id(text) for text in NOT_IDS] == [None] * len(NOT_IDS)


@pytest.mark.fault("issue8-8")
@pytest.mark.parametrize("value", NOT_IDS)
def test_desk_forms_answer_typed_non_ids_without_a_server_error(value, make_ticket):
    team = TeamFactory(name="Accueil", is_default=True)
    TeamFactory(name="Spécialistes", level=2)
    supervisor = AgentFactory(teams=[team], is_supervisor=True)
    ticket = make_ticket()
    desk = Client(raise_request_exception=False)
    desk.force_login(supervisor)
    escalate = desk.post(
        f"/desk/tickets/{ticket.reference}/escalate/", {"reason": "Réseau", "summary": "Lien.", "team": value}
    )
    assert escalate.status_code < 500
    assert desk.post("/desk/categories/", {"category": value, "team": ""}).status_code < 500
    assert desk.get(f"/desk/calls/new/?customer={value}").status_code == 200
    assert desk.post("/desk/inbound/", {"record": value}).status_code == 404
