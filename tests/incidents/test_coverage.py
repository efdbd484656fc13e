"""An agent records a customer's area and followed services on the desk: from then on an
incident for that area or service reaches them before they write (issue 13, item 2)."""

from __future__ import annotations

import pytest

from comptoir.customers.models import Customer, CustomerEvent
from comptoir.incidents.broadcast import affected_customers
from comptoir.incidents.models import Service, ServiceSubscription
from tests.factories import CustomerFactory, EmailIdentityFactory

pytestmark = pytest.mark.django_db


def test_the_desk_form_sets_area_and_services_and_the_broadcast_reaches_them(
    desk_client, incident, electricity
):
    gas = Service.objects.create(slug="gas", name_fr="Gaz", name_en="Gas")
    customer = EmailIdentityFactory(customer__name="Voisine").customer  # one we may write to
    assert customer not in affected_customers(incident=incident)
    page = desk_client.get(f"/desk/customers/{customer.pk}/").content.decode()
    assert 'data-testid="customer-coverage"' in page and 'value="electricity"' in page
    response = desk_client.post(
        f"/desk/customers/{customer.pk}/coverage/", {"area": "75011 Paris", "services": ["gas"]}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.area == "75011 Paris"
    assert list(
        ServiceSubscription.objects.filter(customer_id=customer.pk).values_list("service", flat=True)
    ) == [gas.pk]
    assert customer in affected_customers(incident=incident)  # by area
    desk_client.post(f"/desk/customers/{customer.pk}/coverage/", {"area": "", "services": ["electricity"]})
    assert customer in affected_customers(incident=incident)  # by service now
    kinds = list(CustomerEvent.objects.filter(customer=customer).order_by("id").values_list("kind", "detail"))
    assert kinds == [
        ("area", "- → 75011 Paris"), ("subscribed", "gas"), ("area", "75011 Paris → -"),
        ("subscribed", "electricity"), ("unsubscribed", "gas"),
    ]  # fmt: skip


def test_unknown_service_is_refused_and_nothing_changes(desk_client, electricity):
    customer = CustomerFactory(name="Voisin")
    desk_client.post(f"/desk/customers/{customer.pk}/coverage/", {"area": "H2T", "services": ["nope"]})
    assert Customer.objects.get(pk=customer.pk).area == ""
    assert not ServiceSubscription.objects.filter(customer_id=customer.pk).exists()


def test_customers_and_strangers_cannot(client, electricity):
    customer = CustomerFactory(name="Voisin")
    response = client.post(f"/desk/customers/{customer.pk}/coverage/", {"area": "H2T"})
    assert response.status_code == 302 and "/desk/login/" in response["Location"]
    assert Customer.objects.get(pk=customer.pk).area == ""
