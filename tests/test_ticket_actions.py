"""Issue 9, item 10: one answer to "what may this actor do on this ticket", from outside.

For every role and a few ticket states, three views must agree with ``tickets.permissions``:
the selector's flags (checked against the table below, written out by hand), the desk's ticket
page (exactly the matching buttons and fields), and the API (2xx when allowed; refused with 403
when the role is the reason, 403 or 409 when the ticket's state is).

Before, they disagreed: a level-2 ticket offered no escalation to a supervisor on the desk
although the service and the API allowed it; an administrator without the agent flag was shown
"Take this ticket", "Escalate" and "Back to level 1", which the services then refused; a level-1
agent was shown an assignee field the service refused to apply.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.assignment.services import ticket_escalate
from comptoir.tickets.models import Message, Ticket, TicketEvent
from comptoir.tickets.permissions import ticket_action_refused, ticket_actions
from comptoir.tickets.services import ticket_agent_message, ticket_update
from tests.factories import AgentFactory, TeamFactory

pytestmark = [pytest.mark.django_db, pytest.mark.attack("access", "issue9-10")]
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

STATES = ("new", "escalated", "mine", "resolved", "held_reply")
# What every active agent or administrator may do on any ticket they see.
BASE = {"view", "reply", "note", "change", "review_held"}
SUPERVISING = {"assign", "approve_any_reply"}
# role -> state -> the flags that are true. "mine": assigned to the level-1 agent; "held_reply":
# a P1 ticket where the level-1 agent's reply waits for their senior, the level-2 agent.
EXPECTED: dict[str, dict[str, set[str]]] = {
    "level_1": {
        "new": BASE | {"escalate", "escalate_to_supervisor"},
        "escalated": BASE | {"escalate_to_supervisor"},
        "mine": BASE | {"skip", "escalate", "escalate_to_supervisor"},
        "resolved": BASE,
        "held_reply": BASE | {"escalate", "escalate_to_supervisor"},
    },
    "level_2": {
        "new": BASE | {"assign", "pick", "escalate", "escalate_to_supervisor"},
        "escalated": BASE | {"assign", "pick", "escalate_to_supervisor", "deescalate"},
        "mine": BASE | {"assign", "escalate", "escalate_to_supervisor"},
        "resolved": BASE | {"assign"},
        "held_reply": BASE | {"assign", "pick", "escalate", "escalate_to_supervisor"},
    },
    "supervisor": {
        "new": BASE | SUPERVISING | {"pick", "escalate", "escalate_to_supervisor"},
        "escalated": BASE | SUPERVISING | {"pick", "escalate_to_supervisor", "deescalate"},
        "mine": BASE | SUPERVISING | {"escalate", "escalate_to_supervisor"},
        "resolved": BASE | SUPERVISING,
        "held_reply": BASE | SUPERVISING | {"pick", "escalate", "escalate_to_supervisor"},
    },
    # Without the agent flag (``createsuperuser``): sees and changes tickets, approves replies,
    # but does not work tickets (pick, skip, escalate), as the assignment services require.
    "superuser_not_agent": dict.fromkeys(STATES, BASE | SUPERVISING),
    "customer": dict.fromkeys(STATES, set()),
}
EXPECTED["administrator"] = EXPECTED["supervisor"]
# Who may approve the held reply: its senior (level 2 here) and whoever supervises.
APPROVES = {"level_2", "supervisor", "administrator", "superuser_not_agent"}
ROLES = tuple(EXPECTED)
API_ROLES = ("level_1", "level_2", "supervisor", "administrator")


@pytest.fixture
def world(make_ticket):  # type: ignore[no-untyped-def]
    front = TeamFactory(name="Accueil", level=1)
    experts = TeamFactory(name="Spécialistes", level=2)
    senior = AgentFactory(teams=[experts], level=2)
    people = {
        "level_1": AgentFactory(teams=[front], level=1, mentor=senior),
        "level_2": senior,
        "supervisor": AgentFactory(teams=[front], level=1, is_supervisor=True),
        "administrator": AgentFactory(teams=[experts], level=2, is_superuser=True),
        "superuser_not_agent": AgentFactory(is_agent=False, is_superuser=True),
        "customer": AgentFactory(is_agent=False, is_staff=False),
    }
    target = AgentFactory(teams=[experts], level=2)  # whom "assign" gives the ticket to

    def ticket_in(state: str) -> SimpleNamespace:
        ticket = make_ticket()
        ticket.refresh_from_db()
        held = None
        if state == "escalated":
            ticket_escalate(
                actor=people["level_1"], ticket_id=ticket.pk, reason="Compteur",
                summary="Relevé impossible.", team=experts,
            )  # fmt: skip
        elif state == "mine":
            ticket_update(
                ticket_id=ticket.pk, actor=people["supervisor"], version=ticket.version,
                assignee=people["level_1"],
            )  # fmt: skip
        elif state == "resolved":
            ticket_update(
                ticket_id=ticket.pk, actor=people["supervisor"], version=ticket.version, status="resolved"
            )
        elif state == "held_reply":
            ticket_update(
                ticket_id=ticket.pk, actor=people["supervisor"], version=ticket.version, priority="P1"
            )
            ticket.refresh_from_db()
            held = ticket_agent_message(
                ticket=ticket, actor=people["level_1"], body="Une équipe est en route.", internal=False
            )
            assert held.held_for_id == senior.pk
        ticket.refresh_from_db()
        return SimpleNamespace(ticket=ticket, held=held)

    return SimpleNamespace(people=people, target=target, ticket_in=ticket_in)


def _true(actions) -> set[str]:  # type: ignore[no-untyped-def]
    return {name for name, on in actions.as_dict().items() if on}


# --- the selector ------------------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
def test_the_selector_answers_the_table(world, state):  # type: ignore[no-untyped-def]
    made = world.ticket_in(state)
    for role, actor in world.people.items():
        actions = ticket_actions(actor=actor, ticket=made.ticket)
        assert _true(actions) == EXPECTED[role][state], role
        if made.held is not None:
            assert actions.approves(made.held) is (role in APPROVES), role
    assert _true(ticket_actions(actor=AnonymousUser(), ticket=made.ticket)) == set()
    assert _true(ticket_actions(actor=None, ticket=made.ticket)) == set()


def test_a_refusal_says_whether_the_role_or_the_state_is_the_reason(world):  # type: ignore[no-untyped-def]
    """Services raise ``PermissionDenied`` (403) for the first, ``Conflict`` (409) for the second."""
    new, mine = world.ticket_in("new").ticket, world.ticket_in("mine").ticket
    level_1, level_2 = world.people["level_1"], world.people["level_2"]
    cases = [
        (level_1, new, "pick", "role"),
        (level_2, new, "pick", None),
        (level_2, mine, "pick", "state"),
        (level_1, new, "deescalate", "role"),
        (level_2, new, "deescalate", "state"),
        (level_2, mine, "skip", "role"),
        (level_1, mine, "skip", None),
        (world.people["superuser_not_agent"], new, "escalate", "role"),
        (world.people["customer"], new, "view", "role"),
        (None, new, "view", "role"),
    ]
    for actor, ticket, action, reason in cases:
        assert ticket_action_refused(actor=actor, ticket=ticket, action=action) == reason, (action, reason)
    with pytest.raises(ValueError):
        ticket_action_refused(actor=level_2, ticket=new, action="fly")


# --- the desk's ticket page shows exactly those buttons -----------------------------------------

MARKERS = {
    "pick": 'data-testid="pick"',
    "skip": 'data-testid="skip-form"',
    "escalate": 'data-testid="escalate-form"',
    "deescalate": 'data-testid="deescalate-form"',
    "reply": 'data-testid="message-form"',
    "change": 'data-testid="update-form"',
    "assign": 'name="assignee"',
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_the_desk_page_shows_exactly_the_allowed_actions(world, role, state):  # type: ignore[no-untyped-def]
    made = world.ticket_in(state)
    client = Client(**EN)
    client.force_login(world.people[role])
    response = client.get(f"/desk/tickets/{made.ticket.reference}/")
    expected = EXPECTED[role][state]
    if not expected:  # not staff: the desk does not exist for them
        assert response.status_code == 404
        return
    assert response.status_code == 200
    page = response.content.decode()
    shown = {flag for flag, marker in MARKERS.items() if marker in page}
    assert shown == {flag for flag in MARKERS if flag in expected}
    # Escalating to a supervisor is the level-1 form's checkbox, else a form of its own.
    alone = 'data-testid="escalate-supervisor-form"' in page
    assert alone is ("escalate_to_supervisor" in expected and "escalate" not in expected)
    assert ('data-testid="approve"' in page) is (state == "held_reply" and role in APPROVES)


# --- the API answers the same ------------------------------------------------------------------


def _call(api: Client, action: str, made: SimpleNamespace, target_email: str):  # type: ignore[no-untyped-def]
    ref = made.ticket.reference
    version = Ticket.objects.get(pk=made.ticket.pk).version
    json = "application/json"
    calls = {
        "view": lambda: api.get(f"/api/v1/tickets/{ref}"),
        "reply": lambda: api.post(
            f"/api/v1/tickets/{ref}/messages", {"body": "Bonjour", "visibility": "public"}, content_type=json
        ),
        "note": lambda: api.post(
            f"/api/v1/tickets/{ref}/messages", {"body": "Note", "visibility": "internal"}, content_type=json
        ),
        "change": lambda: api.patch(
            f"/api/v1/tickets/{ref}", {"version": version, "priority": "P3"}, content_type=json
        ),
        "assign": lambda: api.patch(
            f"/api/v1/tickets/{ref}", {"version": version, "assignee": target_email}, content_type=json
        ),
        "pick": lambda: api.post(f"/api/v1/tickets/{ref}/pick"),
        "skip": lambda: api.post(f"/api/v1/tickets/{ref}/skip", {"reason": "Absent"}, content_type=json),
        "escalate": lambda: api.post(
            f"/api/v1/tickets/{ref}/escalate",
            {"reason": "Réseau", "summary": "Lien coupé."},
            content_type=json,
        ),
        "escalate_to_supervisor": lambda: api.post(
            f"/api/v1/tickets/{ref}/escalate",
            {"reason": "Client mécontent", "summary": "Voir l'historique.", "to_supervisor": True},
            content_type=json,
        ),
        "deescalate": lambda: api.post(
            f"/api/v1/tickets/{ref}/deescalate", {"reason": "Niveau 1 peut finir"}, content_type=json
        ),
        "approve": lambda: api.post(f"/api/v1/tickets/{ref}/messages/{made.held.pk}/approve"),
    }
    return calls[action]()


# Actions after which the ticket is no longer in the state under test: a fresh one is made.
CHANGES_STATE = {"assign", "pick", "skip", "escalate", "escalate_to_supervisor", "deescalate", "approve"}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", API_ROLES)
def test_the_api_allows_exactly_the_allowed_actions(world, role, state):  # type: ignore[no-untyped-def]
    api = Client(headers={"Authorization": f"Bearer {api_token_create(user=world.people[role])}"}, **EN)
    made = world.ticket_in(state)
    detail = api.get(f"/api/v1/tickets/{made.ticket.reference}").json()
    assert {name for name, on in detail["actions"].items() if on} == EXPECTED[role][state]
    actions = ["view", "reply", "note", "change", *sorted(CHANGES_STATE - {"approve"})]
    if state == "held_reply":
        actions.append("approve")
    for action in actions:
        allowed = role in APPROVES if action == "approve" else action in EXPECTED[role][state]
        response = _call(api, action, made, world.target.email)
        if allowed:
            assert 200 <= response.status_code < 300, (action, response.content)
        else:
            # Another role may do it on the same ticket: the role is the reason, a 403.
            by_role = any(
                action in EXPECTED[other][state] if action != "approve" else other in APPROVES
                for other in API_ROLES
            )
            assert response.status_code in ((403,) if by_role else (403, 409)), (action, response.content)
            if action != "approve":  # the reason the selector gives is the status the API answers
                why = ticket_action_refused(actor=world.people[role], ticket=made.ticket, action=action)
                assert response.status_code == {"role": 403, "state": 409}[why], (action, why)
        if allowed and action in CHANGES_STATE:
            made = world.ticket_in(state)


@pytest.mark.parametrize("role", ["customer", "superuser_not_agent"])
def test_no_api_token_works_for_non_agents(world, role):  # type: ignore[no-untyped-def]
    made = world.ticket_in("new")
    api = Client(headers={"Authorization": f"Bearer {api_token_create(user=world.people[role])}"})
    assert api.get(f"/api/v1/tickets/{made.ticket.reference}").status_code == 401
    assert api.post(f"/api/v1/tickets/{made.ticket.reference}/pick").status_code == 401


# --- the desk's actions refuse what the page does not offer -------------------------------------


def test_an_administrator_without_the_agent_flag_is_refused_work_actions_with_403(world):  # type: ignore[no-untyped-def]
    """Before, the desk offered these buttons and answered a redirect with an error once clicked."""
    admin = world.people["superuser_not_agent"]
    client = Client(**EN)
    client.force_login(admin)
    new, escalated = world.ticket_in("new").ticket, world.ticket_in("escalated").ticket
    before = TicketEvent.objects.count()
    for ticket, action, data in (
        (new, "pick", {}),
        (new, "escalate", {"reason": "Réseau", "summary": "Lien coupé."}),
        (escalated, "deescalate", {"reason": "Niveau 1"}),
    ):
        response = client.post(f"/desk/tickets/{ticket.reference}/{action}/", data)
        assert response.status_code == 403, action
    assert TicketEvent.objects.count() == before
    new.refresh_from_db()
    escalated.refresh_from_db()
    assert new.assignee_id is None and new.level == 1 and escalated.level == 2


def test_a_level_1_agent_posting_an_assignee_from_the_desk_changes_nothing_else(world):  # type: ignore[no-untyped-def]
    """The form has no assignee field for them; a forged one is ignored, the other fields saved."""
    ticket = world.ticket_in("mine").ticket
    client = Client(**EN)
    client.force_login(world.people["level_1"])
    response = client.post(
        f"/desk/tickets/{ticket.reference}/change/",
        {
            "version": ticket.version,
            "status": ticket.status,
            "priority": "P2",
            "team": ticket.team_id or "",
            "assignee": world.target.pk,
        },  # fmt: skip
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority == "P2" and ticket.assignee_id == world.people["level_1"].pk


def test_a_level_2_ticket_can_be_escalated_to_a_supervisor_from_the_desk(world):  # type: ignore[no-untyped-def]
    """The service and the API allowed it; the desk offered no way to do it."""
    ticket = world.ticket_in("escalated").ticket
    client = Client(**EN)
    client.force_login(world.people["level_2"])
    page = client.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    assert 'data-testid="escalate-supervisor-form"' in page
    response = client.post(
        f"/desk/tickets/{ticket.reference}/escalate/",
        {"reason": "Client mécontent", "summary": "Voir l'historique.", "to_supervisor": "1"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert "Client mécontent" in ticket.review_reason
    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.INTERNAL).count() == 2
