"""Survey creation, sending, answering and alerts (issue 12, item 4)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from comptoir.common.exceptions import InvalidInput, NotFound
from comptoir.customers.models import Consent
from comptoir.outbox.models import Delivery
from comptoir.surveys.models import Survey, VocEntry
from comptoir.surveys.services import SurveyLocked, survey_answer, survey_send_due
from tests.factories import AgentFactory

from .conftest import LINK, survey_link

pytestmark = pytest.mark.django_db


def test_resolution_sends_one_survey_by_email_with_a_link_per_score(make_ticket, resolve):
    ticket = resolve(make_ticket(email="anne@example.test", language="en"))
    survey = Survey.objects.get(ticket=ticket)
    assert (survey.status, survey.channel, survey.language) == ("sent", "email", "en")
    delivery = Delivery.objects.get(ticket=ticket, kind="survey")
    assert delivery.recipient == "anne@example.test"
    links = LINK.findall(delivery.body)
    assert len(links) == 5 + 7 + 1  # each satisfaction, each effort, the whole page
    assert {ref for ref, _token in links} == {ticket.reference}
    for n in range(1, 6):
        assert f"?satisfaction={n}" in delivery.body
    for n in range(1, 8):
        assert f"?effort={n}" in delivery.body
    assert "Very satisfied" in delivery.body and "How did we do?" in delivery.subject
    assert delivery.headers["Content-Language"] == "en"


def test_french_customer_gets_the_survey_in_french(make_ticket, resolve):
    ticket = resolve(make_ticket(language="fr"))
    survey = Survey.objects.get(ticket=ticket)
    delivery = Delivery.objects.get(ticket=ticket, kind="survey")
    assert survey.language == "fr"
    assert delivery.headers["Content-Language"] == "fr"


def test_token_is_stored_hashed_only(make_ticket, resolve):
    ticket = resolve(make_ticket())
    _ref, token = survey_link(ticket)
    survey = Survey.objects.get(ticket=ticket)
    assert len(token) >= 32
    assert survey.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not Survey.objects.filter(token_hash=token).exists()


def test_reopened_and_resolved_again_sends_no_second_survey(make_ticket, resolve):
    ticket = resolve(make_ticket())
    resolve(ticket, status="open")
    resolve(ticket)
    assert Survey.objects.filter(ticket=ticket).count() == 1
    assert Delivery.objects.filter(ticket=ticket, kind="survey").count() == 1


def test_other_status_changes_create_no_survey(make_ticket, resolve):
    ticket = resolve(make_ticket(), status="waiting_customer")
    assert not Survey.objects.filter(ticket=ticket).exists()


def test_sms_ticket_with_consent_gets_the_survey_by_sms(make_ticket, resolve):
    ticket = make_ticket(channel="sms", phone="+15145550123", email=None)
    Consent.objects.update_or_create(customer=ticket.customer, channel="sms", defaults={"granted": True})
    resolve(ticket)
    delivery = Delivery.objects.get(ticket=ticket, kind="survey")
    assert delivery.channel == "sms"
    assert len(LINK.findall(delivery.body)) == 1
    assert Survey.objects.get(ticket=ticket).channel == "sms"


def test_withdrawn_email_consent_sends_nothing(make_ticket, resolve):
    ticket = make_ticket()
    Consent.objects.update_or_create(customer=ticket.customer, channel="email", defaults={"granted": False})
    resolve(ticket)
    assert Survey.objects.get(ticket=ticket).status == Survey.Status.UNSENT
    assert not Delivery.objects.filter(ticket=ticket, kind="survey").exists()


def test_delay_holds_the_survey_until_the_sweep_finds_it_due(settings, make_ticket, resolve):
    settings.COMPTOIR_SURVEY_DELAY = 3600
    ticket = resolve(make_ticket())
    survey = Survey.objects.get(ticket=ticket)
    assert survey.status == Survey.Status.PENDING
    assert survey_send_due(now=timezone.now()) == 0
    assert not Delivery.objects.filter(ticket=ticket, kind="survey").exists()
    assert survey_send_due(now=timezone.now() + timedelta(hours=2)) == 1
    assert survey_send_due(now=timezone.now() + timedelta(hours=2)) == 0
    assert Delivery.objects.filter(ticket=ticket, kind="survey").count() == 1


def test_answer_is_recorded_and_shown_in_history(make_ticket, resolve):
    ticket = resolve(make_ticket())
    ref, token = survey_link(ticket)
    survey = survey_answer(reference=ref, token=token, satisfaction="4", effort=2, comment="")
    assert (survey.satisfaction, survey.effort, survey.status) == (4, 2, "answered")
    event = ticket.events.get(field="survey")
    assert event.new == "CSAT 4/5 · CES 2/7"
    assert event.sentence == f"{ticket.customer.name} answered the survey: CSAT 4/5 · CES 2/7."
    survey_answer(reference=ref, token=token, satisfaction=5, effort=2)
    changed = ticket.events.filter(field="survey").order_by("id").last()
    assert changed.sentence.endswith(
        "changed their survey answer from CSAT 4/5 · CES 2/7 to CSAT 5/5 · CES 2/7."
    )


def test_wrong_token_and_other_tickets_token_are_refused(make_ticket, resolve):
    mine = resolve(make_ticket())
    other = resolve(make_ticket())
    _ref, token = survey_link(mine)
    with pytest.raises(NotFound):
        survey_answer(reference=mine.reference, token=token + "x", satisfaction=5, effort=1)
    with pytest.raises(NotFound):
        survey_answer(reference=other.reference, token=token, satisfaction=1, effort=7)
    assert Survey.objects.get(ticket=other).satisfaction is None


def test_scores_out_of_range_are_refused(make_ticket, resolve):
    ticket = resolve(make_ticket())
    ref, token = survey_link(ticket)
    with pytest.raises(InvalidInput):
        survey_answer(reference=ref, token=token, satisfaction=6, effort=None)
    with pytest.raises(InvalidInput):
        survey_answer(reference=ref, token=token, satisfaction=None, effort=None)


def test_answer_can_change_for_a_while_then_locks(make_ticket, resolve):
    ticket = resolve(make_ticket())
    ref, token = survey_link(ticket)
    first = survey_answer(reference=ref, token=token, satisfaction=3, effort=4)
    survey_answer(
        reference=ref, token=token, satisfaction=5, effort=4, now=first.answered_at + timedelta(hours=1)
    )
    assert Survey.objects.get(pk=first.pk).satisfaction == 5
    with pytest.raises(SurveyLocked):
        survey_answer(
            reference=ref, token=token, satisfaction=1, effort=4, now=first.answered_at + timedelta(hours=73)
        )
    assert Survey.objects.get(pk=first.pk).satisfaction == 5


def test_unanswered_link_expires(make_ticket, resolve):
    ticket = resolve(make_ticket())
    ref, token = survey_link(ticket)
    with pytest.raises(SurveyLocked):
        survey_answer(
            reference=ref, token=token, satisfaction=4, effort=2, now=timezone.now() + timedelta(days=31)
        )


def test_low_score_alerts_the_team_supervisor_once(make_ticket, resolve, team):
    boss = AgentFactory(teams=[team], is_supervisor=True, email="chef@comptoir.test")
    AgentFactory(is_supervisor=True, email="ailleurs@comptoir.test")  # another team's supervisor
    ticket = make_ticket()
    ticket.team = team
    ticket.save(update_fields=["team"])
    resolve(ticket)
    ref, token = survey_link(ticket)
    survey_answer(reference=ref, token=token, satisfaction=1, effort=7, comment="Trop long")
    survey_answer(reference=ref, token=token, satisfaction=5, effort=1)
    survey_answer(reference=ref, token=token, satisfaction=2, effort=6)
    alerts = Delivery.objects.filter(
        ticket=ticket, kind=Delivery.Kind.STAFF_ALERT, idempotency_key__startswith="survey-low:"
    )
    assert [a.recipient for a in alerts] == [boss.email]
    assert ticket.events.filter(field="survey_low").count() == 1
    assert ticket.events.get(field="survey_low").sentence.startswith("Low survey score (CSAT 1/5 · CES 7/7)")
    assert Survey.objects.get(ticket=ticket).alerted_at is not None


@pytest.mark.parametrize(("satisfaction", "effort", "alerted"), [(3, 5, False), (2, 1, True), (5, 6, True)])
def test_low_score_thresholds(make_ticket, resolve, satisfaction, effort, alerted):
    AgentFactory(is_supervisor=True)
    ticket = resolve(make_ticket())
    ref, token = survey_link(ticket)
    survey_answer(reference=ref, token=token, satisfaction=satisfaction, effort=effort)
    survey_alerts = Delivery.objects.filter(ticket=ticket, idempotency_key__startswith="survey-low:")
    assert survey_alerts.exists() is alerted


def test_comment_becomes_one_voc_entry_that_follows_edits(make_ticket, resolve):
    ticket = resolve(make_ticket())
    ref, token = survey_link(ticket)
    survey_answer(reference=ref, token=token, satisfaction=4, effort=2, comment="Rapide, merci")
    survey_answer(reference=ref, token=token, satisfaction=4, effort=2, comment="Rapide et aimable, merci")
    entry = VocEntry.objects.get()
    assert entry.comment == "Rapide et aimable, merci"
    assert (entry.source, entry.customer_id, entry.ticket_id) == ("survey", ticket.customer_id, ticket.pk)
    assert entry.survey == Survey.objects.get(ticket=ticket)


def test_no_comment_no_voc_entry(make_ticket, resolve):
    ticket = resolve(make_ticket())
    ref, token = survey_link(ticket)
    survey_answer(reference=ref, token=token, satisfaction=4, effort=2, comment="  ")
    assert not VocEntry.objects.exists()
