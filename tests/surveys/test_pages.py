"""The survey page (portal), the desk's survey card and VoC log, and the API (issue 12, items 4-5)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from comptoir.accounts.models import User
from comptoir.accounts.services import api_token_create
from comptoir.surveys.models import Survey, VocEntry
from tests.factories import AgentFactory, CustomerFactory, EmailIdentityFactory

from .conftest import survey_link

pytestmark = pytest.mark.django_db


def _url(ref: str, token: str) -> str:
    return f"/survey/{ref}/{token}/"


def test_opening_a_score_link_preselects_it_and_records_nothing(make_ticket, resolve):
    ticket = resolve(make_ticket(subject="Compteur bloqué"))
    ref, token = survey_link(ticket)
    page = Client().get(_url(ref, token) + "?satisfaction=2")
    assert page.status_code == 200
    html = page.content.decode()
    checked = re.findall(r'<input type="radio" name="(\w+)" value="(\d)"[^>]*\bchecked\b', html)
    assert checked == [("satisfaction", "2")]
    assert "Compteur bloqué" in html
    survey = Survey.objects.get(ticket=ticket)
    assert survey.satisfaction is None and survey.status == "sent"
    assert not ticket.events.filter(field="survey").exists()
    # A person's browser sends it at once (survey.js); once answered, a link no longer does.
    assert "data-autosubmit" in html and "comptoir/survey.js" in html
    assert "data-autosubmit" not in Client().get(_url(ref, token)).content.decode()  # no score in the link
    Client().post(_url(ref, token), {"satisfaction": "2"})
    again = Client().get(_url(ref, token) + "?satisfaction=5").content.decode()
    assert "data-autosubmit" not in again and "comptoir/survey.js" not in again


def test_one_button_records_score_and_comment(make_ticket, resolve):
    ticket = resolve(make_ticket())
    ref, token = survey_link(ticket)
    client = Client()
    answer = client.post(_url(ref, token), {"satisfaction": "5", "effort": "1", "comment": "Parfait"})
    assert answer.status_code == 302
    assert "done=1" in answer["Location"]
    survey = Survey.objects.get(ticket=ticket)
    assert (survey.satisfaction, survey.effort, survey.comment) == (5, 1, "Parfait")
    assert client.get(answer["Location"]).status_code == 200


def test_wrong_token_is_404_and_shows_nothing(make_ticket, resolve):
    ticket = resolve(make_ticket(subject="Facture secrète"))
    ref, token = survey_link(ticket)
    for url in (_url(ref, "x" * 32), _url(ref, token[:-1]), _url("CPT-999999", token)):
        page = Client().get(url)
        assert page.status_code == 404
        assert "Facture secrète" not in page.content.decode()
    assert Client().post(_url(ref, "x" * 32), {"satisfaction": "1"}).status_code == 404


def test_a_customer_sees_no_other_customers_survey(make_ticket, resolve):
    mine = resolve(make_ticket(subject="Ma demande", email="moi@example.test"))
    theirs = resolve(make_ticket(subject="Leur demande confidentielle", email="eux@example.test"))
    _ref, token = survey_link(mine)
    # My token under their reference: refused, and nothing of theirs is shown or changed.
    page = Client().get(_url(theirs.reference, token))
    assert page.status_code == 404
    assert "Leur demande confidentielle" not in page.content.decode()
    assert Client().post(_url(theirs.reference, token), {"satisfaction": "1"}).status_code == 404
    assert Survey.objects.get(ticket=theirs).satisfaction is None
    mine_page = Client().get(_url(mine.reference, token)).content.decode()
    assert "Ma demande" in mine_page and "Leur demande" not in mine_page


def test_locked_and_expired_links_say_so(make_ticket, resolve):
    answered = resolve(make_ticket())
    ref, token = survey_link(answered)
    Client().post(_url(ref, token), {"satisfaction": "4", "effort": "3"})
    Survey.objects.filter(ticket=answered).update(
        answered_at=Survey.objects.get(ticket=answered).answered_at - timedelta(days=4)
    )
    assert Client().get(_url(ref, token)).status_code == 410
    assert Client().post(_url(ref, token), {"satisfaction": "1"}).status_code == 410
    assert Survey.objects.get(ticket=answered).satisfaction == 4
    unanswered = resolve(make_ticket())
    ref2, token2 = survey_link(unanswered)
    Survey.objects.filter(ticket=unanswered).update(
        sent_at=Survey.objects.get(ticket=unanswered).sent_at - timedelta(days=31)
    )
    assert Client().get(_url(ref2, token2)).status_code == 410


def test_desk_ticket_page_shows_the_survey_line(make_ticket, resolve, desk_client):
    ticket = resolve(make_ticket())
    ref, token = survey_link(ticket)
    Client().post(_url(ref, token), {"satisfaction": "2", "effort": "6", "comment": "Trop d’allers-retours"})
    html = desk_client.get(f"/desk/tickets/{ref}/").content.decode()
    assert 'data-testid="survey-card"' in html
    assert "2/5" in html and "6/7" in html and "Trop d’allers-retours" in html


def test_voc_log_is_for_agents_only(make_ticket, resolve):
    assert Client().get("/desk/voc/").status_code == 302  # to the desk's sign-in
    outsider = User.objects.create_user(email="pas-agent@example.test", password="x-pass-12345")
    client = Client()
    client.force_login(outsider)
    assert client.get("/desk/voc/").status_code == 404
    assert client.post("/desk/voc/", {"customer": "#1", "comment": "x"}).status_code == 404
    # A customer signed in to the portal ("My requests") has no desk session either.
    portal = Client()
    session = portal.session
    session["portal_customer_id"] = CustomerFactory().pk
    session.save()
    assert portal.get("/desk/voc/").status_code == 302


def test_agent_writes_an_entry_by_autocomplete_and_finds_it(desk_client, make_ticket):
    ticket = make_ticket(email="jeanne@example.test", name="Jeanne Roy")
    other = EmailIdentityFactory(value="paul@example.test")
    options = desk_client.get("/desk/voc/customers/", {"customer": "Jeanne R"}).content.decode()
    assert 'value="jeanne@example.test"' in options
    page = desk_client.post(
        "/desk/voc/",
        {
            "customer": "jeanne@example.test",
            "comment": "Veut être rappelée le matin",
            "ticket": ticket.reference,
        },
    )
    assert page.status_code == 302
    VocEntry.objects.create(customer=other.customer, comment="Le portail est lent le soir")
    entry = VocEntry.objects.get(customer=ticket.customer)
    assert entry.ticket == ticket and entry.source == "agent"
    listed = desk_client.get("/desk/voc/").content.decode()
    assert "Veut être rappelée" in listed and "Le portail est lent" in listed
    found = desk_client.get("/desk/voc/", {"q": "RAPPELÉE"}).content.decode()
    assert "Veut être rappelée" in found and "Le portail est lent" not in found
    by_customer = desk_client.get("/desk/voc/", {"customer": "paul@example.test"}).content.decode()
    assert "Le portail est lent" in by_customer and "Veut être rappelée" not in by_customer


def test_entry_evidence_must_belong_to_the_customer(desk_client, make_ticket):
    ticket = make_ticket(email="a@example.test")
    other = EmailIdentityFactory(value="b@example.test")
    page = desk_client.post(
        "/desk/voc/", {"customer": "b@example.test", "comment": "Mécontent", "ticket": ticket.reference}
    )
    assert page.status_code == 200 and not VocEntry.objects.filter(customer=other.customer).exists()


def test_voc_list_pages_newest_first(desk_client):
    customer = CustomerFactory()
    for n in range(55):
        VocEntry.objects.create(customer=customer, comment=f"remarque {n:02d}")
    first = desk_client.get("/desk/voc/").content.decode()
    assert "remarque 54" in first and "remarque 04" not in first
    assert 'data-testid="voc-more"' in first
    cursor = first.split('data-testid="voc-more"')[0].rsplit("cursor=", 1)[1].split('"')[0]
    second = desk_client.get(f"/desk/voc/?customer=&q=&cursor={cursor}").content.decode()
    assert "remarque 04" in second and "remarque 05" not in second


def test_api_voc_and_ticket_survey(api_client, make_ticket, resolve):
    ticket = resolve(make_ticket(email="api@example.test"))
    ref, token = survey_link(ticket)
    Client().post(_url(ref, token), {"satisfaction": "1", "effort": "7", "comment": "Jamais plus"})
    survey = api_client.get(f"/api/v1/tickets/{ref}/survey").json()
    assert (survey["satisfaction"], survey["effort"], survey["comment"]) == (1, 7, "Jamais plus")
    assert survey["low_score_alerted"] is True
    created = api_client.post(
        "/api/v1/voc", {"customer_id": ticket.customer_id, "comment": "Appel très poli", "ticket": ref},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["ticket"] == ref
    listed = api_client.get("/api/v1/voc", {"customer_id": ticket.customer_id}).json()["items"]
    assert [e["comment"] for e in listed] == ["Appel très poli", "Jamais plus"]
    assert listed[1]["survey_ticket"] == ref and listed[1]["source"] == "survey"
    assert api_client.get("/api/v1/voc", {"q": "poli"}).json()["items"][0]["comment"] == "Appel très poli"
    bad = api_client.post(
        "/api/v1/voc", {"customer_id": ticket.customer_id, "comment": ""}, content_type="application/json"
    )
    assert bad.status_code == 422


def test_api_survey_404_before_resolution_and_voc_refused_to_non_agents(api_client, make_ticket):
    ticket = make_ticket()
    assert api_client.get(f"/api/v1/tickets/{ticket.reference}/survey").status_code == 404
    outsider = AgentFactory(is_agent=False)
    client = Client(headers={"Authorization": f"Bearer {api_token_create(user=outsider)}"})
    assert client.get("/api/v1/voc").status_code in (401, 403)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_survey_page_speaks_the_customers_language(make_ticket, resolve, language):
    ticket = resolve(make_ticket(language=language))
    ref, token = survey_link(ticket)
    page = Client(headers={"Accept-Language": "de"}).get(_url(ref, token))
    assert f'<html lang="{language}"' in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]


def test_voc_page_queries_do_not_grow_with_entries(desk_client, make_ticket, resolve):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert desk_client.get("/desk/voc/").status_code == 200
        return len(queries)

    for n in range(3):
        VocEntry.objects.create(customer=CustomerFactory(), comment=f"avis {n}", ticket=make_ticket())
    few = count()
    for n in range(20):
        VocEntry.objects.create(customer=CustomerFactory(), comment=f"autre avis {n}", ticket=make_ticket())
    assert count() == few
