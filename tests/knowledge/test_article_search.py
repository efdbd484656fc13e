"""Articles in the one search (issue 11): desk, API and portal; stems, accents, visibility,
freshness. Runs on SQLite (FTS5) and PostgreSQL (tsvector) alike."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.knowledge.services import ArticleData, article_update

from .conftest import token_client

pytestmark = pytest.mark.django_db


def titles(client: Client, q: str) -> list[str]:
    response = client.get("/api/v1/articles", {"q": q})
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()]


def test_stems_and_accents(make_article):
    make_article(title="Vos factures", body="Relevé mensuel de la consommation d'électricité.")
    make_article(title="Power outages", body="What to do when the electricity is cut.", language="en")
    anonymous = Client()
    assert titles(anonymous, "facture") == ["Vos factures"]
    assert titles(anonymous, "electricite") == ["Vos factures"]
    assert titles(anonymous, "ÉLECTRICITÉ") == ["Vos factures"]
    assert titles(anonymous, "outage") == ["Power outages"]
    assert titles(anonymous, "consommations mensuelles") == ["Vos factures"]
    assert titles(anonymous, "gaz") == []


def test_snippet_highlighted_and_escaped(make_article):
    make_article(title="Factures <b>", body="Votre **facture** & vos <script>paiements</script>.")
    items = Client().get("/api/v1/articles", {"q": "factures"}).json()
    assert (
        items[0]["snippet"] == "Votre <mark>facture</mark> &amp; vos &lt;script&gt;paiements&lt;/script&gt;."
    )
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/help/", {"q": "facture"}).content.decode()
    assert "<mark>Factures</mark> &lt;b&gt;" in page
    assert "Votre <mark>facture</mark> &amp; vos &lt;script&gt;" in page


def test_a_visitor_never_finds_internal_or_draft(writer, reader, make_article):
    public = make_article(title="Facture publique")
    hidden = [
        make_article(title="Facture interne", visibility="internal"),
        make_article(title="Facture brouillon", status="draft"),
        make_article(title="Facture brouillon interne", status="draft", visibility="internal"),
    ]
    assert titles(Client(), "facture") == ["Facture publique"]
    portal = Client().get("/help/", {"q": "facture"}).content.decode()
    assert f'data-article-id="{public.pk}"' in portal
    assert all(f'data-article-id="{a.pk}"' not in portal for a in hidden)
    assert "interne" not in portal and "brouillon" not in portal
    assert sorted(titles(token_client(reader), "facture")) == ["Facture interne", "Facture publique"]
    assert len(titles(token_client(writer), "facture")) == 4


def test_searchable_in_the_edit_s_own_transaction(writer, make_article):
    article = make_article(title="Couper l'eau", body="Fermez le robinet principal.", status="draft")
    assert titles(Client(), "robinet") == []
    article_update(actor=writer, article_id=article.pk, data=ArticleData(status="published"))
    assert titles(Client(), "robinet") == ["Couper l'eau"]
    article_update(actor=writer, article_id=article.pk, data=ArticleData(body="Appelez un plombier."))
    assert titles(Client(), "robinet") == []
    assert titles(Client(), "plombiers") == ["Couper l'eau"]
    article_update(actor=writer, article_id=article.pk, data=ArticleData(visibility="internal"))
    assert titles(Client(), "plombier") == []
    assert titles(token_client(writer), "plombier") == ["Couper l'eau"]


def test_desk_search_and_search_api_have_articles(writer, reader, make_article, make_ticket):
    make_article(title="Payer sa facture", visibility="internal")
    desk = Client(HTTP_ACCEPT_LANGUAGE="en")
    desk.force_login(reader)
    page = desk.get("/desk/search/", {"q": "factures"}).content.decode()
    assert 'data-testid="search-articles"' in page and "Payer sa <mark>facture</mark>" in page
    found = token_client(reader).get("/api/v1/search", {"q": "factures"}).json()
    assert [a["title"] for a in found["articles"]] == ["Payer sa facture"]
    # Filters are about tickets: no articles then.
    found = token_client(reader).get("/api/v1/search", {"q": "factures status:open"}).json()
    assert found["articles"] == []


def test_visitor_language_first(make_article):
    make_article(title="Facture en ligne", body="facture")
    make_article(title="Online bill", body="facture bill", language="en")
    en = Client(HTTP_ACCEPT_LANGUAGE="en").get("/help/").content.decode()
    assert en.index("Online bill") < en.index("Facture en ligne")
    fr = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/help/").content.decode()
    assert fr.index("Facture en ligne") < fr.index("Online bill")


@pytest.mark.parametrize(
    "q",
    ["' OR 1=1--", "interne\x00", "\"facture", "fact*", "a* OR b*", "'); SELECT pg_sleep(1);--",
     "𝔣𝔞𝔠𝔱𝔲𝔯𝔢", "NEAR(x y)", "{title} : facture", "facture -interne", "^facture"],
)  # fmt: skip
def test_hostile_queries_find_only_public(q, make_article):
    public = make_article(title="Facture publique")
    make_article(title="Facture interne", visibility="internal")
    response = Client().get("/api/v1/articles", {"q": q})
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert {item["id"] for item in response.json()} <= {public.pk}
    page = Client().get("/help/", {"q": q})
    assert page.status_code == 200
    assert "Facture interne" not in page.content.decode()
