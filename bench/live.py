"""Live pages (issue 10): how long a change takes to appear on another agent's open ticket page.

    .venv/bin/python bench/live.py              # 20 changes (about two minutes)
    .venv/bin/python bench/live.py --changes 50

A real `comptoir run` (waitress, embedded worker) on 127.0.0.1 with a fresh SQLite database.
Agent A's page is simulated as the browser runs it (static/comptoir/live.js): a client logged in
through the desk's login form polls `GET /desk/tickets/<ref>/live/?v=<version>&p=<presence>` every
4 s, which answers 204 while nothing changed. Agent B, through the API in another thread, adds a
note to the ticket at random instants; the delay measured is from B's 201 to the first poll of A
that brings B's words (poll interval + endpoint latency). The latency of the unchanged (204) and
changed (200) polls is measured too. Results: bench/results/live.json and live.md.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

ROOT = Path(_HERE).parent
RESULTS = Path(_HERE) / "results"
COMPTOIR = ROOT / ".venv" / "bin" / "comptoir"
POLL_EVERY = 4.0  # as static/comptoir/live.js on a ticket page
PASSWORD = "bench-Pa33word-live"  # noqa: S105 - a throwaway account of a throwaway database
ENV_DROP = ("COMPTOIR_DATABASE_URL", "COMPTOIR_TASK_BACKEND", "COMPTOIR_EMAIL_URL", "COMPTOIR_TESTING",
            "COMPTOIR_BASE_URL", "COMPTOIR_ALLOWED_HOSTS", "COMPTOIR_DEBUG", "DJANGO_SETTINGS_MODULE")  # fmt: skip


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Session:
    """One keep-alive HTTP connection with cookies, as a browser tab."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):  # type: ignore[no-untyped-def]
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                k, _, rest = value.partition("=")
                self.cookies[k.strip()] = rest.split(";", 1)[0]
        return r.status, data.decode("utf-8", "replace"), dict(r.getheaders())

    def login(self, email: str) -> None:
        _status, html, _h = self.request("GET", "/desk/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        body = urlencode({"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD})
        status, _html, _h = self.request(
            "POST", "/desk/login/", body,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/desk/login/"},
        )  # fmt: skip
        if status != 302:
            raise SystemExit(f"login of {email} failed: HTTP {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="comptoir-live-"))
    env = {k: v for k, v in os.environ.items() if k not in ENV_DROP}
    env.update(
        COMPTOIR_DATA_DIR=str(data), COMPTOIR_SECRET_KEY="bench-live-" + "x" * 40, COMPTOIR_RATELIMIT="0"
    )
    run = lambda *a: subprocess.run([str(COMPTOIR), *a], env=env, check=True, capture_output=True, text=True)  # noqa: E731
    run("migrate", "-v", "0")
    run(
        "agent",
        "add",
        "a@live.test",
        "--name",
        "Agent A",
        "--team",
        "Support",
        "--level",
        "2",
        "--password",
        PASSWORD,
    )
    token = run(
        "agent", "add", "b@live.test", "--name", "Agent B", "--team", "Support", "--level", "2",
        "--password", PASSWORD, "--token",
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [str(COMPTOIR), "run", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        api = Session(port)
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        status, body, _h = api.request(
            "POST", "/api/v1/tickets",
            json.dumps({"subject": "Facture en double", "body": "J'ai reçu deux factures.",
                        "customer": {"name": "Élodie Tremblay", "email": "elodie@example.test", "language": "fr"}}),
            auth,
        )  # fmt: skip
        assert status in (200, 201), body
        reference = json.loads(body)["reference"]

        page = Session(port)
        page.login("a@live.test")
        status, html, _h = page.request("GET", f"/desk/tickets/{reference}/")
        assert status == 200
        version = re.search(r'data-live-ticket="[^"]+" data-version="(\d+)" data-presence="([^"]*)"', html)
        state = {"v": version.group(1), "p": version.group(2)}  # type: ignore[union-attr]
        seen: dict[str, float] = {}  # marker -> when A's page got it
        unchanged: list[float] = []
        changed: list[float] = []
        stop = threading.Event()

        def poll() -> None:
            live = f"/desk/tickets/{reference}/live/"
            while not stop.is_set():
                start = time.monotonic()
                status, html, _h = page.request("GET", live + "?" + urlencode({**state, "writing": "0"}))
                took = time.monotonic() - start
                if status == 204:
                    unchanged.append(took)
                elif status == 200:
                    changed.append(took)
                    root = re.search(r'data-live-root data-version="(\d+)" data-presence="([^"]*)"', html)
                    state.update(v=root.group(1), p=root.group(2))  # type: ignore[union-attr]
                    for marker in re.findall(r"change-\d+-[0-9a-f]+", html):
                        seen.setdefault(marker, time.monotonic())
                stop.wait(POLL_EVERY)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        delays: list[float] = []
        rng = random.Random(10)
        for i in range(args.changes):
            time.sleep(rng.uniform(1.0, 2 * POLL_EVERY))  # changes land anywhere in the poll cycle
            marker = f"change-{i}-{rng.getrandbits(32):08x}"
            status, body, _h = api.request(
                "POST", f"/api/v1/tickets/{reference}/messages",
                json.dumps({"body": f"Note de B {marker}", "visibility": "internal"}), auth,
            )  # fmt: skip
            assert status == 201, body
            committed = time.monotonic()
            deadline = committed + 5 * POLL_EVERY
            while marker not in seen and time.monotonic() < deadline:
                time.sleep(0.02)
            if marker not in seen:
                raise SystemExit(f"{marker} never appeared on A's page")
            delays.append(seen[marker] - committed)
            print(f"change {i + 1}/{args.changes}: {delays[-1]:.2f} s", flush=True)
        stop.set()
        poller.join(timeout=10)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)

    figures = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "changes": args.changes,
        "poll_every_s": POLL_EVERY,
        "appear_p50_s": round(pct(delays, 50), 3),
        "appear_p95_s": round(pct(delays, 95), 3),
        "appear_max_s": round(max(delays), 3),
        "poll_unchanged_p50_ms": round(pct(unchanged, 50) * 1000, 1),
        "poll_unchanged_p95_ms": round(pct(unchanged, 95) * 1000, 1),
        "poll_changed_p50_ms": round(pct(changed, 50) * 1000, 1),
        "poll_changed_p95_ms": round(pct(changed, 95) * 1000, 1),
        "polls": len(unchanged) + len(changed),
        "cpu": os.cpu_count(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "live.json").write_text(json.dumps(figures, indent=2) + "\n")
    (RESULTS / "live.md").write_text(
        f"""# Live pages: time for a change to appear on another agent's open ticket page

Measured {figures["when"]} by `bench/live.py` against `comptoir run` (waitress, embedded worker,
fresh SQLite) over real HTTP on 127.0.0.1, {figures["cpu"]} CPUs shared with other work.
Agent A's ticket page polls its live endpoint every {POLL_EVERY:g} s as `static/comptoir/live.js`
does; agent B adds a note through the API at random instants ({args.changes} changes). Delay:
from B's `201` to the first poll of A that brings B's words.

| figure | p50 | p95 | max |
| --- | --- | --- | --- |
| change visible on A's page | {figures["appear_p50_s"]} s | {figures["appear_p95_s"]} s | {figures["appear_max_s"]} s |
| poll, nothing changed (204) | {figures["poll_unchanged_p50_ms"]} ms | {figures["poll_unchanged_p95_ms"]} ms | |
| poll bringing the change (200, parts to swap) | {figures["poll_changed_p50_ms"]} ms | {figures["poll_changed_p95_ms"]} ms | |

The delay is the poll interval's share (uniform over 0–{POLL_EVERY:g} s) plus the endpoint's
latency; no connection is held open between polls (waitress's threads stay free), and an
unchanged poll is one indexed read of the ticket, one of presence (and one write every 10 s,
the presence heartbeat).
"""
    )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
