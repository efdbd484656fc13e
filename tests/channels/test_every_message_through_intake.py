"""Issue 9 item 8: every customer message goes through intake, with a record and duplicate protection.

Portal replies and chat went through ``intake.receive`` in issue 8 (tests/portal). What was left:
a call logged on an existing ticket (desk and API) wrote the message directly, with no inbound
record, so a double submit or a client retry made two messages; an SMS keyword (STOP, START)
changed consent with no record, so a gateway's late redelivery of an old STOP withdrew consent
the customer had given back since.
"""

from __future__ import annotations

import uuid

import pytest

from comptoir.customers.models import CustomerEvent
from comptoir.intake.models import InboundRecord
from comptoir.tickets.models import Message

from .conftest import PHONE
from .test_sms import consent, sms_ticket

pytestmark = pytest.mark.django_db

CALL_URL = "/desk/calls/new/"


# --- a call on an existing ticket --------------------------------------------------------------


@pytest.mark.fault("issue9-8")
def test_desk_call_on_a_ticket_is_an_inbound_record_and_a_double_submit_lands_once(
    desk_client, agent, make_ticket, django_capture_on_commit_callbacks
):
    ticket = make_ticket(email="rappel@example.test")
    form = {
        "customer": str(ticket.customer_id), "ticket": ticket.reference,
        "summary": "Rappel : le client a retrouvé sa facture de janvier.",
        "submission_id": uuid.uuid4().hex,
    }  # fmt: skip
    responses = []
    for _attempt in range(2):  # the agent clicks twice, or the browser resends the POST
        with django_capture_on_commit_callbacks(execute=True):
            responses.append(desk_client.post(CALL_URL, form))
    assert [r.status_code for r in responses] == [302, 302], responses[0].content[:500]
    assert {r["Location"] for r in responses} == {f"/desk/tickets/{ticket.reference}/"}

    calls = list(ticket.messages.filter(channel="phone"))
    assert len(calls) == 1, "the same call form submitted twice made two messages"
    assert calls[0].kind == Message.Kind.CUSTOMER and calls[0].author_id == agent.pk
    record = InboundRecord.objects.get(channel="phone")
    assert record.status == InboundRecord.Status.PROCESSED
    assert (record.ticket_id, record.message_id) == (ticket.pk, calls[0].pk)


def test_desk_call_form_carries_a_fresh_submission_id(desk_client, make_ticket):
    first = desk_client.get(CALL_URL).context["form"]["submission_id"].value()
    second = desk_client.get(CALL_URL).context["form"]["submission_id"].value()
    assert first and second and first != second


def test_two_different_calls_on_a_ticket_are_two_messages(
    desk_client, make_ticket, django_capture_on_commit_callbacks
):
    ticket = make_ticket(email="deux.appels@example.test")
    for summary in ("Premier appel.", "Second appel."):
        with django_capture_on_commit_callbacks(execute=True):
            response = desk_client.post(
                CALL_URL,
                {"customer": str(ticket.customer_id), "ticket": ticket.reference, "summary": summary,
                 "submission_id": uuid.uuid4().hex},
            )  # fmt: skip
        assert response.status_code == 302
    assert ticket.messages.filter(channel="phone").count() == 2
    assert InboundRecord.objects.filter(channel="phone").count() == 2


@pytest.mark.fault("issue9-8")
def test_api_call_retried_with_its_idempotency_key_lands_once(
    api_client, agent, make_ticket, django_capture_on_commit_callbacks
):
    ticket = make_ticket(email="api.rappel@example.test")
    url = f"/api/v1/tickets/{ticket.reference}/calls"
    payload = {"summary": "Appel : le client confirme son adresse.", "send_link": "email"}
    headers = {"Idempotency-Key": "call-7f3a"}
    responses = []
    for _attempt in range(2):  # the client's first answer was lost: it retries with the same key
        with django_capture_on_commit_callbacks(execute=True):
            responses.append(api_client.post(url, payload, content_type="application/json", headers=headers))
    assert [r.status_code for r in responses] == [201, 201], responses[0].content
    assert responses[0].json()["id"] == responses[1].json()["id"]
    assert responses[1].json()["author"] == agent.email
    assert ticket.messages.filter(channel="phone").count() == 1
    record = InboundRecord.objects.get(channel="phone")
    assert record.message_id == responses[0].json()["id"]
    from comptoir.outbox.models import Delivery

    links = Delivery.objects.filter(ticket=ticket, kind=Delivery.Kind.TRACKING_LINK)
    assert links.count() == 1, "the retry sent the tracking link a second time"

    other = api_client.post(
        url, {"summary": "Un autre appel."}, content_type="application/json", headers=headers
    )
    assert other.status_code == 409, other.content
    assert ticket.messages.filter(channel="phone").count() == 1


def test_api_call_on_a_closed_ticket_opens_a_linked_request_like_any_reply(
    api_client, agent, make_ticket, django_capture_on_commit_callbacks
):
    ticket = make_ticket(email="ferme@example.test")
    closed = api_client.patch(
        f"/api/v1/tickets/{ticket.reference}", {"status": "closed", "version": ticket.version},
        content_type="application/json",
    )  # fmt: skip
    assert closed.status_code == 200, closed.content
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/v1/tickets/{ticket.reference}/calls", {"summary": "Il rappelle pour autre chose."},
            content_type="application/json",
        )  # fmt: skip
    assert response.status_code == 201, response.content
    message = Message.objects.get(pk=response.json()["id"])
    assert message.ticket_id != ticket.pk and message.ticket.linked_to_id == ticket.pk
    assert message.channel == "phone" and message.author_id == agent.pk


# --- SMS consent keywords ----------------------------------------------------------------------


@pytest.mark.fault("issue9-8")
def test_late_redelivery_of_an_old_stop_does_not_withdraw_consent_given_back(send_sms):
    ticket = sms_ticket(send_sms)
    assert send_sms("STOP", sid="SMstop0001").json() == {"action": "stop", "ticket": None}
    assert send_sms("START", sid="SMstart001").json() == {"action": "start", "ticket": None}
    assert consent() is True
    # The gateway did not see our first 200 and delivers the STOP again, after the START.
    again = send_sms("STOP", sid="SMstop0001")
    assert again.status_code == 200, again.content
    assert again.json() == {"action": "stop", "ticket": None}
    assert consent() is True, "a redelivered STOP withdrew consent the customer had given back"
    kinds = list(
        CustomerEvent.objects.filter(customer=ticket.customer, kind__startswith="consent_")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["consent_withdrawn", "consent_granted"]
    assert len(kinds) == 3  # granted by the first text, withdrawn, granted: nothing more


def test_sms_keywords_are_inbound_records_listed_with_the_others(send_sms, desk_client, agent):
    sms_ticket(send_sms)
    send_sms("ARRÊT", sid="SMarret001")
    send_sms("ARRÊT", sid="SMarret001")
    records = {r.dedupe_key: r for r in InboundRecord.objects.filter(channel="sms")}
    assert len(records) == 2  # the first text and the keyword, once
    keyword = records["sms:SMarret001"]
    assert keyword.status == InboundRecord.Status.PROCESSED and keyword.ticket_id is None
    assert keyword.payload["action"] == "stop" and keyword.payload["customer"]["phone"] == PHONE
    assert consent() is False

    agent.is_supervisor = True  # the inbound page is for supervisors
    agent.save(update_fields=["is_supervisor"])
    page = desk_client.get("/desk/inbound/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert dict((s, n) for s, _label, n in page.context["counts"])["processed"] == 2


@pytest.mark.fault("issue9-8")
@pytest.mark.django_db(transaction=True)
def test_a_stop_delivered_twice_at_once_changes_consent_once(sms_token):
    from urllib.parse import urlencode

    from django.test import Client

    from comptoir.channels.sms import twilio_signature
    from comptoir.customers.services import CustomerData, consent_set, customer_identify_or_create
    from tests.support import at_once

    from .conftest import SMS_URL

    customer, _created = customer_identify_or_create(data=CustomerData(phone=PHONE))
    consent_set(customer=customer, channel="sms", granted=True, source="test")
    params = {"From": PHONE, "To": "+15145550000", "Body": "STOP", "MessageSid": "SMrace0001"}
    signature = twilio_signature(SMS_URL, params, sms_token)

    def deliver() -> int:
        return Client().post(
            "/api/v1/inbound/sms", urlencode(params), content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature},
        ).status_code  # fmt: skip

    assert at_once(deliver) == [200] * 4
    assert InboundRecord.objects.filter(dedupe_key="sms:SMrace0001").count() == 1
    assert CustomerEvent.objects.filter(customer=customer, kind="consent_withdrawn").count() == 1
    assert consent() is False
