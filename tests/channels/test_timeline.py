"""One customer, one timeline across channels; merging two records of one person.

THREATS.md case 40 (opposite merges at once).
"""

from __future__ import annotations

import re
import threading
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pytest
from django.db import connection
from django.test import Client

from comptoir.channels.email.ingest import email_receive
from comptoir.common.exceptions import Conflict
from comptoir.customers.models import Consent, Customer, CustomerEvent, Identity
from comptoir.customers.services import CustomerData, consent_set, customer_create
from comptoir.intake.services import customer_merge
from comptoir.tickets.models import Message, Ticket, TicketEvent
from comptoir.tickets.services import ticket_agent_message, ticket_update
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

EMAIL = "marie.roy@example.test"
PHONE = "+15145550177"


def raw_email(*, sender: str = f"Marie Roy <{EMAIL}>", subject: str, body: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@comptoir.localhost"
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="example.test")
    msg.set_content(body)
    return bytes(msg)


def receive_email(capture, **kw: str) -> Ticket:
    with capture(execute=True):
        outcome = email_receive(raw=raw_email(**kw), source="test")
    assert outcome.result is not None, outcome.error
    return outcome.result.ticket


@pytest.fixture
def story(make_ticket, send_sms, desk_client, agent, django_capture_on_commit_callbacks):
    """Marie writes by every channel, in this order: web, email, SMS, chat, phone (agent logs it)."""
    capture = django_capture_on_commit_callbacks
    web = make_ticket(email=EMAIL, name="Marie Roy", subject="Formulaire", body="WEB: facture de janvier")
    customer = web.customer
    email = receive_email(capture, subject="Par courriel", body="EMAIL: relevé de compteur joint")
    assert email.customer_id == customer.pk and email.channel == "email"
    Identity.objects.create(customer=customer, kind="phone", value=PHONE)
    response = send_sms("SMS: coupure de courant chez moi", sender=PHONE)
    sms = Ticket.objects.get(reference=response.json()["ticket"])
    assert sms.customer_id == customer.pk and sms.channel == "sms"
    with capture(execute=True):
        response = Client().post(
            "/chat/",
            {"name": "Marie Roy", "email": EMAIL, "message": "CHAT: délai de remboursement ?",
             "submission_id": uuid.uuid4().hex},
        )  # fmt: skip
    assert response.status_code == 302
    chat = Ticket.objects.get(customer=customer, channel="chat")
    with capture(execute=True):
        response = desk_client.post(
            "/desk/calls/new/",
            {"customer": str(customer.pk), "subject": "Appel", "summary": "PHONE: veut payer en trois fois"},
        )
    assert response.status_code == 302, response.content[:500]
    phone = Ticket.objects.get(customer=customer, channel="phone")
    ticket_agent_message(ticket=email, actor=agent, body="NOTE: vérifier le compteur", internal=True)
    # The web request is settled and closed: it goes after the open ones.
    web.refresh_from_db()
    ticket_update(ticket_id=web.pk, actor=agent, version=web.version, status=Ticket.Status.CLOSED)
    return {"customer": customer, "web": web, "email": email, "sms": sms, "chat": chat, "phone": phone}


EXPECTED = [
    ("web", "WEB:"),
    ("email", "EMAIL:"),
    ("sms", "SMS:"),
    ("chat", "CHAT:"),
    ("phone", "PHONE:"),
    ("web", "NOTE:"),
]


def test_customer_page_shows_every_channel_in_time_order_open_tickets_first(desk_client, story):
    customer = story["customer"]
    response = desk_client.get(f"/desk/customers/{customer.pk}/")
    assert response.status_code == 200
    timeline = response.context["timeline"]
    # Every interaction, oldest first; the note is written on the desk (channel web).
    assert [(m.channel, m.body.split()[0]) for m in timeline] == EXPECTED
    assert [m.created_at for m in timeline] == sorted(m.created_at for m in timeline)
    open_refs = {t.reference for t in response.context["open_tickets"]}
    assert open_refs == {story[k].reference for k in ("email", "sms", "chat", "phone")}
    assert [t.reference for t in response.context["closed_tickets"]] == [story["web"].reference]

    html = response.content.decode()
    channels = re.findall(r'data-testid="timeline-entry" data-channel="(\w+)"', html)
    assert channels == [c for c, _ in EXPECTED]
    section = html[html.index('data-testid="timeline"') :]
    positions = [section.index(word) for _c, word in EXPECTED]
    assert positions == sorted(positions)
    open_list = re.search(r'<ul data-testid="open-tickets">(.*?)</ul>', html, re.S).group(1)
    assert set(re.findall(r"CPT-\d+", open_list)) == open_refs
    assert html.index('data-testid="open-tickets"') < html.index('data-testid="timeline"')


def test_api_timeline_returns_the_same_entries(api_client, story):
    customer = story["customer"]
    response = api_client.get(f"/api/v1/customers/{customer.pk}/timeline")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["customer"] == customer.pk
    assert [(e["channel"], e["body"].split()[0]) for e in data["entries"]] == EXPECTED
    assert [e["at"] for e in data["entries"]] == sorted(e["at"] for e in data["entries"])
    note = data["entries"][-1]
    assert note["visibility"] == "internal" and note["kind"] == "internal"
    assert note["ticket"] == story["email"].reference and note["author"]
    phone = data["entries"][4]
    assert phone["ticket"] == story["phone"].reference and phone["kind"] == "customer"
    assert {t["reference"] for t in data["open_tickets"]} == {
        story[k].reference for k in ("email", "sms", "chat", "phone")
    }
    assert [t["reference"] for t in data["other_tickets"]] == [story["web"].reference]


def test_api_timeline_needs_a_token_and_an_existing_customer(api_client, make_ticket):
    customer = make_ticket().customer
    response = Client().get(f"/api/v1/customers/{customer.pk}/timeline")
    assert response.status_code == 401
    assert "body" not in response.content.decode()
    assert api_client.get("/api/v1/customers/999999/timeline").status_code == 404


def test_customer_page_needs_an_agent(make_ticket):
    customer = make_ticket().customer
    response = Client().get(f"/desk/customers/{customer.pk}/")
    assert response.status_code == 302 and "/desk/login/" in response["Location"]


# --- merge -------------------------------------------------------------------------------------


@pytest.fixture
def twins(make_ticket, agent):
    """Two records of one person: one known by email, one by phone (with SMS consent).

    The desk's agent is a supervisor here: merging is theirs (issue 8, tests/customers).
    """
    agent.is_supervisor = True
    agent.save(update_fields=["is_supervisor"])
    by_email = make_ticket(email="paul.dube@example.test", name="Paul Dubé", subject="Par le formulaire")
    source = customer_create(data=CustomerData(name="P. Dubé", phone="514 555 0166", account="ACC-42"))
    consent_set(customer=source, channel="sms", granted=True, source="test")
    by_phone = make_ticket(email="paul.ancien@example.test", subject="Ancienne adresse")
    Ticket.objects.filter(pk=by_phone.pk).update(customer=source)
    Identity.objects.filter(value="paul.ancien@example.test").update(customer=source)
    return source, by_email.customer, by_phone, by_email


def test_merge_from_the_desk_moves_everything_and_is_recorded(desk_client, agent, twins):
    source, target, source_ticket, target_ticket = twins
    response = desk_client.post(
        f"/desk/customers/{source.pk}/merge/", {"other": target.pk, "confirm": "1"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/desk/customers/{target.pk}/"
    assert "Customers merged." in [str(m) for m in response.context["messages"]]

    values = set(Identity.objects.filter(customer=target).values_list("kind", "value"))
    assert values == {
        ("email", "paul.dube@example.test"),
        ("email", "paul.ancien@example.test"),
        ("phone", "+15145550166"),
        ("account", "ACC-42"),
    }
    assert not Identity.objects.filter(customer=source).exists()
    assert set(Ticket.objects.filter(customer=target).values_list("pk", flat=True)) == {
        source_ticket.pk,
        target_ticket.pk,
    }
    assert Consent.objects.get(customer=target, channel="sms").granted is True

    moved = TicketEvent.objects.get(ticket=source_ticket, field="customer")
    assert (moved.old, moved.new) == (f"#{source.pk}", f"#{target.pk}")
    assert moved.actor_label == agent.email or moved.actor_id == agent.pk
    assert not TicketEvent.objects.filter(ticket=target_ticket, field="customer").exists()
    merge = CustomerEvent.objects.get(customer=target, kind="merge")
    merged = CustomerEvent.objects.get(customer=source, kind="merged_into")
    assert source_ticket.reference in merge.detail and merge.actor_label == agent.email
    assert merged.detail == merge.detail

    # The survivor shows both histories; the merged record says where it went.
    html = desk_client.get(f"/desk/customers/{target.pk}/").content.decode()
    assert source_ticket.reference in html and target_ticket.reference in html
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    html = desk_client.get(f"/desk/customers/{source.pk}/").content.decode()
    assert f"This record was merged into customer #{target.pk}." in html
    assert 'data-testid="merge-form"' not in html
    # A merged record no longer turns up in searches.
    found = desk_client.get("/desk/calls/new/", {"q": "Dubé"}).context["found"]
    assert [c.pk for c in found] == [target.pk]


def test_next_contact_by_a_moved_identity_lands_on_the_survivor(desk_client, twins, send_sms):
    source, target, _s, _t = twins
    desk_client.post(f"/desk/customers/{source.pk}/merge/", {"other": target.pk, "confirm": "1"})
    response = send_sms("Toujours sans courant", sender="+15145550166")
    assert Ticket.objects.get(reference=response.json()["ticket"]).customer_id == target.pk


def test_merge_into_itself_is_refused(desk_client, twins):
    source, _target, source_ticket, _t = twins
    response = desk_client.post(
        f"/desk/customers/{source.pk}/merge/", {"other": source.pk, "confirm": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/desk/customers/{source.pk}/"
    assert "A customer cannot be merged into itself." in [str(m) for m in response.context["messages"]]
    assert Ticket.objects.get(pk=source_ticket.pk).customer_id == source.pk
    assert not CustomerEvent.objects.filter(kind__in=["merge", "merged_into"]).exists()


def test_merge_with_an_already_merged_record_is_refused(desk_client, twins, make_ticket):
    source, target, _s, _t = twins
    third = make_ticket(email="troisieme@example.test").customer
    desk_client.post(f"/desk/customers/{source.pk}/merge/", {"other": target.pk, "confirm": "1"})
    for src, dst in ((source.pk, third.pk), (third.pk, source.pk)):
        response = desk_client.post(
            f"/desk/customers/{src}/merge/", {"other": dst, "confirm": "1"}, follow=True
        )
        texts = [str(m) for m in response.context["messages"]]
        assert "One of these customers was already merged; reload the page." in texts
    assert CustomerEvent.objects.filter(kind="merge").count() == 1
    assert Ticket.objects.filter(customer=third).count() == 1


def test_merge_with_an_unknown_customer_is_refused(desk_client, twins):
    source, _target, _s, _t = twins
    response = desk_client.post(
        f"/desk/customers/{source.pk}/merge/", {"other": 999999, "confirm": "1"}, follow=True
    )
    assert "No such customer." in [str(m) for m in response.context["messages"]]
    assert Identity.objects.filter(customer=source).count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.fault("40")
def test_opposite_merges_at_once_make_one_merge_and_one_refusal(make_ticket):
    a = make_ticket(email="a.jumeau@example.test").customer
    b = make_ticket(email="b.jumeau@example.test").customer
    supervisor = AgentFactory(is_supervisor=True)
    make_ticket(email="a.jumeau@example.test")
    tickets_before = Ticket.objects.count()
    messages_before = Message.objects.count()
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def merge(source_id: int, target_id: int) -> None:
        try:
            barrier.wait()
            outcomes.append(customer_merge(source_id=source_id, target_id=target_id, actor=supervisor).pk)
        except Exception as exc:  # collected and asserted below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=merge, args=pair) for pair in ((a.pk, b.pk), (b.pk, a.pk))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    refusals = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refusals) == 1 and isinstance(refusals[0], Conflict), outcomes
    survivors = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(survivors) == 1
    survivor = Customer.objects.get(pk=survivors[0])
    merged = Customer.objects.get(pk=({a.pk, b.pk} - {survivor.pk}).pop())
    assert merged.merged_into_id == survivor.pk and survivor.merged_into_id is None
    assert CustomerEvent.objects.filter(kind="merge").count() == 1
    assert Ticket.objects.count() == tickets_before and Message.objects.count() == messages_before
    assert Ticket.objects.filter(customer=survivor).count() == tickets_before
    assert Identity.objects.filter(customer=survivor).count() == 2
