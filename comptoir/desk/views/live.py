"""Live pages without held connections: the ticket page and the lists poll cheap endpoints that
answer 204 when nothing changed (waitress has a fixed thread pool: no long-polling, no SSE)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from comptoir.notifications import selectors as notes
from comptoir.notifications.services import presence_beat
from comptoir.tickets import selectors as tickets
from comptoir.tickets.permissions import ticket_actions
from comptoir.tickets.sla import sla_state

from .common import agent_required, from_list, ticket_or_404

# A list page names at most this many tickets for presence.
LIST_REFS = 100


@agent_required
def ticket_live(request: HttpRequest, reference: str) -> HttpResponse:
    """The ticket page's heartbeat and poll: records that this agent is here (writing or not),
    then answers 204 while the ticket's version and who else is here are what the page shows,
    else the parts to swap (header line, people here, conversation, history), never the reply form."""
    ticket = ticket_or_404(request, reference)
    presence_beat(user=request.user, ticket_id=ticket.pk, writing=request.GET.get("writing") == "1")
    people = notes.presence_for_tickets(actor=request.user, ticket_ids=[ticket.pk]).get(ticket.pk, [])
    stamp = notes.presence_stamp(people)
    if request.GET.get("v") == str(ticket.version) and request.GET.get("p", "") == stamp:
        return HttpResponse(status=204)
    context = {
        "ticket": ticket,
        "actions": ticket_actions(actor=request.user, ticket=ticket),
        "messages_list": tickets.ticket_messages(ticket=ticket, public_only=False),
        "history": tickets.ticket_history(ticket=ticket),
        "people": people,
        "presence_stamp": stamp,
        "sla": sla_state(ticket),
        "from_qs": from_list(request),  # the forms swapped in keep the list the page came from
    }
    return render(request, "desk/_ticket_live.html", context)


@agent_required
def desk_live(request: HttpRequest) -> HttpResponse:
    """Every desk page's poll: the bell's count, the desk's change stamp (a list refreshes its rows
    when it moves) and who is on the tickets the page lists. 204 when all three are as sent."""
    refs = [r for r in request.GET.get("refs", "").split(",") if r][:LIST_REFS]
    presence = notes.presence_by_reference(actor=request.user, references=refs) if refs else {}
    unread, stamp = notes.bell_state(user=request.user)
    answer = {"unread": unread, "stamp": stamp, "presence": notes.list_presence_stamp(presence)}
    sent = (request.GET.get("unread"), request.GET.get("stamp"), request.GET.get("p", ""))
    if sent == (str(answer["unread"]), answer["stamp"], answer["presence"]):
        return HttpResponse(status=204)
    return JsonResponse({**answer, "people": presence, "label": notes.unread_label(answer["unread"])})
