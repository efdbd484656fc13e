from __future__ import annotations

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.knowledge.services import ArticleData, article_create

from ..factories import AgentFactory


@pytest.fixture
def writer(db):
    """A level-2 agent: may write articles by default."""
    return AgentFactory(level=2)


@pytest.fixture
def reader(db):
    """A level-1 agent: reads every published article, writes none."""
    return AgentFactory(level=1)


def token_client(user) -> Client:  # type: ignore[no-untyped-def]
    return Client(
        headers={"Authorization": f"Bearer {api_token_create(user=user)}"}, HTTP_ACCEPT_LANGUAGE="en"
    )


@pytest.fixture
def make_article(writer):
    def make(title="Payer sa facture", body="Comment payer vos factures d'électricité.", **kw):  # type: ignore[no-untyped-def]
        actor = kw.pop("actor", writer)
        fields = {"language": "fr", "status": "published", "visibility": "public", **kw}
        return article_create(actor=actor, data=ArticleData(title=title, body=body, **fields))

    return make
