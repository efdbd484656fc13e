"""Issue 12, item 1: every inbound customer message scored in the worker after the commit; an
angry one flags the ticket, alerts the assignee and the team's supervisors once, raises priority."""

from __future__ import annotations

import pytest

from comptoir.outbox.models import Delivery
from comptoir.tickets.models import Message, Ticket, TicketEvent
from comptoir.tickets.services import ticket_agent_message, ticket_customer_reply, ticket_update
from comptoir.voice.models import MessageSentiment, TicketVoice
from comptoir.voice.services import message_score, sentiment_priority, sentiment_sweep
from comptoir.voice.tasks import message_sentiment_task
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def unhappy_alerts() -> list[Delivery]:
    return list(
        Delivery.objects.filter(kind=Delivery.Kind.STAFF_ALERT, idempotency_key__startswith="unhappy:")
    )


@pytest.fixture
def held(make_ticket, agent, team, fake_model):
    """A ticket of the Support team held by ``agent``, whose first message is calm."""
    ticket = make_ticket(subject="Bill", body="Hello, my bill looks wrong.", language="en")
    ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, team=team, assignee=agent)
    ticket.refresh_from_db()
    return ticket


def test_a_reply_is_scored_after_the_commit_by_the_task(held, fake_model, django_capture_on_commit_callbacks):
    first = MessageSentiment.objects.get(message__ticket=held)  # the new ticket's, by its analysis
    assert (first.label, first.distressed) == ("neutral", False)
    with django_capture_on_commit_callbacks(execute=True):
        message = ticket_customer_reply(ticket=held, body="I am annoyed, it is still wrong.", channel="email")
        # Nothing in the request's transaction: the model runs in the worker, after the commit.
        assert not MessageSentiment.objects.filter(message=message).exists()
    row = MessageSentiment.objects.get(message=message)
    assert (row.label, row.score, row.negative, row.cues) == ("negative", -0.4, 0.6, [])
    assert row.model_version == "test-fake" and row.ticket_id == held.pk
    assert not row.distressed  # negative, but below COMPTOIR_SENTIMENT_ALERT_NEGATIVE
    assert not TicketVoice.objects.get(ticket=held).unhappy
    assert unhappy_alerts() == []


def test_an_angry_message_flags_alerts_once_and_raises_the_priority(
    held, agent, team, fake_model, django_capture_on_commit_callbacks, settings
):
    supervisor = AgentFactory(is_supervisor=True, teams=[team], language="fr")
    AgentFactory(is_supervisor=True, teams=[TeamFactory(name="Billing")])  # another team's
    AgentFactory(teams=[team])  # a colleague, not a supervisor
    assert held.priority == "P3"
    with django_capture_on_commit_callbacks(execute=True):
        message = ticket_customer_reply(ticket=held, body="I am FURIOUS!!! I will cancel.", channel="email")
    voice = TicketVoice.objects.get(ticket=held)
    assert voice.unhappy and voice.unhappy_message_id == message.pk
    assert voice.unhappy_cues == ["caps", "exclamations", "churn threat"]
    assert {d.recipient for d in unhappy_alerts()} == {agent.email, supervisor.email}
    held.refresh_from_db()
    assert held.priority == settings.COMPTOIR_SENTIMENT_PRIORITY == "P2"
    why = TicketEvent.objects.filter(ticket=held, field=TicketEvent.Kind.TRIAGE, new__startswith="tone: P2")
    assert why.count() == 1 and why.get().new.startswith("tone: P2; sentiment=negative (")
    # The history says why, as triage's own reasons, in the reader's words (the cues are the
    # ticket's badge).
    assert "tone: P2" in why.get().sentence and "tone of the message: negative (" in why.get().sentence
    assert TicketEvent.objects.filter(ticket=held, field="priority", new="P2").exists()
    # The task delivered twice, the sweep: nothing more.
    message_sentiment_task.enqueue(message_id=message.pk)
    assert message_score(message_id=message.pk) is None
    assert len(unhappy_alerts()) == 2 and MessageSentiment.objects.filter(message=message).count() == 1
    assert TicketEvent.objects.filter(ticket=held, field="priority").count() == 1


def test_an_alert_never_lowers_a_higher_priority(held, agent, fake_model, django_capture_on_commit_callbacks):
    ticket_update(ticket_id=held.pk, actor=agent, version=held.version, priority="P1")
    held.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_customer_reply(ticket=held, body="FURIOUS!!!", channel="email")
    held.refresh_from_db()
    assert held.priority == "P1" and TicketVoice.objects.get(ticket=held).unhappy


def test_the_triage_hook_raises_an_angry_new_request(make_ticket, fake_model, settings):
    assert settings.COMPTOIR_SENTIMENT_HOOK == "comptoir.voice.services.sentiment_priority"
    angry = make_ticket(body="I am FURIOUS!!! Third time I write.", language="en")
    calm = make_ticket(body="Could you check my bill?", language="en")
    assert (angry.priority, calm.priority) == ("P2", "P3")
    analysis = TicketEvent.objects.get(ticket=angry, field=TicketEvent.Kind.ENRICHMENT).new
    assert "tone: P2" in analysis and "sentiment=negative" in analysis
    assert TicketVoice.objects.get(ticket=angry).unhappy
    assert not TicketVoice.objects.get(ticket=calm).unhappy
    assert sentiment_priority("thanks a lot", "en") is None
    # Triage's hook and the sentiment step read each request (subject and first message): the
    # model ran once for each.
    assert sorted(fake_model) == [
        "Facture incorrecte\nCould you check my bill?",
        "Facture incorrecte\nI am FURIOUS!!! Third time I write.",
        "thanks a lot",
    ]


def test_only_the_customers_words_are_scored(held, agent, fake_model, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = ticket_agent_message(
            ticket=held, actor=agent, body="Customer sounds FURIOUS!!!", internal=True
        )
        logged = ticket_customer_reply(
            ticket=held, body="FURIOUS!!! said on the phone", channel="phone", author=agent
        )
        held_mail = ticket_customer_reply(
            ticket=held, body="FURIOUS!!! from a stranger", channel="email", hold_reason="unproven"
        )
    scored = set(MessageSentiment.objects.filter(ticket=held).values_list("message_id", flat=True))
    assert logged.pk in scored  # a call the agent logged: the customer's words
    assert note.pk not in scored and held_mail.pk not in scored
    assert message_score(message_id=note.pk) is None


def test_the_sweep_scores_what_a_lost_task_left(held, fake_model):
    lost = Message.objects.create(ticket=held, kind=Message.Kind.CUSTOMER, channel="email", body="thanks")
    Message.objects.filter(pk=lost.pk).update(
        created_at=lost.created_at.replace(year=lost.created_at.year - 1)
    )
    assert sentiment_sweep() == 1
    assert MessageSentiment.objects.get(message=lost).label == "positive"
    assert sentiment_sweep() == 0


def test_the_shipped_model_reads_an_angry_french_customer(make_ticket, django_capture_on_commit_callbacks):
    """No fake here: the model Comptoir ships (comptoir.nlp.sentiment) scores the message."""
    ticket = make_ticket(
        body="C'EST INACCEPTABLE !!! C'est la troisième fois que j'appelle, je vais résilier mon contrat.",
        language="fr",
    )
    row = MessageSentiment.objects.get(ticket=ticket)
    assert row.label == "negative" and row.score < 0
    assert Ticket.objects.get(pk=ticket.pk).voice.unhappy


@pytest.mark.parametrize(
    ("body", "language"),
    [("Bonjour, ma facture est fausse.", "fr"), ("My bill is wrong, please fix it.", "en")],
)
def test_a_calm_complaint_is_negative_but_raises_no_alert(make_ticket, body, language):
    """The shipped model: a complaint without anger (no cue, p(negative) under the threshold) is
    scored negative, but the ticket keeps its priority and nobody is alerted."""
    ticket = make_ticket(body=body, language=language)
    row = MessageSentiment.objects.get(ticket=ticket)
    assert row.label == "negative" and not row.distressed
    ticket.refresh_from_db()
    assert ticket.priority == "P3" and not ticket.voice.unhappy
