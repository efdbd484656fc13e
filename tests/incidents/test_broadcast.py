"""Broadcasts (issue 13, item 2): every affected customer once, by their consented channel, in
their language; an interrupted send resumed creates no second delivery; progress from the outbox."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from comptoir.customers.models import Consent, Customer, Identity
from comptoir.incidents.broadcast import (
    affected_customers,
    broadcast_progress,
    broadcast_run,
    broadcast_sweep,
)
from comptoir.incidents.models import IncidentUpdate, ServiceSubscription
from comptoir.incidents.services import incident_link_tickets, incident_publish_update
from comptoir.outbox.models import Delivery

KEY = re.compile(r"^incident:(\d+):(\d+)$")


def _customers(n: int, *, area: str, language_every: int = 2, **_: object) -> list[Customer]:
    return Customer.objects.bulk_create(
        Customer(name=f"Client {i}", area=area, language="fr" if i % language_every else "en")
        for i in range(n)
    )


def _emails(customers, prefix: str) -> None:
    Identity.objects.bulk_create(
        Identity(customer=c, kind=Identity.Kind.EMAIL, value=f"{prefix}{c.pk}@example.test")
        for c in customers
    )


def _phones(customers, start: int) -> None:
    Identity.objects.bulk_create(
        Identity(customer=c, kind=Identity.Kind.PHONE, value=f"+1514{start + i:07d}")
        for i, c in enumerate(customers)
    )


def _consent(customers, channel: str, granted: bool) -> None:
    Consent.objects.bulk_create(Consent(customer=c, channel=channel, granted=granted) for c in customers)


@pytest.fixture
def crowd(incident, electricity, agent, make_ticket):
    """10,000 affected customers (and 2,000 who are not), each reachable one way or none."""
    linked = [
        make_ticket(email=f"linked{i}@example.test", subject="Plus de courant", body="Coupure chez moi.")
        for i in range(2)
    ]
    incident_link_tickets(actor=agent, incident_id=incident.pk, references=[t.reference for t in linked])
    area_email = _customers(4000, area="75011")
    _emails(area_email, "a")
    subscribers = _customers(3000, area="")
    _emails(subscribers, "s")
    ServiceSubscription.objects.bulk_create(
        ServiceSubscription(service=electricity, customer=c) for c in subscribers
    )
    area_sms = _customers(2498, area="75011 Paris")
    _phones(area_sms, 0)
    _consent(area_sms, "sms", True)
    withdrawn_but_sms = _customers(500, area="75011")
    _emails(withdrawn_but_sms, "w")
    _consent(withdrawn_but_sms, "email", False)
    _phones(withdrawn_but_sms, 10_000)
    _consent(withdrawn_but_sms, "sms", True)
    # Not affected or not reachable:
    withdrawn = _customers(500, area="75011")
    _emails(withdrawn, "x")
    _consent(withdrawn, "email", False)
    phone_no_consent = _customers(500, area="75011")
    _phones(phone_no_consent, 20_000)
    elsewhere = _customers(1000, area="13001")
    _emails(elsewhere, "e")
    return {
        "linked": linked,
        "withdrawn": withdrawn,
        "phone_no_consent": phone_no_consent,
        "elsewhere": elsewhere,
    }


def _publish(agent, incident, **kw):
    return incident_publish_update(
        actor=agent, incident_id=incident.pk, body_fr="Une équipe est sur place.",
        body_en="A crew is on site.", **kw,
    ).update  # fmt: skip


def test_ten_thousand_customers_one_delivery_each_even_when_interrupted(agent, incident, crowd):
    update = _publish(agent, incident, status="identified")
    assert update.audience == 10_000
    assert broadcast_progress(update=update).pending == 10_000

    # The worker dies after three batches: what they queued is committed, the rest is not.
    assert broadcast_run(update_id=update.pk, limit=500, max_batches=3) == 3
    update.refresh_from_db()
    assert update.enqueued == 1500 and update.broadcast == "running"
    # Worse: the cursor is lost too (as if the batch's commit had not reached it). The keys hold.
    IncidentUpdate.objects.filter(pk=update.pk).update(broadcast_cursor=0, enqueued=0)
    broadcast_run(update_id=update.pk, limit=500)
    update.refresh_from_db()
    assert update.broadcast == "done"

    deliveries = Delivery.objects.filter(kind="incident")
    keys = list(deliveries.values_list("idempotency_key", "customer_id", "channel"))
    assert len(keys) == 10_000
    assert len({customer for _k, customer, _c in keys}) == 10_000
    assert all(KEY.match(k) and int(KEY.match(k)[2]) == customer for k, customer, _c in keys)
    channels = [c for _k, _customer, c in keys]
    assert (channels.count("email"), channels.count("sms")) == (4000 + 3000 + 2, 2498 + 500)
    left_out = {c.pk for group in ("withdrawn", "phone_no_consent", "elsewhere") for c in crowd[group]}
    assert not left_out & {customer for _k, customer, _c in keys}

    # Each in their language.
    fr = deliveries.filter(customer__language="fr", channel="email").first()
    en = deliveries.filter(customer__language="en", channel="email").first()
    assert "Une équipe est sur place." in fr.body and "Utilisez une lampe torche." in fr.body
    assert "A crew is on site." in en.body and "Use a torch." in en.body
    assert "/status/" in en.body

    # Running it all again (a duplicate task, the sweep) adds nothing.
    IncidentUpdate.objects.filter(pk=update.pk).update(broadcast="running", broadcast_cursor=0)
    broadcast_run(update_id=update.pk)
    assert Delivery.objects.filter(kind="incident").count() == 10_000

    progress = broadcast_progress(update=update)
    assert (progress.sent, progress.failed, progress.pending, progress.total) == (0, 0, 10_000, 10_000)
    Delivery.objects.filter(pk__in=deliveries.order_by("id").values_list("pk", flat=True)[:30]).update(
        status="sent"
    )
    Delivery.objects.filter(pk__in=deliveries.order_by("-id").values_list("pk", flat=True)[:7]).update(
        status="failed"
    )
    progress = broadcast_progress(update=update)
    assert (progress.sent, progress.failed, progress.pending) == (30, 7, 9963)


def test_progress_counts_customers_not_yet_queued_as_pending(agent, incident, crowd):
    update = _publish(agent, incident)
    broadcast_run(update_id=update.pk, limit=100, max_batches=2)
    update.refresh_from_db()
    progress = broadcast_progress(update=update)
    assert (progress.state, progress.pending, progress.total) == ("running", 10_000, 10_000)


def test_the_sweep_resumes_a_broadcast_whose_task_was_lost(agent, incident, make_ticket):
    ticket = make_ticket(email="seul@example.test", subject="Plus de courant", body="Coupure de courant ici.")
    incident_link_tickets(actor=agent, incident_id=incident.pk, references=[ticket.reference])
    update = _publish(agent, incident)  # its task runs after the commit: never, in this test
    assert not Delivery.objects.filter(kind="incident").exists()
    assert broadcast_sweep() == 0  # not lost yet
    IncidentUpdate.objects.filter(pk=update.pk).update(
        broadcast_touched_at=update.created_at.replace(year=2000)
    )
    assert broadcast_sweep() == 1
    delivery = Delivery.objects.get(kind="incident")
    assert (delivery.recipient, delivery.ticket_id) == ("seul@example.test", ticket.pk)


def test_publishing_sends_through_the_outbox_after_commit(
    agent, incident, make_ticket, django_capture_on_commit_callbacks
):
    ticket = make_ticket(
        email="marie@example.test", subject="Plus de courant", body="Coupure de courant ici.", language="fr"
    )
    incident_link_tickets(actor=agent, incident_id=incident.pk, references=[ticket.reference])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        update = _publish(agent, incident)
    sent = [m for m in mail.outbox if m.to == ["marie@example.test"]]
    assert len(sent) == 1 and "Une équipe est sur place." in sent[0].body
    assert "[INC-" in sent[0].subject
    update.refresh_from_db()
    progress = broadcast_progress(update=update)
    assert (progress.state, progress.sent, progress.pending) == ("done", 1, 0)


def test_an_update_with_an_idempotency_key_is_published_once(agent, incident, make_ticket):
    from comptoir.common.exceptions import Conflict

    first = incident_publish_update(
        actor=agent, incident_id=incident.pk, body_fr="a", body_en="b", idempotency_key="api:1:k"
    )
    again = incident_publish_update(
        actor=agent, incident_id=incident.pk, body_fr="a", body_en="b", idempotency_key="api:1:k"
    )
    assert again.replayed and again.update.pk == first.update.pk
    assert IncidentUpdate.objects.filter(incident=incident).count() == 1
    with pytest.raises(Conflict):
        incident_publish_update(
            actor=agent, incident_id=incident.pk, body_fr="c", body_en="d", idempotency_key="api:1:k"
        )


def test_merged_customers_are_not_reached(agent, incident, db):
    kept, merged = _customers(2, area="75011")
    _emails([kept, merged], "m")
    Customer.objects.filter(pk=merged.pk).update(merged_into=kept)
    assert list(affected_customers(incident=incident)) == [kept]
