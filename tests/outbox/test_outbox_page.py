"""The outbox page and its figures, from the outside: who may read it, and what it gives away."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.accounts.services import api_token_create
from comptoir.outbox.models import CapturedEmail, CapturedSms, Delivery
from comptoir.tickets.tracking import make_token, reply_address

from ..factories import AgentFactory

pytestmark = pytest.mark.django_db

CAPTURE = "comptoir.outbox.mail_capture.CaptureBackend"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def supervisor(team):  # type: ignore[no-untyped-def]
    return AgentFactory(teams=[team], is_supervisor=True, level=2)


@pytest.mark.attack("access", "issue8-5")
def test_outbox_is_for_supervisors_only(settings, make_ticket, team, supervisor):
    settings.EMAIL_BACKEND = CAPTURE
    ticket = make_ticket(email="zoe@example.test", subject="Panne de courant")
    level1 = AgentFactory(teams=[team], level=1)
    level2 = AgentFactory(teams=[team], level=2)
    for agent in (level1, level2):
        client = _client(agent)
        response = client.get("/desk/outbox/")
        assert response.status_code == 403
        assert ticket.reference.encode() not in response.content
        assert b"/desk/outbox/" not in client.get("/desk/").content  # no link to a closed door
    page = _client(supervisor).get("/desk/outbox/")
    assert page.status_code == 200 and ticket.reference in page.content.decode()
    admin = AgentFactory(is_agent=False, is_superuser=True)
    assert _client(admin).get("/desk/outbox/").status_code == 200


@pytest.mark.attack("secrets", "issue8-5")
def test_outbox_shows_no_usable_link_reply_address_or_message_id(
    settings, make_ticket, supervisor, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = CAPTURE
    settings.BASE_URL = "http://testserver"
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(email="remi@example.test", language="fr", subject="Compteur bloqué")
    token = make_token(ticket.tracking_uid)
    captured = CapturedEmail.objects.get()
    assert "/track/" in captured.raw  # control: the mail did carry the link
    delivery = Delivery.objects.get(ticket=ticket)
    CapturedSms.objects.create(
        recipient="+15145550101",
        body=f"{ticket.reference}: http://testserver/track/{token}/",
        delivery=delivery,
    )
    page = _client(supervisor).get("/desk/outbox/").content.decode()
    mac = reply_address(ticket.pk).split("-", 1)[1].split("@")[0]
    for secret in (token, ticket.tracking_uid.hex, mac, delivery.message_id.strip("<>").split("@")[0]):
        assert secret not in page
    # Cut to a recognisable prefix, in the mail and in the text message.
    assert page.count(f"/track/{token[:4]}…/") >= 2
    # And the page cannot be used to take over the conversation: nothing on it opens /track/.
    for path in set(re.findall(r"/track/[^\s<\"']+", page)):
        assert Client().get(path).status_code == 404


def test_outbox_decodes_subjects_shows_dates_and_links_tickets(
    settings, make_ticket, supervisor, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = CAPTURE
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(email="ines@example.test", language="fr", subject="Facture corrigée élevée")
    # A row captured before subjects were stored decoded.
    CapturedEmail.objects.create(
        message_id="<old@x>",
        recipients="a@example.test",
        subject="=?utf-8?q?R=C3=A9ponse_envoy=C3=A9e?=",
        raw="",
    )
    page = _client(supervisor).get("/desk/outbox/").content.decode()
    assert "=?utf-8?" not in page.lower()
    captured = CapturedEmail.objects.exclude(message_id="<old@x>").get()
    assert "=?utf-8?" in captured.raw  # control: on the wire the subject is encoded
    assert f"[{ticket.reference}] Nous avons bien reçu votre demande" in page
    assert "Réponse envoyée" in page
    assert "toute personne qui le possède" in page  # the 8bit UTF-8 body, decoded
    assert page.count(f'href="/desk/tickets/{ticket.reference}/"') >= 2  # the delivery and the mail
    delivery = Delivery.objects.get(ticket=ticket)
    assert str(delivery.created_at.year) in page  # dated


@pytest.mark.fault("issue8-9")
def test_backlog_figures_for_supervisors_on_page_and_api(settings, make_ticket, team, supervisor):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # nothing sends
    now = timezone.now()
    for i in range(3):
        make_ticket(email=f"p{i}@example.test")
    Delivery.objects.filter(pk=Delivery.objects.order_by("pk").first().pk).update(
        created_at=now - timedelta(minutes=7)
    )
    make_ticket(email="lost@example.test")
    make_ticket(email="failed@example.test")
    lost, failed = Delivery.objects.order_by("-pk")[:2][::-1]
    Delivery.objects.filter(pk=lost.pk).update(status="sending", next_attempt_at=now - timedelta(seconds=5))
    Delivery.objects.filter(pk=failed.pk).update(status="failed", last_error="550 no such user")

    level1 = AgentFactory(teams=[team], level=1)
    level1_token = api_token_create(user=level1)
    denied = Client().get("/api/v1/stats/outbox", headers={"Authorization": f"Bearer {level1_token}"})
    assert denied.status_code == 403
    token = api_token_create(user=supervisor)
    stats = Client().get("/api/v1/stats/outbox", headers={"Authorization": f"Bearer {token}"}).json()
    assert stats["pending"] == 3 and stats["due"] == 3
    assert stats["sending"] == 1 and stats["sending_lease_expired"] == 1 and stats["failed"] == 1
    assert 7 * 60 - 5 <= stats["oldest_pending_age_s"] <= 7 * 60 + 60
    page = _client(supervisor).get("/desk/outbox/").content.decode()
    assert re.search(r'data-testid="backlog-pending">3<', page)
    assert re.search(r'data-testid="backlog-expired">1<', page)
    assert re.search(r'data-testid="backlog-oldest">4\d\d s<', page)
