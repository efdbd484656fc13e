"""Search results come in pages with an honest, bounded count (issue 10), on the desk and the API."""

from __future__ import annotations

import re

import pytest

from comptoir.search import backends

pytestmark = pytest.mark.django_db


@pytest.fixture
def thirty(make_ticket):
    tickets = [make_ticket(subject=f"Facture {n}", body="Ma facture est fausse.") for n in range(30)]
    make_ticket(subject="Déménagement", body="Je change d'adresse.")
    return tickets


def test_desk_pages_through_every_match_with_its_count(desk_client, thirty):
    first = desk_client.get("/desk/search/", {"q": "facture"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1–25 of 30" in first
    seen = re.findall(r'data-testid="search-ticket" data-reference="([^"]+)"', first)
    assert len(seen) == 25
    following = re.search(r'href="\?q=facture&amp;offset=(\d+)" rel="next"', first)
    assert following and following.group(1) == "25"
    second = desk_client.get(
        "/desk/search/", {"q": "facture", "offset": "25"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "26–30 of 30" in second
    assert 'rel="next"' not in second and 'rel="prev"' in second
    seen += re.findall(r'data-testid="search-ticket" data-reference="([^"]+)"', second)
    assert sorted(seen) == sorted(t.reference for t in thirty)  # each once, none lost between pages


def test_filters_only_search_pages_too(desk_client, thirty):
    page = desk_client.get("/desk/search/", {"q": "status:new", "offset": "20"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "21–31 of 31" in page.content.decode()


def test_count_is_capped_and_says_so(desk_client, thirty, monkeypatch):
    monkeypatch.setattr(backends, "WINDOW", 10)  # a word found in more tickets than are ranked
    page = desk_client.get("/desk/search/", {"q": "facture"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1–10 of at least 10" in page
    assert 'rel="next"' not in page


def test_api_cursor_and_next_link(api_client, thirty):
    answer = api_client.get("/api/v1/search", {"q": "facture", "limit": 20}).json()
    assert (answer["total"], answer["total_is_lower_bound"], answer["next_cursor"]) == (30, False, 20)
    assert len(answer["tickets"]) == 20
    rest = api_client.get(answer["next"]).json()
    assert len(rest["tickets"]) == 10 and rest["next"] is None and rest["next_cursor"] is None
    refs = {t["reference"] for t in answer["tickets"]} | {t["reference"] for t in rest["tickets"]}
    assert refs == {t.reference for t in thirty}
    schema = api_client.get("/api/v1/openapi.json").json()
    params = {p["name"] for p in schema["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert "cursor" in params
