"""The HTTP benchmark's pieces that can break silently (bench/peer_http.py, issue 9)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench import peer_http as bench_http

ROOT = Path(__file__).resolve().parents[2]


def test_no_bench_script_shadows_a_standard_module():
    """Run as a script, bench/ comes first on sys.path: a bench/http.py once hid `http.client`
    from every other benchmark. No file there may be named like a standard-library module."""
    names = {path.stem for path in (ROOT / "bench").glob("*.py")}
    assert not names & set(sys.stdlib_module_names)
    r = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "peer_http.py"), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "--rounds" in r.stdout


@pytest.mark.django_db
def test_the_form_page_gives_what_the_harness_posts_back(client):
    """The harness reads the CSRF token and the submission id from the real request form."""
    page = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert bench_http.hidden_value(page, "csrfmiddlewaretoken")
    assert len(bench_http.hidden_value(page, "submission_id") or "") >= 16
    assert bench_http.hidden_value(page, "no_such_field") is None


def test_pending_tasks_leaves_out_future_tasks_but_counts_due_ones(tmp_path):
    """run_after is a "datetime" column (numeric affinity): a text literal like '9999' would become
    a number there, and every text date compares greater than a number."""
    db = tmp_path / "comptoir.sqlite3"
    con = sqlite3.connect(db)
    con.execute(f"CREATE TABLE {bench_http.TASKS_TABLE} (status varchar(10), run_after datetime)")
    now = datetime.now(UTC)
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    rows = [
        ("READY", "9999-01-01 00:00:00"),  # no delay: due
        ("READY", (now - timedelta(seconds=5)).strftime(fmt)),  # due
        ("READY", (now + timedelta(days=2)).strftime(fmt)),  # an SLA check in two days: not due
        ("RUNNING", (now + timedelta(days=2)).strftime(fmt)),  # running: counted
        ("SUCCESSFUL", "9999-01-01 00:00:00"),  # done
    ]
    con.executemany(f"INSERT INTO {bench_http.TASKS_TABLE} VALUES (?, ?)", rows)  # noqa: S608
    con.commit()
    con.close()
    target = bench_http.Comptoir(embedded=False, src=ROOT)
    target.db_path = db
    assert target.pending_tasks() == 3


@pytest.mark.parametrize(("value", "enabled"), [(None, True), ("0", False), ("1", True)])
def test_comptoir_ratelimit_setting(tmp_path, value, enabled):
    """COMPTOIR_RATELIMIT=0 (benchmarks only) turns the rate limits off; they are on by default."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
    env.update(DJANGO_SETTINGS_MODULE="comptoir.settings", COMPTOIR_DATA_DIR=str(tmp_path))
    if value is not None:
        env["COMPTOIR_RATELIMIT"] = value
    probe = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps(settings.RATELIMIT_ENABLE))"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert json.loads(out.stdout) is enabled
