"""Key accounts' own quality page and monthly report (issue 12, item 8), through the portal as a
signed-in customer would use it. History in ``conftest.py``: customer A (a key account here) has
T1 and T2 in March; customer B, a colleague in the same organisation who shares requests, has T3
and T4; customer C has T5 and T6."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.test import Client

from comptoir.common.choices import Tier
from comptoir.customers.models import Customer, Organisation
from comptoir.insights.key_accounts import quality_reports_send
from comptoir.insights.models import QualityReportSubscription
from comptoir.outbox.models import Delivery
from comptoir.portal.my import PORTAL_CUSTOMER

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(history):
    a = Customer.objects.get(pk=history.tickets["T1"].customer_id)
    b = Customer.objects.get(pk=history.tickets["T3"].customer_id)
    # Set up as an administrator would in the admin: one organisation sharing its requests.
    organisation = Organisation.objects.create(name="Hydro Nord", share_requests=True)
    Customer.objects.filter(pk__in=[a.pk, b.pk]).update(organisation=organisation)
    Customer.objects.filter(pk=a.pk).update(tier=Tier.KEY)
    return Customer.objects.get(pk=a.pk), Customer.objects.get(pk=b.pk)


def signed_in(customer: Customer) -> Client:
    client = Client()
    session = client.session
    session[PORTAL_CUSTOMER] = customer.pk
    session.save()
    return client


def test_a_key_account_sees_the_figures_of_its_own_tickets_only(accounts, history):
    a, _b = accounts
    with time_machine.travel(at(4, 10, 12), tick=False):
        page = signed_in(a).get("/my/quality/")
        bar = signed_in(a).get("/my/")
    assert page.status_code == 200
    assert 'data-testid="my-quality"' in bar.content.decode()
    html = page.content.decode()
    # T1 and T2 only: not B's T3 and T4, though B's requests are shared with A in My requests.
    assert 'data-testid="total-created">2<' in html
    assert 'data-testid="total-resolved">2<' in html
    assert 'data-testid="open-now">0<' in html
    assert 'data-testid="total-resolution">13 h 00 min<' in html  # 120 and 1440 min
    assert 'data-testid="total-fr-sla">50 %<' in html  # T1 met, T2 missed
    assert 'data-testid="total-csat">3.5' in html  # surveys 5 and 2
    march = html.split('data-month="2026-03"')[1].split("</tr>")[0]
    assert 'data-testid="month-created">2<' in march
    assert html.count('data-testid="quality-month"') == 12
    # Nothing internal: no team, no agent.
    for internal in ("Experts", "Front", history.agent.name, history.agent.email):
        assert internal not in html


def test_another_customer_is_not_counted_even_when_signed_in_as_a_key_account(accounts, history):
    """C's page, once C is a key account too: T5 and T6, never A's."""
    c = Customer.objects.get(pk=history.tickets["T5"].customer_id)
    Customer.objects.filter(pk=c.pk).update(tier=Tier.KEY)
    with time_machine.travel(at(4, 10, 12), tick=False):
        html = signed_in(c).get("/my/quality/").content.decode()
    assert 'data-testid="total-created">2<' in html
    assert 'data-testid="open-now">1<' in html  # T5, never answered


def test_a_customer_who_is_not_a_key_account_gets_a_404_and_no_link(accounts):
    _a, b = accounts
    client = signed_in(b)
    assert client.get("/my/quality/").status_code == 404
    assert client.post("/my/quality/", {"report": "on"}).status_code == 404
    assert 'data-testid="my-quality"' not in client.get("/my/").content.decode()
    assert not QualityReportSubscription.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get("/my/quality/")
    assert response.status_code == 302 and response["Location"] == "/my/"


def test_the_monthly_report_is_sent_once_a_month_in_the_customers_language(
    accounts, django_capture_on_commit_callbacks
):
    a, _b = accounts
    assert a.language == "fr"
    with time_machine.travel(at(4, 10, 12), tick=False):
        response = signed_in(a).post("/my/quality/", {"report": "on"})
    assert response.status_code == 302
    assert QualityReportSubscription.objects.get().customer_id == a.pk

    def send(moment) -> int:
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            return quality_reports_send()

    assert send(at(4, 10, 13)) == 1  # March's, already due (on or after 1 April)
    assert send(at(4, 11, 9)) == 0
    assert send(at(4, 30, 23)) == 0
    assert send(at(5, 1, 0, 30)) == 1  # April's
    assert send(at(5, 2, 0, 30)) == 0
    keys = sorted(Delivery.objects.filter(idempotency_key__startswith="quality-report:").values_list(
        "idempotency_key", flat=True))  # fmt: skip
    assert keys == [f"quality-report:{a.pk}:2026-03", f"quality-report:{a.pk}:2026-04"]
    reports = [m for m in mail.outbox if m.to == ["a@example.test"]]
    assert len(reports) == 2
    march, april = reports
    assert "mars 2026" in march.subject and "avril 2026" in april.subject  # month names in French
    assert "/my/quality/" in march.body
    text = march.body.replace("\xa0", " ")  # French puts a no-break space before %
    assert "13 h 00 min" in text and "50 %" in text  # A's March: never B's tickets
    assert "3,5" in march.body  # satisfaction, written the French way
    # Stopping it stops it.
    with time_machine.travel(at(5, 10, 12), tick=False):
        signed_in(a).post("/my/quality/", {"report": "off"})
    assert send(at(6, 1, 9)) == 0
