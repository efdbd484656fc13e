"""Periodic jobs (issue 9 item 11): each app registers its own, the worker runs what is registered."""

from __future__ import annotations

import ast
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils.module_loading import import_string

from comptoir.common import jobs
from comptoir.common.jobs import JobRunner, register_job, registered_jobs
from comptoir.console.workers import sweep_once

RUNS: list[str] = []


def count_a() -> None:
    RUNS.append("a")


def count_b() -> None:
    RUNS.append("b")


def explode() -> None:
    raise RuntimeError("boom")


@pytest.fixture
def own_registry(monkeypatch):  # type: ignore[no-untyped-def]
    """The apps' jobs, plus what a test registers, forgotten after it."""
    monkeypatch.setattr(jobs, "_JOBS", dict(jobs._JOBS))
    RUNS.clear()
    yield
    RUNS.clear()


def test_each_app_registers_its_sweeps_and_every_target_resolves():
    found = {job.name: job for job in registered_jobs()}
    assert {"outbox", "sla", "inbound", "task rows", "old task rows"} <= set(found)
    for job in found.values():
        assert callable(import_string(job.target)), job


def test_the_worker_module_knows_no_app():
    source = Path(__file__).resolve().parents[2] / "comptoir" / "console" / "workers.py"
    modules = {
        node.module
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("comptoir.")
    }
    assert modules == {"comptoir.common.jobs"}


@pytest.mark.django_db
def test_the_worker_sweep_runs_what_an_app_registered(own_registry):
    register_job("test a", f"{__name__}.count_a")
    sweep_once()
    assert RUNS == ["a"]


def test_a_job_with_a_period_runs_at_first_then_only_when_due(own_registry, monkeypatch):
    monkeypatch.setattr(jobs, "_JOBS", {})
    register_job("every sweep", f"{__name__}.count_a")
    register_job("hourly", f"{__name__}.count_b", every=timedelta(hours=1))
    runner = JobRunner()
    assert runner.run_due(now=1000.0) == ["every sweep", "hourly"]  # a new process runs them all
    assert runner.run_due(now=1015.0) == ["every sweep"]
    assert runner.run_due(now=1000.0 + 3600) == ["every sweep", "hourly"]
    assert runner.run_due(now=1000.0 + 3601, force=True) == ["every sweep", "hourly"]
    assert RUNS == ["a", "b", "a", "a", "b", "a", "b"]


def test_a_failing_job_is_logged_and_the_others_still_run(own_registry, monkeypatch, caplog):
    monkeypatch.setattr(jobs, "_JOBS", {})
    register_job("broken", f"{__name__}.explode")
    register_job("after", f"{__name__}.count_a")
    with caplog.at_level(logging.ERROR, logger="comptoir.worker"):
        assert JobRunner().run_due() == ["broken", "after"]
    assert RUNS == ["a"]
    assert "broken sweep failed" in caplog.text


def test_registering_a_name_again_replaces_it_and_a_period_must_be_positive(own_registry):
    register_job("twice", f"{__name__}.count_a")
    register_job("twice", f"{__name__}.count_b")
    assert [j.target for j in registered_jobs() if j.name == "twice"] == [f"{__name__}.count_b"]
    with pytest.raises(ValueError, match="positive"):
        register_job("never", f"{__name__}.count_a", every=timedelta(0))
