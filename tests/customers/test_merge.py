"""Issue 8, item 4, from the desk: merging customers takes a permission, a side-by-side
confirmation, and can be undone (exactly what moved goes back), recorded on both records.
"""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.customers.models import Consent, Customer, CustomerEvent, CustomerMerge, Identity
from comptoir.customers.services import CustomerData, consent_set, customer_create
from comptoir.intake.services import InboundMessage, receive
from comptoir.tickets.models import Ticket, TicketEvent
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _desk(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(**EN)
    client.force_login(user)
    return client


def _texts(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def supervisor():  # type: ignore[no-untyped-def]
    return AgentFactory(is_supervisor=True)


@pytest.fixture
def pair(make_ticket):  # type: ignore[no-untyped-def]
    """Two records that might be one person: Paul by email, and "P. Dubé" by phone with SMS consent."""
    kept_ticket = make_ticket(email="paul.dube@example.test", name="Paul Dubé", subject="Facture de mars")
    kept = kept_ticket.customer
    source = customer_create(data=CustomerData(name="P. Dubé", phone="514 555 0166", account="ACC-42"))
    consent_set(customer=source, channel="sms", granted=True, source="test")
    moved_ticket = make_ticket(email="paul.ancien@example.test", subject="Coupure rue Saint-Denis")
    old_customer = moved_ticket.customer
    Ticket.objects.filter(pk=moved_ticket.pk).update(customer=source)
    Identity.objects.filter(customer=old_customer).update(customer=source)
    return source, kept, moved_ticket, kept_ticket


def _state(customer: Customer) -> tuple[set, set, set]:
    return (
        set(Identity.objects.filter(customer=customer).values_list("kind", "value")),
        set(Ticket.objects.filter(customer=customer).values_list("pk", flat=True)),
        set(Consent.objects.filter(customer=customer).values_list("channel", "granted")),
    )


@pytest.mark.attack("access", "issue8-4")
def test_an_agent_without_the_permission_cannot_merge(pair):  # type: ignore[no-untyped-def]
    source, kept, *_ = pair
    agent = AgentFactory(level=2, can_pick=True)  # senior, may pick: still not a merger
    desk = _desk(agent)
    before = (_state(source), _state(kept))
    assert 'data-testid="merge-form"' not in desk.get(f"/desk/customers/{source.pk}/").content.decode()
    url = f"/desk/customers/{source.pk}/merge/"
    assert desk.get(url, {"other": kept.pk}).status_code == 403
    assert desk.post(url, {"other": kept.pk, "confirm": "1"}).status_code == 403
    assert (_state(source), _state(kept)) == before
    assert not CustomerMerge.objects.exists()
    # The capability can be given explicitly, as may_pick can.
    agent.can_merge_customers = True
    agent.save(update_fields=["can_merge_customers"])
    assert desk.get(url, {"other": kept.pk}).status_code == 200


@pytest.mark.attack("access", "issue8-4")
def test_merge_shows_both_records_side_by_side_before_anything_moves(supervisor, pair):  # type: ignore[no-untyped-def]
    source, kept, moved_ticket, kept_ticket = pair
    desk = _desk(supervisor)
    page = desk.get(f"/desk/customers/{source.pk}/").content.decode()
    assert 'data-testid="merge-form"' in page
    before = (_state(source), _state(kept))
    # A one-step POST (the old form, a mistyped number) only gets the confirmation page.
    for response in (
        desk.get(f"/desk/customers/{source.pk}/merge/", {"other": kept.pk}),
        desk.post(f"/desk/customers/{source.pk}/merge/", {"other": kept.pk}),
    ):
        assert response.status_code == 200
        html = response.content.decode()
        for text in ("P. Dubé", "Paul Dubé", "+15145550166", "ACC-42", "paul.dube@example.test",
                     moved_ticket.reference, kept_ticket.reference, "1 ticket", "3 contact details",
                     'data-testid="merge-confirm"'):  # fmt: skip
            assert text in html, text
    assert (_state(source), _state(kept)) == before and not CustomerMerge.objects.exists()


@pytest.mark.attack("access", "issue8-4")
def test_undo_moves_back_exactly_what_the_merge_moved(supervisor, pair, make_ticket):  # type: ignore[no-untyped-def]
    source, kept, moved_ticket, kept_ticket = pair
    source_before, kept_before = _state(source), _state(kept)
    desk = _desk(supervisor)
    response = desk.post(
        f"/desk/customers/{source.pk}/merge/", {"other": kept.pk, "confirm": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/desk/customers/{kept.pk}/"
    assert "Customers merged." in _texts(response)
    assert _state(source) == (set(), set(), set())
    # Life goes on after the merge: Paul writes again by email, and gives a new number.
    after_merge = make_ticket(email="paul.dube@example.test", subject="Encore la facture")
    assert after_merge.customer_id == kept.pk
    Identity.objects.create(customer=kept, kind="phone", value="+15145550199")

    merge = CustomerMerge.objects.get()
    page = desk.get(f"/desk/customers/{kept.pk}/").content.decode()
    assert 'data-testid="unmerge-form"' in page
    response = desk.post(f"/desk/customers/{kept.pk}/merges/{merge.pk}/undo/", follow=True)
    assert "Merge undone." in _texts(response)

    assert _state(source) == source_before
    identities, tickets, consents = _state(kept)
    assert identities == kept_before[0] | {("phone", "+15145550199")}
    assert tickets == kept_before[1] | {after_merge.pk} and consents == kept_before[2]
    source.refresh_from_db()
    assert source.merged_into_id is None
    # Each moved ticket's history shows it went and came back; the others were never touched.
    moves = list(TicketEvent.objects.filter(ticket=moved_ticket, field="customer").values_list("old", "new"))
    assert moves == [(f"#{source.pk}", f"#{kept.pk}"), (f"#{kept.pk}", f"#{source.pk}")]
    assert not TicketEvent.objects.filter(ticket__in=[kept_ticket, after_merge], field="customer").exists()
    # Recorded on both records, and shown on both pages.
    for customer in (source, kept):
        event = CustomerEvent.objects.get(customer=customer, kind="merge_undone")
        assert moved_ticket.reference in event.detail and event.actor_label == supervisor.email
        assert event.detail in desk.get(f"/desk/customers/{customer.pk}/").content.decode()
    # The next text from the phone number that went back lands on the record it belongs to.
    text = InboundMessage(
        channel="sms", customer=CustomerData(phone="+15145550166"), subject="", text="Toujours sans courant"
    )
    assert receive(text).ticket.customer_id == source.pk


@pytest.mark.attack("access", "issue8-4")
def test_undo_is_refused_twice_and_while_the_kept_record_is_merged_on(supervisor, pair, make_ticket):  # type: ignore[no-untyped-def]
    source, kept, *_ = pair
    third = make_ticket(email="troisieme@example.test").customer
    desk = _desk(supervisor)
    desk.post(f"/desk/customers/{source.pk}/merge/", {"other": kept.pk, "confirm": "1"})
    desk.post(f"/desk/customers/{kept.pk}/merge/", {"other": third.pk, "confirm": "1"})
    first, second = CustomerMerge.objects.order_by("pk")
    response = desk.post(f"/desk/customers/{source.pk}/merges/{first.pk}/undo/", follow=True)
    assert f"Customer #{kept.pk} was merged into #{third.pk} since: undo that merge first." in _texts(
        response
    )
    assert Identity.objects.filter(customer=source).count() == 0
    desk.post(f"/desk/customers/{kept.pk}/merges/{second.pk}/undo/")
    desk.post(f"/desk/customers/{source.pk}/merges/{first.pk}/undo/")
    assert Identity.objects.filter(customer=source).count() == 3
    response = desk.post(f"/desk/customers/{source.pk}/merges/{first.pk}/undo/", follow=True)
    assert "This merge was already undone; reload the page." in _texts(response)
    assert CustomerEvent.objects.filter(kind="merge_undone").count() == 4  # two undos, two records each


@pytest.mark.attack("abuse", "issue8-4")
def test_out_of_range_ids_answer_a_form_error_or_404_never_500(supervisor, pair):  # type: ignore[no-untyped-def]
    source, *_ = pair
    desk = _desk(supervisor)
    huge = "99999999999999999999"
    for response in (
        desk.post(f"/desk/customers/{source.pk}/merge/", {"other": huge, "confirm": "1"}, follow=True),
        desk.get(f"/desk/customers/{source.pk}/merge/", {"other": huge}, follow=True),
    ):
        assert response.status_code == 200
        assert "Give the number of the customer to merge into." in _texts(response)
    assert desk.post(f"/desk/customers/{huge}/merge/", {"other": source.pk, "confirm": "1"}).status_code in (
        302,
        404,
    )
    assert desk.get(f"/desk/customers/{huge}/").status_code == 404
    assert desk.post(f"/desk/customers/{source.pk}/merges/{huge}/undo/").status_code == 404
    assert desk.post(f"/desk/customers/{source.pk}/merges/424242/undo/").status_code == 404
    assert Identity.objects.filter(customer=source).count() == 3
