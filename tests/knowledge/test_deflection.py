"""Portal deflection (issue 11, item 6), from the outside: the request form's suggestions, the
token that follows one form session, the counting rules, and who reads the figures."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.knowledge.models import DeflectionOpen, DeflectionVisit
from comptoir.knowledge.selectors import DEFLECTION_WINDOW
from comptoir.tickets.models import Ticket

from ..factories import AgentFactory
from .conftest import token_client

pytestmark = pytest.mark.django_db

SUBJECT = "Panne de courant"
DESCRIPTION = "Depuis ce matin nous avons une panne, le disjoncteur semble coupé."
CONTACT = {"name": "Anaïs Roy", "email": "anais@example.test"}


@pytest.fixture
def articles(make_article, writer):
    """A public published French article with its English translation, plus articles a customer
    must never be shown although they match: a draft and an internal one."""
    fr = make_article(
        title="Panne de courant : que faire", body="Vérifiez le disjoncteur, puis appelez-nous."
    )
    en = make_article(
        title="Power outage: what to do", body="Check the breaker (disjoncteur), then call us.",
        language="en", translation_of=fr.pk,
    )  # fmt: skip
    draft = make_article(title="Panne brouillon", body="Disjoncteur : texte pas prêt.", status="draft")
    internal = make_article(
        title="Panne procédure interne", body="Disjoncteur : note interne.", visibility="internal"
    )
    return {"fr": fr, "en": en, "draft": draft, "internal": internal}


def _form(client: Client, url: str = "/", lang: str = "fr") -> str:
    """Open the request form; its deflection token (a hidden field)."""
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-live="polite"' in html and 'hx-post="/help/suggest/"' in html
    match = re.search(r'name="deflection" value="([^"]+)"', html)
    assert match, "the form carries a deflection token"
    return match.group(1)


def _suggest(client: Client, token: str, subject: str = SUBJECT, description: str = DESCRIPTION, lang="fr"):  # type: ignore[no-untyped-def]
    return client.post(
        "/help/suggest/",
        {"subject": subject, "description": description, "deflection": token},
        HTTP_ACCEPT_LANGUAGE=lang,
        HTTP_HX_REQUEST="true",
    )


def _links(html: str) -> list[str]:
    return re.findall(r'href="(/help/\d+/[^"]*)"', html)


def _age(visit: DeflectionVisit, by: timedelta) -> None:
    """As if everything on the visit happened ``by`` earlier (the 30-minute window)."""
    DeflectionVisit.objects.filter(pk=visit.pk).update(
        created_at=visit.created_at - by,
        first_opened_at=visit.first_opened_at - by if visit.first_opened_at else None,
        submitted_at=visit.submitted_at - by if visit.submitted_at else None,
    )


# --- Suggestions -------------------------------------------------------------------------------


def test_suggestions_show_public_published_articles_only_in_the_forms_language_first(client, articles):
    token = _form(client)
    response = _suggest(client, token)
    assert response.status_code == 200
    html = response.content.decode()
    ids = [int(i) for i in re.findall(r'data-article-id="(\d+)"', html)]
    assert ids == [articles["fr"].pk]  # the English translation is the same article: listed once
    assert "Panne" in html and "<mark>" in html
    assert articles["draft"].title not in html and articles["internal"].title not in html
    # An English page gets the English version first.
    english = _suggest(
        client, token, subject="Power outage", description="The breaker tripped again.", lang="en"
    )
    assert re.findall(r'data-article-id="(\d+)"', english.content.decode())[0] == str(articles["en"].pk)


def test_a_request_sharing_only_some_words_with_an_article_still_finds_it(client, articles):
    token = _form(client)
    html = _suggest(
        client, token, subject="Électricité", description="Mon disjoncteur saute sans arrêt."
    ).content
    assert f'data-article-id="{articles["fr"].pk}"'.encode() in html


def test_nothing_for_too_short_or_unmatched_text_and_no_visit_recorded(client, articles):
    token = _form(client)
    for subject, description in [("Panne", ""), ("", ""), ("Recette", "Une tarte aux pommes et du sucre.")]:
        response = _suggest(client, token, subject=subject, description=description)
        assert response.status_code == 200
        assert b"data-article-id" not in response.content
    assert DeflectionVisit.objects.count() == 0


def test_suggestions_without_a_valid_token_are_shown_but_not_counted(client, articles):
    for token in ["", "forged-token", _form(client) + "x"]:
        html = _suggest(client, token).content.decode()
        assert f'data-article-id="{articles["fr"].pk}"' in html
        assert all("?from=" not in link for link in _links(html))
    assert DeflectionVisit.objects.count() == 0


def test_the_form_works_without_javascript(client, articles):
    token = _form(client)
    response = client.post(
        "/", {**CONTACT, "subject": SUBJECT, "description": DESCRIPTION, "deflection": token}
    )
    assert response.status_code == 302 and Ticket.objects.count() == 1
    assert DeflectionVisit.objects.count() == 0  # no suggestion was ever shown: no visit


def test_suggestions_are_rate_limited_per_address(client, articles, settings):
    settings.COMPTOIR_SUGGEST_RATE = "3/h"
    token = _form(client)
    assert [_suggest(client, token).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_suggestions_endpoint_takes_only_posts_with_csrf():
    strict = Client(enforce_csrf_checks=True)
    assert strict.get("/help/suggest/").status_code == 405
    assert strict.post("/help/suggest/", {"subject": SUBJECT, "description": DESCRIPTION}).status_code == 403


# --- Token and counting -------------------------------------------------------------------------


def test_a_form_session_shown_then_opened_records_once_per_article_and_stores_no_text(client, articles):
    token = _form(client)
    links = _links(_suggest(client, token).content.decode())
    assert len(links) == 1 and "?from=" in links[0]
    _suggest(client, token)  # typing on: the same visit
    visit = DeflectionVisit.objects.get()
    assert visit.shown_articles == [articles["fr"].pk]
    assert token not in visit.token_hash  # only a hash is kept
    opened = client.get(links[0])
    assert opened.status_code == 302 and opened["Location"] == f"/help/{articles['fr'].pk}/"
    assert client.get(opened["Location"]).status_code == 200
    client.get(links[0])  # again: still one open
    assert DeflectionOpen.objects.filter(visit=visit).count() == 1
    stored = " ".join(str(v) for v in DeflectionVisit.objects.values().get().values())
    assert "disjoncteur" not in stored.lower() and "Anaïs" not in stored


def test_a_token_opens_only_articles_shown_to_its_own_visit(client, articles, make_article):
    other = make_article(title="Payer sa facture", body="Comment payer vos factures en ligne.")
    mine, theirs = _form(client), _form(client)
    _suggest(client, mine)
    _suggest(client, theirs, subject="Facture", description="Comment payer ma facture en ligne ?")
    # Opening an article with a token that was not shown it records nothing...
    client.get(f"/help/{other.pk}/?from={mine}")
    client.get(f"/help/{articles['draft'].pk}/?from={mine}")  # 404 anyway: a draft
    assert DeflectionOpen.objects.count() == 0
    # ...nor does a forged or altered token; each token marks its own visit only.
    client.get(f"/help/{articles['fr'].pk}/?from={mine[:-2]}zz")
    assert DeflectionOpen.objects.count() == 0
    client.get(f"/help/{other.pk}/?from={theirs}")
    opened = DeflectionOpen.objects.get()
    assert opened.visit.shown_articles == [other.pk] and opened.article_id == other.pk


def test_opens_are_rate_limited(client, articles, settings):
    settings.COMPTOIR_SUGGEST_OPEN_RATE = "0/h"
    token = _form(client)
    link = _links(_suggest(client, token).content.decode())[0]
    assert client.get(link).status_code == 302  # the article is still shown
    assert DeflectionOpen.objects.count() == 0


def test_submitting_marks_only_the_visit_of_its_own_token(client, articles):
    mine, theirs = _form(client), _form(client)
    _suggest(client, mine)
    _suggest(client, theirs)
    response = client.post(
        "/", {**CONTACT, "subject": SUBJECT, "description": DESCRIPTION, "deflection": mine}
    )
    assert response.status_code == 302
    submitted = DeflectionVisit.objects.filter(submitted_at__isnull=False)
    assert submitted.count() == 1
    assert DeflectionVisit.objects.filter(submitted_at__isnull=True).count() == 1


def test_the_signed_in_customers_new_request_page_counts_too(client, articles, make_ticket):
    from comptoir.portal.my import PORTAL_CUSTOMER

    ticket = make_ticket(email="signed@example.test")
    session = client.session
    session[PORTAL_CUSTOMER] = ticket.customer_id
    session.save()
    token = _form(client, "/my/new/")
    _suggest(client, token)
    response = client.post("/my/new/", {"subject": SUBJECT, "description": DESCRIPTION, "deflection": token})
    assert response.status_code == 302
    assert DeflectionVisit.objects.get().submitted_at is not None


def _figures(days: int = 30) -> dict:
    boss = AgentFactory(is_supervisor=True)
    response = token_client(boss).get(f"/api/v1/knowledge/deflection?days={days}")
    assert response.status_code == 200
    return response.json()


def test_counting_rules_with_the_30_minute_window(client, articles):
    base = {**CONTACT, "subject": SUBJECT, "description": DESCRIPTION}
    link = None

    def session(open_article: bool, submit: bool) -> DeflectionVisit:
        nonlocal link
        token = _form(Client())
        c = Client()
        link = _links(_suggest(c, token).content.decode())[0]
        if open_article:
            c.get(link)
        if submit:
            assert c.post("/", {**base, "deflection": token}).status_code == 302
        return DeflectionVisit.objects.get(pk=DeflectionVisit.objects.order_by("-id").first().pk)

    left = session(open_article=True, submit=False)  # found the answer and left
    read_then_sent = session(open_article=True, submit=True)  # opened one, still sent
    sent = session(open_article=False, submit=True)  # sent without opening
    ignored = session(open_article=False, submit=False)  # shown, did nothing
    # Within the window nothing opened is decided yet.
    f = _figures()
    assert (f["visits"], f["opened"], f["deflected"], f["submitted"], f["pending"]) == (4, 2, 0, 2, 1)
    assert f["rate"] == 0.0 and f["window_minutes"] == 30
    # 30 minutes later (timestamps moved back rather than waiting): the visit that left is one.
    for visit in (left, read_then_sent, sent, ignored):
        _age(DeflectionVisit.objects.get(pk=visit.pk), DEFLECTION_WINDOW + timedelta(minutes=1))
    f = _figures()
    assert (f["deflected"], f["submitted"], f["pending"]) == (1, 2, 0)
    assert f["rate"] == pytest.approx(1 / 3, abs=1e-3)
    # A request sent more than 30 minutes after the article was opened does not undo it.
    visit = DeflectionVisit.objects.get(pk=left.pk)
    DeflectionVisit.objects.filter(pk=visit.pk).update(
        submitted_at=visit.first_opened_at + timedelta(minutes=45)
    )
    assert _figures()["deflected"] == 1
    # ...while one sent within the window does.
    DeflectionVisit.objects.filter(pk=visit.pk).update(
        submitted_at=visit.first_opened_at + timedelta(minutes=29)
    )
    assert _figures()["deflected"] == 0
    # The period: visits older than 7 days are out of the last 7 days.
    DeflectionVisit.objects.filter(pk=sent.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert _figures(days=7)["visits"] == 3 and _figures(days=30)["visits"] == 4


# --- Who reads the figures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ({"level": 1}, False),
        ({"level": 2}, False),
        ({"is_supervisor": True}, True),
        ({"is_superuser": True}, True),
    ],
)
def test_the_api_figures_are_for_supervisors_and_admins(role, allowed):
    response = token_client(AgentFactory(**role)).get("/api/v1/knowledge/deflection?days=7")
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert response.json()["days"] == 7 and response.json()["rate"] is None


def test_the_api_figures_refuse_anonymous_callers_and_bad_periods(client):
    assert client.get("/api/v1/knowledge/deflection").status_code == 401
    boss = token_client(AgentFactory(is_supervisor=True))
    assert boss.get("/api/v1/knowledge/deflection?days=0").status_code == 422
    assert boss.get("/api/v1/knowledge/deflection?days=366").status_code == 422


def test_the_api_is_documented_in_openapi(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/knowledge/deflection"]["get"]
    assert {"200", "401", "403"} <= set(operation["responses"])
    assert any(p["name"] == "days" for p in operation["parameters"])


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ({"level": 1}, False),
        ({"level": 2}, False),
        ({"is_supervisor": True}, True),
        ({"is_superuser": True}, True),
    ],
)
def test_the_desk_figure_is_shown_to_supervisors_and_admins_only(role, shown, articles):
    desk = Client(HTTP_ACCEPT_LANGUAGE="en")
    desk.force_login(AgentFactory(**role))
    page = desk.get("/desk/kb/?days=7")
    assert page.status_code == 200
    html = page.content.decode()
    assert ('data-testid="kb-deflection"' in html) is shown
    if shown:
        assert "Self-service" in html and 'data-testid="kb-deflection-7" aria-current="true"' not in html
        assert 'aria-current="true" data-testid="kb-deflection-7"' in html


def test_customers_reach_neither_the_desk_figure_nor_the_api(client, make_ticket):
    from comptoir.portal.my import PORTAL_CUSTOMER

    ticket = make_ticket(email="signed@example.test")
    session = client.session
    session[PORTAL_CUSTOMER] = ticket.customer_id
    session.save()
    assert client.get("/desk/kb/").status_code in (302, 404)
    assert client.get("/api/v1/knowledge/deflection").status_code == 401
