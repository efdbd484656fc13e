"""Quality thresholds (issue 12, item 7): a crossing opens one corrective action and tells its
owner once (bell and email); back within bounds it re-arms; no data never crosses; two
evaluations at once open one action. Figures from the history in ``conftest.py``."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection

from comptoir.insights import thresholds
from comptoir.insights.models import CorrectiveAction, QualityThreshold, ThresholdFigure
from comptoir.insights.selectors import DRILLS, FIGURES
from comptoir.insights.services import metrics_sweep
from comptoir.insights.thresholds import (
    DRILL_OF,
    ThresholdData,
    threshold_create,
    threshold_evaluate,
    thresholds_evaluate,
    window_bounds,
)
from comptoir.notifications.models import Notification
from comptoir.outbox.models import Delivery
from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_update
from tests.factories import AgentFactory

from .conftest import at

pytestmark = pytest.mark.django_db


def _threshold(history, **fields) -> QualityThreshold:
    data = {"comparison": "below", "window": "week", "owner": history.owner, **fields}
    return threshold_create(actor=history.agent, data=ThresholdData(**data))


@pytest.fixture
def owner_history(history):
    history.owner = AgentFactory(email="qualite@comptoir.test", language="fr", name="Odile Qualité")
    return history


def _told(owner) -> tuple[int, int, int]:
    """Notifications in the bell, emails queued, emails sent: each about corrective actions."""
    return (
        Notification.objects.filter(recipient=owner, kind="corrective_action").count(),
        Delivery.objects.filter(idempotency_key__startswith="quality-action:").count(),
        len([m for m in mail.outbox if owner.email in m.to]),
    )


def test_every_dashboard_figure_can_be_watched_and_opens_its_tickets():
    assert set(FIGURES) <= set(ThresholdFigure.values)
    assert set(DRILL_OF) == set(ThresholdFigure.values)
    assert set(DRILL_OF.values()) <= set(DRILLS)


def test_windows():
    tuesday = date(2026, 3, 10)
    assert window_bounds("day", tuesday) == (tuesday, tuesday)
    assert window_bounds("week", tuesday) == (date(2026, 3, 9), date(2026, 3, 15))
    assert window_bounds("month", tuesday) == (date(2026, 3, 1), date(2026, 3, 31))
    assert window_bounds("last_7_days", tuesday) == (date(2026, 3, 4), tuesday)
    assert window_bounds("last_30_days", tuesday) == (date(2026, 2, 9), tuesday)


def test_a_crossing_opens_one_action_and_tells_its_owner_once(
    owner_history, django_capture_on_commit_callbacks
):
    history = owner_history
    # Week of 2 March: T1, T2 (escalated), T3, T4 resolved: 75 % at level 1, below 85 %.
    threshold = _threshold(history, figure="level1_resolution_share", value=Decimal("85"))
    for _round in range(2):
        with time_machine.travel(at(3, 6, 12), tick=False), django_capture_on_commit_callbacks(execute=True):
            thresholds_evaluate()
    action = CorrectiveAction.objects.get()
    assert (action.owner, action.figure_value, action.threshold_value) == (history.owner, 75.0, 85.0)
    assert (action.window_start, action.window_end) == (date(2026, 3, 2), date(2026, 3, 8))
    assert action.status == "open"
    assert _told(history.owner) == (1, 1, 1)
    # In the owner's language (French); the bell opens the action's page.
    assert "2 mars 2026" in mail.outbox[-1].body  # the window's dates, formatted in French
    assert f"/desk/quality/actions/{action.pk}/" in mail.outbox[-1].body
    assert "drill=resolved_level1&from=2026-03-02&to=2026-03-08" in mail.outbox[-1].body
    notification = Notification.objects.get(recipient=history.owner)
    assert notification.ticket is None and notification.link == f"/desk/quality/actions/{action.pk}/"
    threshold.refresh_from_db()
    assert (threshold.crossed, threshold.last_value, threshold.crossings) == (True, 75.0, 1)


def test_back_within_bounds_rearms_and_a_new_crossing_opens_a_second_action(
    owner_history, make_ticket, django_capture_on_commit_callbacks
):
    """ "More than no complaint today": one on 7 April; none on the 8th until 11:00; one then (after
    the history's last change, 1 April, where the sweep's cursor stands)."""
    history = owner_history
    _threshold(history, figure="complaints", comparison="above", value=Decimal("0"), window="day")

    def complaint(moment) -> None:
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            ticket = make_ticket(email="d@example.test", subject="Plainte", body="C'est inacceptable.")
            ticket = Ticket.objects.get(pk=ticket.pk)
            ticket_update(
                ticket_id=ticket.pk, actor=history.agent, version=ticket.version, category=history.complaint
            )
        with time_machine.travel(moment.replace(minute=5), tick=False):
            metrics_sweep()

    def evaluate(moment) -> None:
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            thresholds_evaluate()

    complaint(at(4, 7, 10))
    evaluate(at(4, 7, 10, 10))
    evaluate(at(4, 7, 16))
    assert CorrectiveAction.objects.count() == 1
    evaluate(at(4, 8, 9))  # a new day: no complaint yet, back within bounds
    threshold = QualityThreshold.objects.get()
    assert (threshold.crossed, threshold.last_value) == (False, 0.0)
    complaint(at(4, 8, 11))
    evaluate(at(4, 8, 11, 10))
    evaluate(at(4, 8, 12))
    first, second = CorrectiveAction.objects.order_by("id")
    assert (first.window_start, second.window_start) == (date(2026, 4, 7), date(2026, 4, 8))
    assert (first.crossing, second.crossing) == (1, 2)
    assert _told(history.owner) == (2, 2, 2)


def test_a_figure_with_no_data_never_crosses(owner_history, django_capture_on_commit_callbacks):
    history = owner_history
    # Week of 9 March: nothing resolved, no survey answered; no negative message scored.
    watched = [
        _threshold(history, figure="level1_resolution_share", value=Decimal("85")),
        _threshold(history, figure="csat_average", value=Decimal("4")),
        _threshold(history, figure="resolution_sla_missed_share", comparison="above", value=Decimal("2")),
    ]
    with time_machine.travel(at(3, 10, 12), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert thresholds_evaluate() == 0
    assert not CorrectiveAction.objects.exists()
    for threshold in watched:
        threshold.refresh_from_db()
        assert (threshold.crossed, threshold.last_value) == (False, None)
        assert threshold.last_evaluated_at is not None
    assert _told(history.owner) == (0, 0, 0)


def test_missed_share_is_one_minus_the_met_share(owner_history, django_capture_on_commit_callbacks):
    """Resolution SLA: T2 missed out of 4 resolved in the week of 2 March: 25 % missed > 2 %."""
    history = owner_history
    _threshold(history, figure="resolution_sla_missed_share", comparison="above", value=Decimal("2"))
    with time_machine.travel(at(3, 6, 12), tick=False), django_capture_on_commit_callbacks(execute=True):
        thresholds_evaluate()
    action = CorrectiveAction.objects.get()
    assert (action.figure_value, action.threshold_value) == (25.0, 2.0)


def test_an_evaluation_that_read_before_another_committed_opens_nothing(
    owner_history, monkeypatch, django_capture_on_commit_callbacks
):
    """Two workers at once, without row locks (the worst case): the second one read the threshold
    before the first committed its crossing. The unique (threshold, crossing) refuses its action."""
    history = owner_history
    threshold = _threshold(history, figure="level1_resolution_share", value=Decimal("85"))
    stale = QualityThreshold.objects.select_related("owner").get(pk=threshold.pk)  # read "before"
    with time_machine.travel(at(3, 6, 12), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert threshold_evaluate(threshold_id=threshold.pk) is not None
        monkeypatch.setattr(thresholds, "_threshold_locked", lambda threshold_id: stale)
        assert threshold_evaluate(threshold_id=threshold.pk) is None
    assert CorrectiveAction.objects.count() == 1
    assert _told(history.owner) == (1, 1, 1)


@pytest.mark.django_db(transaction=True)
def test_two_workers_evaluating_at_once_open_one_action():
    """Real threads, each with its own connection: "fewer than one ticket created today"."""
    supervisor = AgentFactory(is_supervisor=True)
    owner = AgentFactory()
    threshold = threshold_create(
        actor=supervisor,
        data=ThresholdData(figure="tickets_created", comparison="below", value=Decimal("1"), window="day",
                           owner=owner),
    )  # fmt: skip
    workers = 4
    barrier = threading.Barrier(workers)
    opened: list[object] = []
    errors: list[BaseException] = []

    def evaluate() -> None:
        try:
            barrier.wait()
            opened.append(threshold_evaluate(threshold_id=threshold.pk))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=evaluate) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len([a for a in opened if a is not None]) == 1
    assert CorrectiveAction.objects.count() == 1
    assert Notification.objects.filter(recipient=owner).count() == 1
    assert Delivery.objects.filter(idempotency_key__startswith="quality-action:").count() == 1


def test_a_deactivated_threshold_is_not_evaluated(owner_history, django_capture_on_commit_callbacks):
    history = owner_history
    threshold = _threshold(history, figure="level1_resolution_share", value=Decimal("85"))
    thresholds.threshold_deactivate(actor=history.agent, threshold_id=threshold.pk)
    with time_machine.travel(at(3, 6, 12), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert thresholds_evaluate() == 0
    assert not CorrectiveAction.objects.exists()
