"""Articles from the outside: who writes, who reads, revisions and translations (issue 11)."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.knowledge.models import Article, ArticleRevision

from ..factories import AgentFactory
from .conftest import token_client

pytestmark = pytest.mark.django_db

NEW = {"title": "Payer sa facture", "body": "Par **virement**.", "language": "fr", "visibility": "public",
       "status": "published"}  # fmt: skip


def test_level_2_creates_by_api_and_gets_it_back(writer):
    client = token_client(writer)
    response = client.post("/api/v1/articles", NEW, content_type="application/json")
    assert response.status_code == 201, response.content
    article_id = response.json()["id"]
    got = client.get(f"/api/v1/articles/{article_id}").json()
    assert got["title"] == "Payer sa facture"
    assert got["body_html"] == "<p>Par <strong>virement</strong>.</p>\n"
    assert got["author"] == str(writer)


def test_level_1_and_anonymous_may_not_write(reader, make_article):
    response = token_client(reader).post("/api/v1/articles", NEW, content_type="application/json")
    assert response.status_code == 403
    article = make_article()
    response = token_client(reader).patch(
        f"/api/v1/articles/{article.pk}", {"title": "Changed"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Client().post("/api/v1/articles", NEW, content_type="application/json").status_code == 401
    assert Article.objects.count() == 1
    assert Article.objects.get().title == "Payer sa facture"


def test_supervisor_level_1_may_write():
    supervisor = AgentFactory(level=1, is_supervisor=True)
    response = token_client(supervisor).post("/api/v1/articles", NEW, content_type="application/json")
    assert response.status_code == 201


def test_every_edit_leaves_a_revision(writer, make_article):
    article = make_article(title="Version 1", body="un")
    client = token_client(writer)
    client.patch(f"/api/v1/articles/{article.pk}", {"body": "deux"}, content_type="application/json")
    client.patch(f"/api/v1/articles/{article.pk}", {"title": "Version 3"}, content_type="application/json")
    client.patch(
        f"/api/v1/articles/{article.pk}", {"title": "Version 3"}, content_type="application/json"
    )  # no-op
    revisions = list(ArticleRevision.objects.filter(article=article).order_by("number"))
    assert [(r.number, r.title, r.body) for r in revisions] == [
        (1, "Version 1", "un"), (2, "Version 1", "deux"), (3, "Version 3", "deux"),
    ]  # fmt: skip
    assert {r.editor_id for r in revisions} == {writer.pk}
    desk = Client(HTTP_ACCEPT_LANGUAGE="en")
    desk.force_login(writer)
    page = desk.get(f"/desk/kb/{article.pk}/").content.decode()
    assert page.count('data-testid="kb-revision"') == 3


def test_who_reads_what(writer, reader, make_article):
    public = make_article(title="Public publié")
    internal = make_article(title="Interne publié", visibility="internal")
    draft = make_article(title="Brouillon public", status="draft")
    anonymous, level_1, level_2 = Client(), token_client(reader), token_client(writer)

    def ids(client: Client) -> set[int]:
        return {item["id"] for item in client.get("/api/v1/articles").json()}

    assert ids(anonymous) == {public.pk}
    assert ids(level_1) == {public.pk, internal.pk}
    assert ids(level_2) == {public.pk, internal.pk, draft.pk}
    for hidden in (internal, draft):
        assert anonymous.get(f"/api/v1/articles/{hidden.pk}").status_code == 404
        assert Client().get(f"/help/{hidden.pk}/").status_code == 404
    assert level_1.get(f"/api/v1/articles/{draft.pk}").status_code == 404
    assert anonymous.get(f"/api/v1/articles/{public.pk}").status_code == 200
    assert anonymous.get("/api/v1/articles", headers={"Authorization": "Bearer nope"}).status_code == 401
    portal = Client().get("/help/").content.decode()
    assert "Public publié" in portal
    assert "Interne publié" not in portal and "Brouillon public" not in portal


def test_portal_reads_as_a_visitor_even_for_a_signed_in_agent(writer, make_article):
    internal = make_article(title="Interne publié", visibility="internal")
    client = Client()
    client.force_login(writer)
    assert client.get(f"/help/{internal.pk}/").status_code == 404
    assert "Interne publié" not in client.get("/help/").content.decode()


def test_translation_linked_both_ways(writer, make_article):
    original = make_article(title="Payer sa facture")
    client = token_client(writer)
    response = client.post(
        "/api/v1/articles",
        {**NEW, "title": "Paying your bill", "language": "en", "translation_of": original.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    english = response.json()
    assert english["translation_of"] == original.pk
    assert client.get(f"/api/v1/articles/{original.pk}").json()["translations"] == [english["id"]]
    # A second English translation, or one in the original's language, is refused.
    again = client.post(
        "/api/v1/articles",
        {**NEW, "language": "en", "translation_of": original.pk},
        content_type="application/json",
    )
    assert again.status_code == 409
    same = client.post(
        "/api/v1/articles",
        {**NEW, "language": "fr", "translation_of": original.pk},
        content_type="application/json",
    )
    assert same.status_code == 422
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/help/{original.pk}/").content.decode()
    assert f'href="/help/{english["id"]}/"' in page
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/help/{english['id']}/").content.decode()
    assert f'href="/help/{original.pk}/"' in page


def test_desk_create_edit_and_translate(writer):
    desk = Client(HTTP_ACCEPT_LANGUAGE="en")
    desk.force_login(writer)
    assert 'href="/desk/kb/"' in desk.get("/desk/").content.decode()
    form = {"title": "Couper l'eau", "body": "Fermez le **robinet**.", "language": "fr", "category": "",
            "status": "published", "visibility": "public", "translation_of": ""}  # fmt: skip
    response = desk.post("/desk/kb/new/", form)
    assert response.status_code == 302
    article = Article.objects.get()
    page = desk.get(response["Location"]).content.decode()
    assert "<strong>robinet</strong>" in page
    assert f"/desk/kb/new/?translation_of={article.pk}&amp;language=en" in page
    prefilled = desk.get(f"/desk/kb/new/?translation_of={article.pk}&language=en").content.decode()
    assert 'value="Couper l&#x27;eau"' in prefilled
    response = desk.post("/desk/kb/new/", {**form, "title": "Turning off water", "language": "en",
                                            "translation_of": str(article.pk)})  # fmt: skip
    assert response.status_code == 302
    english = Article.objects.get(language="en")
    assert english.translation_of_id == article.pk
    assert f'href="/desk/kb/{english.pk}/"' in desk.get(f"/desk/kb/{article.pk}/").content.decode()
    response = desk.post(f"/desk/kb/{article.pk}/edit/", {**form, "title": "Couper l'eau chaude"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Couper l'eau chaude"
    listing = desk.get("/desk/kb/?language=en").content.decode()
    assert "Turning off water" in listing and "Couper l&#x27;eau chaude" not in listing


def test_desk_level_1_reads_but_cannot_write(reader, make_article):
    article = make_article(title="Interne", visibility="internal")
    desk = Client(HTTP_ACCEPT_LANGUAGE="en")
    desk.force_login(reader)
    page = desk.get(f"/desk/kb/{article.pk}/").content.decode()
    assert "Interne" in page and 'data-testid="kb-edit"' not in page
    assert desk.get("/desk/kb/new/").status_code == 403
    assert desk.get(f"/desk/kb/{article.pk}/edit/").status_code == 403
    assert desk.post("/desk/kb/new/", {"title": "x", "language": "fr", "status": "draft",
                                       "visibility": "public"}).status_code == 403  # fmt: skip
    assert Article.objects.count() == 1


def test_desk_refuses_customers_and_anonymous(make_article):
    article = make_article()
    assert Client().get(f"/desk/kb/{article.pk}/").status_code == 302  # to the login page
