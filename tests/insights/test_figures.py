"""Each figure against values worked out by hand from the history in ``conftest.py``."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from comptoir.insights.models import DailyFigures, TicketFact
from comptoir.insights.selectors import EXACT_LIMIT, Filters, figure_tickets, metrics
from comptoir.insights.services import facts_refresh, metrics_rebuild, metrics_sweep
from comptoir.tickets.models import SlaAlert, Ticket

from .conftest import at

pytestmark = pytest.mark.django_db

SPRING = Filters(start=date(2026, 3, 1), end=date(2026, 4, 30))


def _refs(history, rows) -> set[str]:
    names = {t.pk: name for name, t in history.tickets.items()}
    return {names[row.ticket_id] for row in rows}


def test_the_history_is_what_the_figures_are_worked_out_from(history):
    """The services did what the timeline says: the breaches the figures count are recorded."""
    breaches = set(SlaAlert.objects.filter(kind="breach").values_list("ticket__subject", "target"))
    assert breaches == {
        ("Demande T2", "first_response"), ("Demande T2", "resolution"), ("Demande T5", "first_response"),
    }  # fmt: skip
    t2 = history.tickets["T2"]
    assert (t2.team, t2.level) == (history.experts, 2)
    assert history.tickets["T5"].is_open


def test_every_figure_of_the_period(history):
    figures = metrics(SPRING, now=history.now)
    assert figures["tickets_created"] == 6
    assert figures["tickets_resolved"] == 5  # T1, T2, T3 (once), T4, T6
    assert figures["level1_resolution_share"] == 0.8  # all but T2
    assert figures["escalated_share"] == 0.2
    assert figures["complaints"] == 1
    assert figures["reopened"] == 1
    # First response decided for T1, T2 (missed), T3, T4, T5 (missed), T6.
    assert figures["first_response_sla_met_share"] == round(4 / 6, 4)
    # Resolution: T2 missed; T4 met thanks to the pause (660 min of wall clock > 600).
    assert figures["resolution_sla_met_share"] == 0.8
    # First responses 30, 120, 10, 20, 5 -> sorted 5 10 20 30 120.
    assert figures["first_response_minutes"] == {"median": 20.0, "p90": 84.0}
    # Resolutions 120, 1440, 120 (from creation to the last resolution), 660, 60.
    assert figures["resolution_minutes"] == {"median": 120.0, "p90": 1128.0}
    assert figures["csat_average"] == 3.5 and figures["ces_average"] == 4.0
    assert figures["percentiles"] == "exact"
    assert figures["backlog_by_age"] == {
        "under_1_day": 0, "1_to_3_days": 0, "3_to_7_days": 1, "7_to_30_days": 0, "over_30_days": 0,
    }  # fmt: skip
    march, april = figures["months"]
    assert (march["month"], march["tickets_created"], march["tickets_resolved"]) == ("2026-03", 5, 4)
    assert march["level1_resolution_share"] == 0.75
    assert march["first_response_minutes"]["median"] == 25.0  # 10 20 30 120
    assert (april["month"], april["tickets_created"], april["tickets_resolved"]) == ("2026-04", 1, 1)
    assert april["first_response_minutes"] == {"median": 5.0, "p90": 5.0}
    assert april["resolution_sla_met_share"] == 1.0


def test_filters_by_team_category_channel_and_customer(history):
    by_team = metrics(
        Filters(start=SPRING.start, end=SPRING.end, team_id=history.experts.pk), now=history.now
    )
    assert (by_team["tickets_created"], by_team["tickets_resolved"], by_team["escalated_share"]) == (
        1,
        1,
        1.0,
    )
    email = metrics(Filters(start=SPRING.start, end=SPRING.end, channel="email"), now=history.now)
    assert (email["tickets_created"], email["resolution_minutes"]["median"]) == (2, 750.0)  # 1440, 60
    complaints = metrics(
        Filters(start=SPRING.start, end=SPRING.end, category_id=history.complaint.pk), now=history.now
    )
    assert (complaints["tickets_created"], complaints["tickets_resolved"], complaints["backlog"]) == (1, 0, 1)
    customer_b = history.tickets["T3"].customer_id
    own = metrics(Filters(start=SPRING.start, end=SPRING.end, customer_id=customer_b), now=history.now)
    assert (own["tickets_created"], own["tickets_resolved"], own["reopened"]) == (2, 2, 1)
    assert own["resolution_minutes"]["median"] == 390.0  # 120, 660
    march_only = metrics(Filters(start=date(2026, 3, 3), end=date(2026, 3, 31)), now=history.now)
    # Created 3-31 March: T3, T4, T5; resolved: T2 (3 March), T3, T4.
    assert (march_only["tickets_created"], march_only["tickets_resolved"]) == (3, 3)


def test_every_figure_opens_its_tickets(history):
    assert _refs(history, figure_tickets(SPRING, "created")) == {"T1", "T2", "T3", "T4", "T5", "T6"}
    assert _refs(history, figure_tickets(SPRING, "escalated")) == {"T2"}
    assert _refs(history, figure_tickets(SPRING, "resolved_level1")) == {"T1", "T3", "T4", "T6"}
    assert _refs(history, figure_tickets(SPRING, "first_response_sla_missed")) == {"T2", "T5"}
    assert _refs(history, figure_tickets(SPRING, "resolution_sla_missed")) == {"T2"}
    assert _refs(history, figure_tickets(SPRING, "reopened")) == {"T3"}
    assert _refs(history, figure_tickets(SPRING, "complaints")) == {"T5"}
    assert _refs(history, figure_tickets(SPRING, "csat")) == {"T1", "T2"}
    backlog = figure_tickets(SPRING, "backlog", band="3_to_7_days", now=history.now)
    assert _refs(history, backlog) == {"T5"}
    assert not figure_tickets(SPRING, "backlog", band="under_1_day", now=history.now).exists()


def test_a_change_moves_the_ticket_between_cells_and_the_sums_stay_true(history):
    """Reopen T6 in April: it leaves the resolved figures of 1 April, and a rebuild agrees."""
    t6 = history.tickets["T6"]
    with time_machine.travel(at(4, 2, 9), tick=False):
        Ticket.objects.filter(pk=t6.pk).update(team=history.experts)
        from comptoir.tickets.services import ticket_update

        ticket_update(ticket_id=t6.pk, actor=history.agent, version=t6.version, status="open")
        metrics_sweep()
        figures = metrics(SPRING, now=at(4, 2, 9))
    # T6 reopened is open again: out of the resolved figures (T3's reopening still counts).
    assert (figures["tickets_resolved"], figures["reopened"], figures["backlog"]) == (4, 1, 2)
    experts = metrics(Filters(start=SPRING.start, end=SPRING.end, team_id=history.experts.pk))
    assert experts["tickets_created"] == 2
    before = sorted(DailyFigures.objects.values_list("day", "team_id", "created", "resolved", "fr_b1"))
    assert metrics_rebuild() == 6
    after = sorted(DailyFigures.objects.values_list("day", "team_id", "created", "resolved", "fr_b1"))
    # Cells emptied by the move stay as zero rows until a rebuild: compare the non-empty ones.
    assert [row for row in before if any(row[2:])] == [row for row in after if any(row[2:])]


def test_refreshing_again_changes_nothing(history):
    cells = list(DailyFigures.objects.order_by("pk").values())
    assert facts_refresh(t.pk for t in history.tickets.values()) == 0
    assert metrics_sweep() == 0
    assert list(DailyFigures.objects.order_by("pk").values()) == cells
    assert TicketFact.objects.count() == 6


def test_large_periods_read_percentiles_from_the_histograms(history, monkeypatch):
    monkeypatch.setattr("comptoir.insights.selectors.EXACT_LIMIT", 3)
    figures = metrics(SPRING, now=history.now)
    assert figures["percentiles"] == "estimated"
    # First responses 5 10 20 30 120 in buckets [5,10) [10,15) [20,30) [30,45) [120,180):
    # half of 5 is reached in the [20, 30) bucket, at 2.5 - 2 = half of its one ticket -> 25.
    assert figures["first_response_minutes"]["median"] == 25.0
    assert EXACT_LIMIT > 3


@pytest.mark.parametrize(
    "filters",
    [
        SPRING,
        Filters(start=date(2026, 3, 3), end=date(2026, 3, 31)),
        Filters(start=SPRING.start, end=SPRING.end, channel="email"),
    ],
)
def test_every_drill_counts_from_the_cells_what_it_lists(history, filters):
    from comptoir.insights.selectors import BACKLOG_BANDS, DRILLS, figure_ticket_count

    for drill in DRILLS:
        bands = [key for key, _low, _high in BACKLOG_BANDS] if drill == "backlog" else [None]
        for band in bands:
            listed = figure_tickets(filters, drill, band=band, now=history.now).count()
            assert figure_ticket_count(filters, drill, band=band, now=history.now) == listed, (drill, band)
