"""How incident events read in a ticket's history, in the reader's language.

The stored value stays language-neutral: ``new`` is the incident's id, ``old`` how the link was
made (``manual``, ``suggested``, ``rule``). ``IncidentsConfig.ready`` adds these writers to
``tickets.history.SENTENCES``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from comptoir.tickets.models import TicketEvent

INCIDENT_LINKED = "incident_linked"  # the ticket was linked to an incident
INCIDENT_RESOLVED = "incident_resolved"  # the incident's final update resolved the ticket
PROBLEM_LINKED = "problem_linked"  # the ticket was linked to a problem (``old``: manual, detected)


def incident_linked_sentence(e: TicketEvent, who: str, names: object) -> str:
    values = {"actor": who, "incident": f"INC-{e.new}"}
    if e.old == "rule":
        return _("Linked to incident %(incident)s by a rule.") % values
    if e.old == "suggested":
        return _("%(actor)s linked this ticket to incident %(incident)s from the suggestions.") % values
    return _("%(actor)s linked this ticket to incident %(incident)s.") % values


def incident_resolved_sentence(e: TicketEvent, who: str, names: object) -> str:
    return _("%(actor)s resolved this ticket with incident %(incident)s's final update.") % {
        "actor": who,
        "incident": f"INC-{e.new}",
    }


def problem_linked_sentence(e: TicketEvent, who: str, names: object) -> str:
    values = {"actor": who, "problem": f"PRB-{e.new}"}
    if e.old == "detected":
        return _("%(actor)s linked this ticket to problem %(problem)s from a detected cluster.") % values
    return _("%(actor)s linked this ticket to problem %(problem)s.") % values


def register() -> None:
    from comptoir.tickets.history import SENTENCES

    SENTENCES.setdefault(INCIDENT_LINKED, incident_linked_sentence)
    SENTENCES.setdefault(INCIDENT_RESOLVED, incident_resolved_sentence)
    SENTENCES.setdefault(PROBLEM_LINKED, problem_linked_sentence)
