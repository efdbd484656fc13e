"""Issue 9: API tokens are looked up once per process; a revocation or deactivation still counts
at the next request (this process) or within a second (others)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.accounts.models import ApiToken
from comptoir.accounts.services import api_token_authenticate, api_token_create

from ..factories import AgentFactory


@pytest.mark.attack("access", "issue9-1")
def test_a_known_token_costs_no_query_until_it_is_revoked(
    db, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # committed, as in production
        agent = AgentFactory()
        key = api_token_create(user=agent)
    first = api_token_authenticate(key=key)
    assert first == agent
    with django_assert_num_queries(0):
        again = api_token_authenticate(key=key)
    assert again == agent and again is not first  # each caller has its own copy
    with django_capture_on_commit_callbacks(execute=True):
        token = ApiToken.objects.get(user=agent)
        token.revoked_at = timezone.now()
        token.save()
    assert api_token_authenticate(key=key) is None
    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get("/api/v1/tickets").status_code == 401


@pytest.mark.attack("access", "issue9-1")
def test_unknown_keys_are_not_remembered(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # each time the database is asked again: nothing was kept for it
        with CaptureQueriesContext(connection) as queries:
            assert api_token_authenticate(key="cpt_not-a-token") is None
        assert sum("accounts_apitoken" in q["sql"] for q in queries.captured_queries) == 1
