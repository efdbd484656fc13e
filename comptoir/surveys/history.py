"""How the survey's events read in a ticket's history, in the reader's language.

``tickets.history.SENTENCES`` maps an event kind to its writer and leaves room for kinds added by
other apps; ``SurveysConfig.ready`` adds these two. The stored value stays language-neutral
("CSAT 4/5 · CES 2/7")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from comptoir.tickets.models import TicketEvent

SURVEY = "survey"  # a customer's answer (new: the scores; old: the previous answer, if changed)
SURVEY_LOW = "survey_low"  # a low answer alerted the supervisors (once per survey)


def survey_sentence(e: TicketEvent, who: str, names: object) -> str:
    values = {"actor": who, "scores": e.new, "old": e.old}
    if e.old:
        return _("%(actor)s changed their survey answer from %(old)s to %(scores)s.") % values
    return _("%(actor)s answered the survey: %(scores)s.") % values


def survey_low_sentence(e: TicketEvent, who: str, names: object) -> str:
    return _("Low survey score (%(scores)s): the team's supervisors were alerted.") % {"scores": e.new}


def register() -> None:
    from comptoir.tickets.history import SENTENCES

    SENTENCES.setdefault(SURVEY, survey_sentence)
    SENTENCES.setdefault(SURVEY_LOW, survey_low_sentence)
