"""The committed adversarial figure is written by full runs only, never by a partial one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRACKED = ROOT / "bench" / "results" / "adversarial.json"
PARTIAL = ROOT / "test-results" / "adversarial.json"


def test_a_partial_run_leaves_the_committed_report_alone(tmp_path):
    before = TRACKED.read_bytes() if TRACKED.exists() else None
    # Its own SQLite test database in its own folder: on PostgreSQL the nested run would otherwise
    # create and drop the very test database this session is using.
    env = {k: v for k, v in os.environ.items() if k != "COMPTOIR_DATABASE_URL"}
    env["COMPTOIR_DATA_DIR"] = str(tmp_path)
    one = "tests/security/test_abuse.py::test_api_create_refuses_unknown_customer_fields[id]"
    run = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", one],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert (TRACKED.read_bytes() if TRACKED.exists() else None) == before
    partial = json.loads(PARTIAL.read_text())
    assert partial["attacks"]["mass-assignment"]["tests"] == 1
