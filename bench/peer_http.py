"""Comptoir against django-helpdesk over real HTTP on loopback, side by side (issue 9, targets 1 and 3).

    .venv/bin/python bench/peer_http.py --quick              # smoke run (about a minute)
    .venv/bin/python bench/peer_http.py --n 300 --rounds 3   # a real run
    .venv/bin/python bench/peer_http.py --src HEAD           # measure the last commit, not edits in progress

Three servers run at once, each a real process on 127.0.0.1 served by waitress with 8 threads:
the peer (django-helpdesk 2.6, `waitress-serve`, SQLite WAL + synchronous=NORMAL), Comptoir's web
process `comptoir run --no-worker` beside a `comptoir worker` process, and the embedded
`comptoir run` (web + task worker in one process). Each has its own fresh SQLite database. Clients
are threads of this process, each with one keep-alive connection (http.client). Rounds alternate
the servers (the order rotates each round), with the same bilingual texts for all. Then the peak
RSS (VmHWM) of every server process is read, the databases are counted, and an in-process run
(Django's test Client, same settings) counts the SQL statements of each Comptoir request and
splits its time by phase. Results: bench/results/peer-http.json and peer-http.md. See bench/README.md.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this folder comes first on sys.path, where a file named like a standard module
# would shadow it (this file was once bench/http.py): keep the folder off the path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

HERE = Path(_HERE)
ROOT = HERE.parent
WORK = HERE / "_work"
HTTP_WORK = WORK / "http"
RESULTS_DIR = HERE / "results"
PEER_VENV = WORK / "peer-venv"
PEER_WORK = WORK / "peer-http"
PEER_SHIM = WORK / "peer-shim"
DEFAULT_PEER_DIR = Path(os.environ.get("COMPTOIR_PEER_DIR", "/work/shared/peer-bench"))
PEER_PASSWORD = "Pa33w0rd!-bench"  # noqa: S105 - a throwaway account of a throwaway database
SECRET_KEY = "bench-only-not-a-secret-" + "h" * 40
TARGET_RATIO = 5.0
TARGET_WEB_MIB = 120.0
TARGET_EMBEDDED_MIB = 400.0
THREADS = 8
TASKS_TABLE = "django_tasks_database_dbtaskresult"
KIND_RE = re.compile(r"^\s*(\w+)")
# Environment a Comptoir server must not inherit from the shell: the comparison is SQLite WAL with the
# database task backend and mail captured in the database, on a fresh data dir.
COMPTOIR_ENV_DROP = (
    "COMPTOIR_DATABASE_URL", "COMPTOIR_TASK_BACKEND", "COMPTOIR_EMAIL_URL", "COMPTOIR_TESTING",
    "COMPTOIR_BASE_URL", "COMPTOIR_ALLOWED_HOSTS", "COMPTOIR_DEBUG", "DJANGO_SETTINGS_MODULE",
)  # fmt: skip


# ----------------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------------
def log(msg: str) -> None:
    print(msg, flush=True)


def pct(values: list[float], p: float) -> float | None:
    s = sorted(values)
    if not s:
        return None
    k = (len(s) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict[str, float]:
    """VmHWM (peak resident set) and VmRSS of a process, in MiB."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key = line.split(":", 1)[0]
                if key in ("VmHWM", "VmRSS"):
                    out[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def fmt(x: float | None, nd: int = 1) -> str:
    return "–" if x is None else f"{x:,.{nd}f}"


def hidden_value(html: str, name: str) -> str | None:
    """The value of the <input name=NAME> of a page (CSRF token, submission id)."""
    for tag in re.findall(r"<input\b[^>]*>", html):
        if re.search(rf'\bname=["\']{re.escape(name)}["\']', tag):
            m = re.search(r'\bvalue=["\']([^"\']*)["\']', tag)
            return m.group(1) if m else ""
    return None


def source_dir(src: str) -> tuple[Path, dict]:
    """Where the measured `comptoir` package lives (HEAD: a git-archive snapshot, as bench/run.py)."""
    saved = list(sys.path)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.run import use_source

    info = use_source(src)
    sys.path[:] = saved  # this process does not import comptoir; only the servers do
    path = WORK / f"src-{info['head'][:12]}" if src == "HEAD" else Path(src).resolve()
    return path, info


# ----------------------------------------------------------------------------------------------
# the workload: the same bilingual texts for every server
# ----------------------------------------------------------------------------------------------
def load_texts(src: Path):  # type: ignore[no-untyped-def]
    """comptoir/console/demo_data.py (plain Python, no Django) of the measured source."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_demo_data", src / "comptoir" / "console" / "demo_data.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def make_items(texts, rng: random.Random, n: int, tag: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """N tickets: ~1 customer per 3 tickets (55 % French), subject, body and an agent's reply."""
    customers = []
    for i in range(max(1, n // 3)):
        lang = "fr" if rng.random() < 0.55 else "en"
        name = rng.choice(texts.NAMES[lang])
        local = name.lower().replace(" ", ".").encode("ascii", "ignore").decode()
        customers.append((lang, name, f"{local}.{tag}.{i}@example.com"))
    items = []
    for _ in range(n):
        lang, name, email = rng.choice(customers)
        subject, body = texts.ticket_text(rng, lang, name)
        items.append(
            {"lang": lang, "name": name, "email": email, "subject": subject, "body": body,
             "reply": texts.reply_text(rng, lang, name), "priority": rng.randint(1, 5)}
        )  # fmt: skip
    return items


# ----------------------------------------------------------------------------------------------
# HTTP client
# ----------------------------------------------------------------------------------------------
class RequestFailed(Exception):
    def __init__(self, what: str, status: int | str, body: bytes | str = b"") -> None:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        super().__init__(f"{what}: {status} {text[:300]!r}")
        self.what, self.status = what, status


class Browser:
    """One keep-alive connection and its cookies: an API client or a visitor's browser tab."""

    def __init__(self, port: int, headers: dict | None = None) -> None:
        self.port = port
        self.headers = headers or {}
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.latencies: dict[str, list[float]] = {}

    def request(
        self, what: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        h = {**self.headers, **(headers or {})}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=h)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise RequestFailed(what, type(exc).__name__, str(exc)) from exc
        self.latencies.setdefault(what, []).append(time.perf_counter() - start)
        for key, value in resp.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                val = rest.split(";", 1)[0]
                if val in ("", '""') or "max-age=0" in value.lower():
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = val
        if resp.will_close:
            self.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def json(self, what: str, method: str, path: str, payload: dict, expect: int, headers=None) -> dict:  # type: ignore[no-untyped-def]
        body = json.dumps(payload).encode()
        h = {"Content-Type": "application/json", **(headers or {})}
        status, _h, data = self.request(what, method, path, body, h)
        if status != expect:
            raise RequestFailed(what, status, data)
        try:
            return json.loads(data)
        except ValueError as exc:
            raise RequestFailed(what, "not JSON", data) from exc

    def form(self, what: str, path: str, fields: dict, lang: str) -> tuple[int, dict[str, str], bytes]:
        body = urlencode(fields).encode()
        return self.request(
            what, "POST", path, body,
            {"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": lang},
        )  # fmt: skip

    def page(self, what: str, path: str, lang: str) -> str:
        status, _h, data = self.request(what, "GET", path, None, {"Accept-Language": lang})
        if status != 200:
            raise RequestFailed(what, status, data)
        return data.decode("utf-8", "replace")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# ----------------------------------------------------------------------------------------------
# servers
# ----------------------------------------------------------------------------------------------
class Proc:
    """A server process this harness started (and only it stops)."""

    def __init__(self, role: str, cmd: list[str], env: dict, cwd: Path, log_path: Path) -> None:
        self.role, self.cmd, self.log_path = role, cmd, log_path
        self.log_file = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, n: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)
        self.log_file.close()


def wait_http(port: int, path: str, procs: list[Proc], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            if not p.alive():
                raise RuntimeError(f"{p.role} exited ({p.popen.returncode}):\n{p.log_tail()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"no answer on port {port} after {timeout:.0f} s")


def run_checked(cmd: list[str], env: dict, cwd: Path, what: str) -> str:
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"{what} failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}")
    return r.stdout


class Target:
    """A server under test: how to set it up, start it, and run one ticket of each workload."""

    key = ""
    label = ""
    table = ""  # the tickets table, for the final count

    def __init__(self) -> None:
        self.port = free_port()
        self.procs: list[Proc] = []
        self.db_path: Path | None = None
        self.memory: dict[str, dict] = {}
        self.notes: list[str] = []

    def stop(self) -> None:
        for p in self.procs:
            p.stop()

    def check_alive(self) -> None:
        for p in self.procs:
            if not p.alive():
                raise RuntimeError(f"{self.label}: {p.role} died:\n{p.log_tail()}")

    def read_memory(self, when: str) -> None:
        self.memory[when] = {p.role: proc_status(p.pid) for p in self.procs}

    def tickets_in_db(self) -> int | None:
        if not self.db_path:
            return None
        con = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0]
        finally:
            con.close()

    def pending_tasks(self) -> int | None:
        return None

    # one ticket of a workload; raises RequestFailed
    def api_client(self) -> Browser:
        raise NotImplementedError

    def api_ticket(self, b: Browser, item: dict) -> None:
        raise NotImplementedError

    def form_client(self) -> Browser:
        return Browser(self.port)

    def form_ticket(self, b: Browser, item: dict) -> None:
        raise NotImplementedError


class Peer(Target):
    key = "peer"
    label = "django-helpdesk (waitress)"
    table = "helpdesk_ticket"

    def __init__(self, peer_dir: Path, auth: str) -> None:
        super().__init__()
        self.peer_dir = peer_dir
        self.auth = auth
        self.queues: dict[str, int] = {}
        self.version = ""

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPTOIR_", "PEER_"))}
        env.update(
            PYTHONPATH=f"{self.peer_dir}{os.pathsep}{PEER_SHIM}", PEER_WORK=str(PEER_WORK),
            PEER_SQLITE_WAL="1", PEER_DB="sqlite", DJANGO_SETTINGS_MODULE="peerdesk.settings",
            PYTHONDONTWRITEBYTECODE="1",
        )  # fmt: skip
        return env

    def setup(self) -> None:
        python = PEER_VENV / "bin" / "python"
        probe = [str(python), "-c", "import helpdesk, waitress, faker"]
        if not python.exists() or subprocess.run(probe, capture_output=True, check=False).returncode:
            log("peer: making its virtualenv in bench/_work/peer-venv (django-helpdesk 2.6, waitress)")
            if not python.exists():
                subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "django-helpdesk>=2.6,<2.7", "waitress", "faker"],
                check=True,
            )  # fmt: skip
        PEER_SHIM.mkdir(parents=True, exist_ok=True)
        (PEER_SHIM / "peer_wsgi.py").write_text(PEER_WSGI)
        (PEER_SHIM / "peer_setup.py").write_text(PEER_SETUP)
        PEER_WORK.mkdir(parents=True, exist_ok=True)
        out = run_checked(
            [str(python), str(PEER_SHIM / "peer_setup.py")], self.env(), PEER_WORK, "peer setup"
        )
        info = json.loads(out.strip().splitlines()[-1])
        self.queues, self.version = info["queues"], info["version"]
        self.db_path = Path(info["db"])
        self.notes.append(
            f"django-helpdesk {info['version']}, Django {info['django']}, SQLite journal_mode="
            f"{info['journal_mode']} synchronous={info['synchronous']}"
        )

    def start(self) -> None:
        cmd = [
            str(PEER_VENV / "bin" / "waitress-serve"), f"--threads={THREADS}",
            f"--listen=127.0.0.1:{self.port}", "peer_wsgi:application",
        ]  # fmt: skip
        self.procs = [Proc("waitress", cmd, self.env(), PEER_WORK, HTTP_WORK / "peer-waitress.log")]
        wait_http(self.port, "/tickets/submit/", self.procs)

    def api_client(self) -> Browser:
        if self.auth == "basic":
            import base64

            cred = base64.b64encode(f"agent:{PEER_PASSWORD}".encode()).decode()
            return Browser(self.port, {"Authorization": f"Basic {cred}"})
        b = Browser(self.port)  # a session, as a logged-in agent's script would keep (not timed)
        html = b.page("login_get", "/login/", "en")
        token = hidden_value(html, "csrfmiddlewaretoken") or ""
        status, headers, data = b.form(
            "login_post", "/login/",
            {"csrfmiddlewaretoken": token, "username": "agent", "password": PEER_PASSWORD, "next": "/"}, "en",
        )  # fmt: skip
        if status != 302 or "sessionid" not in b.cookies:
            raise RuntimeError(f"peer login failed: {status} {data[:300]!r}")
        b.headers["X-CSRFToken"] = b.cookies.get("csrftoken", "")
        b.latencies.clear()
        return b

    def api_ticket(self, b: Browser, item: dict) -> None:
        queue = self.queues["support-fr" if item["lang"] == "fr" else "support-en"]
        t = b.json(
            "ticket_post", "POST", "/api/tickets/",
            {"queue": queue, "title": item["subject"], "description": item["body"],
             "submitter_email": item["email"], "priority": item["priority"]}, 201,
        )  # fmt: skip
        if not t.get("id"):
            raise RequestFailed("ticket_post", "no id", json.dumps(t))
        title = "Réponse" if item["lang"] == "fr" else "Reply"
        f = b.json(
            "reply_post", "POST", "/api/followups/",
            {"ticket": t["id"], "title": title, "comment": item["reply"], "public": True}, 201,
        )  # fmt: skip
        if f.get("ticket") != t["id"]:
            raise RequestFailed("reply_post", "follow-up not on the ticket", json.dumps(f))

    def form_ticket(self, b: Browser, item: dict) -> None:
        html = b.page("form_get", "/tickets/submit/", item["lang"])
        token = hidden_value(html, "csrfmiddlewaretoken")
        if not token:
            raise RequestFailed("form_get", "no CSRF token in the form", html[:300])
        queue = self.queues["support-fr" if item["lang"] == "fr" else "support-en"]
        status, headers, data = b.form(
            "form_post", "/tickets/submit/",
            {"csrfmiddlewaretoken": token, "queue": queue, "title": item["subject"], "body": item["body"],
             "submitter_email": item["email"], "priority": item["priority"], "due_date": ""},
            item["lang"],
        )  # fmt: skip
        if status != 302 or "ticket=" not in headers.get("location", ""):
            raise RequestFailed("form_post", status, data)


class Comptoir(Target):
    table = "tickets_ticket"

    def __init__(self, embedded: bool, src: Path) -> None:
        super().__init__()
        self.embedded = embedded
        self.src = src
        self.key = "embedded" if embedded else "web"
        self.label = "Comptoir `run` (web + worker)" if embedded else "Comptoir `run --no-worker` + `worker`"
        self.data_dir = HTTP_WORK / f"comptoir-{self.key}"
        self.token = ""

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in COMPTOIR_ENV_DROP}
        env.update(
            COMPTOIR_DATA_DIR=str(self.data_dir), COMPTOIR_SECRET_KEY=SECRET_KEY,
            # the public form allows 10 posts a minute per address; the clients all come from 127.0.0.1.
            # COMPTOIR_RATELIMIT=0 turns the limits off; code older than that setting (--src of an
            # earlier commit) gets rates that no run reaches instead
            COMPTOIR_RATELIMIT="0", COMPTOIR_PORTAL_RATE="1000000/s", COMPTOIR_LOGIN_RATE="1000000/s",
            PYTHONPATH=os.pathsep.join([str(self.src), *filter(None, [os.environ.get("PYTHONPATH")])]),
        )  # fmt: skip
        return env

    def comptoir(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "comptoir", *args]

    def setup(self) -> None:
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.data_dir.mkdir(parents=True)
        # cwd = the data dir: `python -m` puts the working directory first on sys.path, and the
        # checkout's comptoir/ must not shadow a --src snapshot
        run_checked(self.comptoir("migrate", "-v0"), self.env(), self.data_dir, "comptoir migrate")
        out = run_checked(
            self.comptoir("agent", "add", "bench.agent@example.com", "--name", "Bench Agent",
                          "--team", "Support", "--token"),
            self.env(), self.data_dir, "comptoir agent add",
        )  # fmt: skip
        self.token = out.strip().splitlines()[-1].strip()
        self.db_path = self.data_dir / "comptoir.sqlite3"
        con = sqlite3.connect(str(self.db_path))
        try:
            mode = con.execute("PRAGMA journal_mode").fetchone()[0]
        finally:
            con.close()
        self.notes.append(f"SQLite journal_mode={mode} (Comptoir's settings: synchronous=NORMAL, IMMEDIATE)")
        if "COMPTOIR_RATELIMIT" not in (self.src / "comptoir" / "settings.py").read_text():
            self.notes.append("this code has no COMPTOIR_RATELIMIT: rate limits on, at 1000000/s")

    def start(self) -> None:
        if self.embedded:
            cmd = self.comptoir(
                "run", "--host", "127.0.0.1", "--port", str(self.port), "--threads", str(THREADS)
            )
            self.procs = [Proc("run", cmd, self.env(), self.data_dir, HTTP_WORK / "comptoir-embedded.log")]
        else:
            cmd = self.comptoir(
                "run",
                "--no-worker",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--threads",
                str(THREADS),
            )
            self.procs = [
                Proc("web", cmd, self.env(), self.data_dir, HTTP_WORK / "comptoir-web.log"),
                Proc("worker", self.comptoir("worker"), self.env(), self.data_dir, HTTP_WORK / "comptoir-worker.log"),
            ]  # fmt: skip
        wait_http(self.port, "/", self.procs)

    def pending_tasks(self) -> int | None:
        """Tasks the worker still has to run now (READY and due, or RUNNING); None: no such table."""
        assert self.db_path
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        con = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(
                # run_after is a "datetime" column (numeric affinity): compare it as text, the
                # backend's "no delay" is the year 9999
                f"SELECT count(*) FROM {TASKS_TABLE} WHERE status = 'RUNNING' OR (status = 'READY' "
                "AND (substr(run_after, 1, 4) = '9999' OR CAST(run_after AS TEXT) <= ?))",
                (now,),
            ).fetchone()[0]
        except sqlite3.OperationalError:
            return None
        finally:
            con.close()

    def api_client(self) -> Browser:
        return Browser(self.port, {"Authorization": f"Bearer {self.token}"})

    def api_ticket(self, b: Browser, item: dict) -> None:
        t = b.json(
            "ticket_post", "POST", "/api/v1/tickets",
            {"subject": item["subject"], "body": item["body"], "channel": "api",
             "customer": {"name": item["name"], "email": item["email"], "language": item["lang"]}},
            201, {"Idempotency-Key": uuid.uuid4().hex},
        )  # fmt: skip
        ref = t.get("reference")
        if not ref:
            raise RequestFailed("ticket_post", "no reference", json.dumps(t))
        m = b.json(
            "reply_post", "POST", f"/api/v1/tickets/{ref}/messages",
            {"body": item["reply"], "visibility": "public"}, 201,
        )  # fmt: skip
        if not m:
            raise RequestFailed("reply_post", "empty answer")

    def form_ticket(self, b: Browser, item: dict) -> None:
        html = b.page("form_get", "/", item["lang"])
        token = hidden_value(html, "csrfmiddlewaretoken")
        submission = hidden_value(html, "submission_id")
        if not token:
            raise RequestFailed("form_get", "no CSRF token in the form", html[:300])
        status, headers, data = b.form(
            "form_post", "/",
            {"csrfmiddlewaretoken": token, "name": item["name"], "email": item["email"], "phone": "",
             "subject": item["subject"], "description": item["body"], "submission_id": submission or ""},
            item["lang"],
        )  # fmt: skip
        if status != 302 or "/submitted/" not in headers.get("location", ""):
            raise RequestFailed("form_post", status, data)


# The peer project has no wsgi.py: this shim serves it. Mail goes to the locmem backend, whose
# outbox would grow for the whole run inside the server (the peer's own harness empties it every
# 100 tickets); it is emptied after each request so the server's memory is the application's.
PEER_WSGI = '''"""WSGI entry point of shared/peer-bench's peerdesk project (written by bench/peer_http.py)."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerdesk.settings")

from django.core import mail  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

_application = get_wsgi_application()


def application(environ, start_response):
    try:
        return _application(environ, start_response)
    finally:
        outbox = getattr(mail, "outbox", None)
        if outbox:
            outbox.clear()
'''

PEER_SETUP = f'''"""Fresh peer database: migrate, the superuser agent, the peer harness's queues (bench/peer_http.py)."""
import json
import os
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerdesk.settings")
import django  # noqa: E402

django.setup()
from importlib.metadata import version  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

db = Path(settings.DATABASES["default"]["NAME"])
connection.close()
for suffix in ("", "-wal", "-shm", "-journal"):
    Path(str(db) + suffix).unlink(missing_ok=True)
call_command("migrate", verbosity=0)
from helpdesk.models import Queue  # noqa: E402

admin = get_user_model().objects.create_superuser("agent", "agent@example.com", {PEER_PASSWORD!r})
admin.first_name, admin.last_name = "Alice", "Agent"
admin.save()
queues = [
    Queue.objects.create(title="Support FR", slug="support-fr", allow_public_submission=True),
    Queue.objects.create(title="Support EN", slug="support-en", allow_public_submission=True),
    Queue.objects.create(title="Facturation / Billing", slug="billing", allow_public_submission=True),
]
with connection.cursor() as c:
    c.execute("PRAGMA journal_mode")
    journal = c.fetchone()[0]
    c.execute("PRAGMA synchronous")
    sync = {{0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}}.get(c.fetchone()[0])
print(json.dumps({{"db": str(db), "queues": {{q.slug: q.id for q in queues}}, "journal_mode": journal,
                  "synchronous": sync, "version": version("django-helpdesk"), "django": django.get_version()}}))
'''


# ----------------------------------------------------------------------------------------------
# load
# ----------------------------------------------------------------------------------------------
def run_segment(target: Target, workload: str, nclients: int, items: list[dict]) -> dict:
    """N tickets of one workload on one server, with nclients concurrent clients (threads)."""
    chunks = [items[i::nclients] for i in range(nclients)]
    make = target.api_client if workload == "api" else target.form_client
    do = target.api_ticket if workload == "api" else target.form_ticket
    browsers = [make() for _ in range(nclients)]
    ok = [0] * nclients
    errors: list[list[str]] = [[] for _ in range(nclients)]
    barrier = threading.Barrier(nclients + 1)

    def client(i: int) -> None:
        barrier.wait()
        for item in chunks[i]:
            try:
                do(browsers[i], item)
            except RequestFailed as exc:
                errors[i].append(str(exc))
            except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
                errors[i].append(f"{type(exc).__name__}: {exc}")
            else:
                ok[i] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(nclients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    for b in browsers:
        b.close()
    lat: dict[str, list[float]] = {}
    for b in browsers:
        for what, values in b.latencies.items():
            lat.setdefault(what, []).extend(values)
    all_errors = [e for errs in errors for e in errs]
    out = {
        "n": len(items), "ok": sum(ok), "errors": len(all_errors), "error_samples": all_errors[:5],
        "seconds": seconds, "tickets_per_s": sum(ok) / seconds if seconds else None,
        "latency_ms": {
            what: {"n": len(v), "p50": pct(v, 50) * 1e3, "p95": pct(v, 95) * 1e3}  # type: ignore[operator]
            for what, v in lat.items()
        },
    }  # fmt: skip
    return out


def drain(target: Target, timeout: float = 180.0) -> float | None:
    """Seconds until the worker has run every task due (None: nothing to wait for)."""
    t0 = time.perf_counter()
    pending = target.pending_tasks()
    if pending is None:
        return None
    while pending:
        if time.perf_counter() - t0 > timeout:
            target.notes.append(f"{pending} tasks still pending {timeout:.0f} s after a segment")
            break
        target.check_alive()
        time.sleep(0.1)
        pending = target.pending_tasks()
    return time.perf_counter() - t0


# ----------------------------------------------------------------------------------------------
# in-process cost per request (a child process: Django test Client, Comptoir's settings)
# ----------------------------------------------------------------------------------------------
PHASE_ORDER = [
    "auth", "validation", "intake", "customer", "ticket", "history", "sla", "triage", "assignment",
    "outbox/notify", "commit", "rendering", "comptoir (other)", "framework",
]  # fmt: skip


def _phase_of(path: str, func: str) -> str | None:
    """Which part of a request a Python function belongs to (None: the caller's part)."""
    p = path.replace("\\", "/")
    if "/comptoir/" in p:
        if "/comptoir/api/auth" in p or ("/comptoir/accounts/" in p and ("token" in func or "auth" in func)):
            return "auth"
        if "/comptoir/intake/" in p:
            return "intake"
        if "/comptoir/customers/" in p:
            return "customer"
        if "/comptoir/tickets/" in p and ("event" in func or "history" in func):
            return "history"
        if "/comptoir/sla/" in p or p.endswith("/comptoir/tickets/sla.py"):
            return "sla"
        if (
            "/comptoir/outbox/" in p
            or "/comptoir/tickets/notifications" in p
            or "/comptoir/channels/" in p
            or p.endswith("/comptoir/common/tasks.py")  # task rows queued with the change
        ):
            return "outbox/notify"
        if "/comptoir/triage/" in p or "/comptoir/nlp/" in p:
            return "triage"
        if "/comptoir/assignment/" in p or "/comptoir/routing/" in p:
            return "assignment"
        if "/comptoir/tickets/" in p:
            return "ticket"
        if "/comptoir/api/serializers" in p or "/templates/" in p:
            return "rendering"
        return "comptoir (other)"
    if "/django_tasks" in p:
        return "outbox/notify"
    if "/django/contrib/auth/" in p or "/django/contrib/sessions/" in p or "/django/middleware/csrf" in p:
        return "auth"
    if (
        "/ninja/signature/" in p
        or "/pydantic/" in p
        or (
            "/django/forms/" in p
            and func in ("full_clean", "is_valid", "_clean_fields", "_clean_form", "errors")
        )
    ):
        return "validation"
    if p.endswith("/django/db/transaction.py") and func == "__exit__":
        return "commit"
    if (
        "/django/template/" in p
        or "/template_partials/" in p
        or "/ninja/renderers" in p
        or (p.endswith("/django/shortcuts.py") and func == "render")
    ):
        return "rendering"
    return None


class PhaseProfiler:
    """Exclusive time by (phase, kind) through sys.setprofile; the innermost classified frame wins.

    kind: "sql" (the database driver's execute/commit, in C), "orm" (Python under django/db, i.e.
    building and compiling queries, reading rows), "python" (everything else).
    """

    def __init__(self) -> None:
        self.acc: dict[tuple[str, str], float] = {}
        self.cache: dict[object, str | None] = {}
        self.stack: list[tuple[str, str]] = [("framework", "python")]
        self.last = 0.0
        import sqlite3 as _sqlite3

        self.db_types: tuple = (_sqlite3.Cursor, _sqlite3.Connection)
        try:
            import psycopg

            self.db_types += (psycopg.Cursor, psycopg.Connection)
        except ImportError:
            pass

    def _enter(self, code) -> tuple[str, str]:  # type: ignore[no-untyped-def]
        phase, kind = self.stack[-1]
        try:
            found = self.cache[code]
        except KeyError:
            found = self.cache[code] = _phase_of(code.co_filename, code.co_name)
        path = code.co_filename
        if "/django/db/" in path:
            kind = "orm"
        elif "/comptoir/" in path:
            kind = "python"
        return (found or phase, kind)

    def _c_enter(self, fn) -> tuple[str, str]:  # type: ignore[no-untyped-def]
        phase, kind = self.stack[-1]
        name = getattr(fn, "__name__", "")
        if name in ("execute", "executemany", "commit", "fetchmany", "fetchone", "fetchall") and isinstance(
            getattr(fn, "__self__", None), self.db_types
        ):
            return ("commit" if name == "commit" else phase, "sql")
        return (phase, kind)

    def __call__(self, frame, event, arg):  # type: ignore[no-untyped-def]
        now = time.perf_counter()
        top = self.stack[-1]
        self.acc[top] = self.acc.get(top, 0.0) + (now - self.last)
        if event == "call":
            self.stack.append(self._enter(frame.f_code))
        elif event == "c_call":
            self.stack.append(self._c_enter(arg))
        elif len(self.stack) > 1:  # return, c_return, c_exception
            self.stack.pop()
        self.last = time.perf_counter()

    def run(self, fn):  # type: ignore[no-untyped-def]
        self.stack = [("framework", "python")]
        self.last = time.perf_counter()
        sys.setprofile(self)
        try:
            return fn()
        finally:
            sys.setprofile(None)


def profile_child(out_path: Path, k: int) -> None:
    """Runs inside a child process with Comptoir's environment: SQL and time by phase per request."""
    import cProfile
    import io
    import pstats
    from contextlib import redirect_stdout

    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import comptoir
    from comptoir.console import demo_data

    call_command("migrate", verbosity=0)
    buf = io.StringIO()
    with redirect_stdout(buf):
        call_command("agent", "add", "profile.agent@example.com", "--name", "Profile Agent",
                     "--team", "Support", "--token")  # fmt: skip
    token = buf.getvalue().strip().splitlines()[-1].strip()
    pkg = str(Path(comptoir.__file__).resolve().parent)
    api = Client(headers={"authorization": f"Bearer {token}"})
    anon = Client(enforce_csrf_checks=True)  # CSRF checked, as over HTTP
    rng = random.Random(7)
    items = iter(make_items(demo_data, rng, 100 * k + 50, "prof"))

    def new_ticket() -> str:
        it = next(items)
        payload = {"subject": it["subject"], "body": it["body"], "channel": "api",
                   "customer": {"name": it["name"], "email": it["email"], "language": it["lang"]}}  # fmt: skip
        r = api.post("/api/v1/tickets", data=json.dumps(payload), content_type="application/json",
                     headers={"idempotency-key": uuid.uuid4().hex})  # fmt: skip
        assert r.status_code == 201, (r.status_code, r.content[:300])
        return r.json()["reference"]

    def prepare(kind: str):  # type: ignore[no-untyped-def]
        """(request callable, expected status): prerequisites done here, outside the measure."""
        it = next(items)
        if kind == "api_ticket_post":
            payload = json.dumps(
                {"subject": it["subject"], "body": it["body"], "channel": "api",
                 "customer": {"name": it["name"], "email": it["email"], "language": it["lang"]}}
            )  # fmt: skip
            key = uuid.uuid4().hex
            return lambda: api.post("/api/v1/tickets", data=payload, content_type="application/json",
                                    headers={"idempotency-key": key}), 201  # fmt: skip
        if kind == "api_reply_post":
            ref = new_ticket()
            body = json.dumps({"body": it["reply"], "visibility": "public"})
            return lambda: api.post(f"/api/v1/tickets/{ref}/messages", data=body,
                                    content_type="application/json"), 201  # fmt: skip
        if kind == "form_get":
            return lambda: anon.get("/", headers={"accept-language": it["lang"]}), 200
        page = anon.get("/", headers={"accept-language": it["lang"]}).content.decode()
        data = {"csrfmiddlewaretoken": hidden_value(page, "csrfmiddlewaretoken"), "name": it["name"],
                "email": it["email"], "phone": "", "subject": it["subject"], "description": it["body"],
                "submission_id": hidden_value(page, "submission_id") or ""}  # fmt: skip
        return lambda: anon.post("/", data, headers={"accept-language": it["lang"]}), 302

    def once(kind: str, wrap=None):  # type: ignore[no-untyped-def]
        fn, expect = prepare(kind)
        r = wrap(fn) if wrap else fn()
        assert r.status_code == expect, (kind, r.status_code, r.content[:400])
        return r

    kinds = ["api_ticket_post", "api_reply_post", "form_get", "form_post"]
    for kind in kinds:  # warm-up: templates, caches, first imports
        for _ in range(3):
            once(kind)
    res: dict = {"k": k, "package": pkg, "requests": {}}
    for kind in kinds:
        entry: dict = {}
        captured: list = []

        def capture(fn, captured=captured):  # type: ignore[no-untyped-def]
            with CaptureQueriesContext(connection) as ctx:
                r = fn()
            captured.extend(ctx.captured_queries)
            return r

        once(kind, capture)
        mix: dict[str, int] = {}
        for q in captured:
            m = KIND_RE.match(q["sql"])
            word = m.group(1).upper() if m else "?"
            mix[word] = mix.get(word, 0) + 1
        entry["statements"] = len(captured)
        entry["mix"] = mix
        entry["sql"] = [q["sql"][:200] for q in captured]
        walls = []
        for _ in range(k):
            fn, expect = prepare(kind)
            t = time.perf_counter()
            r = fn()
            walls.append(time.perf_counter() - t)
            assert r.status_code == expect
        entry["wall_ms_p50"] = pct(walls, 50) * 1e3  # type: ignore[operator]
        entry["wall_ms_p95"] = pct(walls, 95) * 1e3  # type: ignore[operator]
        prof = PhaseProfiler()
        for _ in range(k):
            once(kind, prof.run)
        total = sum(prof.acc.values()) or 1.0
        phases: dict[str, dict] = {}
        for (phase, kd), sec in prof.acc.items():
            ph = phases.setdefault(phase, {"share": 0.0, "sql": 0.0, "orm": 0.0, "python": 0.0})
            ph["share"] += sec / total
            ph[kd] += sec / total
        entry["phases"] = phases
        entry["profiled_ms_per_request"] = total / k * 1e3
        cp = cProfile.Profile()
        for _ in range(k):
            once(kind, lambda fn, cp=cp: cp.runcall(fn))
        stats = pstats.Stats(cp).stats  # type: ignore[attr-defined]
        own = []
        top_tottime = []
        for (filename, line, func), (_cc, nc, tt, ct, _callers) in stats.items():
            where = re.sub(r" at 0x[0-9a-f]+", "", f"{Path(filename).name}:{line} {func}")
            if filename.startswith(pkg) and not (func == "__call__" and "middleware" in filename):
                rel = os.path.relpath(filename, os.path.dirname(pkg))
                own.append({"function": f"{rel}:{line} {func}", "cum_ms": ct / k * 1e3, "calls": nc / k})
            top_tottime.append({"function": where, "own_ms": tt / k * 1e3, "calls": nc / k})
        own.sort(key=lambda x: -x["cum_ms"])
        top_tottime.sort(key=lambda x: -x["own_ms"])
        entry["comptoir_functions_by_cumulative"] = own[:20]
        entry["functions_by_own_time"] = top_tottime[:15]
        entry["cprofile_ms_per_request"] = sum(v[2] for v in stats.values()) / k * 1e3
        res["requests"][kind] = entry
        print(f"profile {kind}: {entry['statements']} SQL, p50 {entry['wall_ms_p50']:.2f} ms", flush=True)
    out_path.write_text(json.dumps(res, indent=2))


# ----------------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------------
def summarise(res: dict) -> None:
    """Medians over rounds per (workload, clients, server), ratios to the peer, target checks."""
    summary: dict = {}
    for seg in res["segments"]:
        key = f"{seg['workload']}-{seg['clients']}"
        s = summary.setdefault(key, {}).setdefault(
            seg["target"], {"rates": [], "errors": 0, "drain_s": [], "lat": {}, "with_drain": []}
        )
        s["rates"].append(seg["tickets_per_s"])
        s["errors"] += seg["errors"]
        if seg.get("drain_s") is not None:
            s["drain_s"].append(seg["drain_s"])
            s["with_drain"].append(seg["ok"] / (seg["seconds"] + seg["drain_s"]))
        for what, v in seg["latency_ms"].items():
            s["lat"].setdefault(what, {"p50": [], "p95": []})
            s["lat"][what]["p50"].append(v["p50"])
            s["lat"][what]["p95"].append(v["p95"])
    for by_target in summary.values():
        for s in by_target.values():
            rates = [r for r in s["rates"] if r is not None]
            s["median"] = statistics.median(rates) if rates else None
            s["median_with_drain"] = statistics.median(s["with_drain"]) if s["with_drain"] else None
            s["latency_ms"] = {
                w: {"p50": statistics.median(v["p50"]), "p95": statistics.median(v["p95"])}
                for w, v in s.pop("lat").items()
            }
        peer = by_target.get("peer", {}).get("median")
        for name, s in by_target.items():
            s["ratio_to_peer"] = s["median"] / peer if peer and s["median"] and name != "peer" else None
            s["meets_5x"] = None if s["ratio_to_peer"] is None else s["ratio_to_peer"] >= TARGET_RATIO
    res["summary"] = summary
    res["errors_total"] = sum(seg["errors"] for seg in res["segments"])


def render_md(res: dict) -> str:
    lines = [
        "# Comptoir vs django-helpdesk over real HTTP (issue 9, targets 1 and 3)",
        "",
        f"Command: `{res['command']}`  ",
        f"Started {res['started']} UTC, finished {res.get('finished', '?')} UTC; {res['machine']['cpus']} CPUs, "
        f"load average {res['loadavg']['start']} at the start, {res['loadavg'].get('end')} at the end "
        "(above the number of CPUs, other work shared the machine).  ",
        f"Code measured: {res['source']['tree']}.  ",
        f"N = {res['n']} tickets per round and per (workload, clients, server); {res['rounds']} rounds, "
        "servers in a rotating order each round; medians over the rounds.  ",
        *[
            f"{res['targets'][t]['label']}: {note}  "
            for t in res["targets"]
            for note in res["targets"][t]["notes"]
        ],
        "",
        "Every server is a real process on 127.0.0.1 under waitress with 8 threads; clients are threads",
        "of the harness, each with one keep-alive connection. *api*: a ticket created through the JSON",
        "API then an agent's public reply on it (Comptoir `POST /api/v1/tickets` with a bearer token and",
        "an Idempotency-Key, then `POST /api/v1/tickets/{ref}/messages`; the peer `POST /api/tickets/`",
        f"then `POST /api/followups/`, authenticated by {res['peer_auth_note']}). *form*: an anonymous",
        "visitor GETs the public form (CSRF cookie and token, Comptoir's submission id) then posts it",
        "(Comptoir `/`, the peer `/tickets/submit/`); both requests count. tickets/s counts tickets",
        "whose every response was checked (status, and the ticket's reference / id / redirect).",
        "Comptoir's rate limit is off in its server processes (`COMPTOIR_RATELIMIT=0`), as",
        "`RATELIMIT_ENABLE=False` in bench/run.py. *after drain*: tickets over the segment's time plus",
        "the time until the worker had run every due task (enrichment, acknowledgments) of that segment.",
        "",
        "## Throughput (tickets/s, median of rounds)",
        "",
        "| workload | clients | server | tickets/s | rounds | × peer | ≥ 5× | after drain | p50 / p95 ms per request | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, by_target in res["summary"].items():
        workload, clients = key.split("-")
        for name in res["target_order"]:
            s = by_target.get(name)
            if not s:
                continue
            lat = "; ".join(f"{w} {fmt(v['p50'])} / {fmt(v['p95'])}" for w, v in s["latency_ms"].items())
            mark = {True: "yes", False: "**no**", None: ""}[s["meets_5x"]]
            lines.append(
                f"| {workload} | {clients} | {res['targets'][name]['label']} | **{fmt(s['median'])}** | "
                f"{', '.join(fmt(r) for r in s['rates'])} | {fmt(s['ratio_to_peer'], 2)} | {mark} | "
                f"{fmt(s['median_with_drain'])} | {lat} | {s['errors']} |"
            )
    lines += ["", f"Errors in the whole run: **{res['errors_total']}**."]
    samples = [
        f"- {seg['target']} {seg['workload']}×{seg['clients']} round {seg['round']}: {e}"
        for seg in res["segments"] for e in seg["error_samples"]
    ]  # fmt: skip
    if samples:
        lines += ["", "First errors:", "", *samples[:20]]
    lines += [
        "",
        "Tickets in each database at the end (warm-up included) against the tickets answered as made:",
        "",
    ]
    for name, chk in res["db_check"].items():
        ok = "ok" if chk["in_db"] == chk["expected"] else "**MISMATCH**"
        lines.append(
            f"- {res['targets'][name]['label']}: {chk['in_db']} in the database, {chk['expected']} expected ({ok})"
        )

    lines += [
        "",
        "## Memory (peak RSS, VmHWM of /proc/PID/status, MiB)",
        "",
        "| server | process | after start + warm-up | after the load | RSS at the end | target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    targets_mib = {("web", "web"): TARGET_WEB_MIB, ("embedded", "run"): TARGET_EMBEDDED_MIB}
    for name in res["target_order"]:
        mem = res["targets"][name]["memory"]
        for role, after in mem.get("after_load", {}).items():
            before = mem.get("after_warmup", {}).get(role, {})
            target = targets_mib.get((name, role))
            verdict = ""
            if target is not None and after.get("VmHWM") is not None:
                verdict = f"≤ {target:.0f}: " + ("yes" if after["VmHWM"] <= target else "**no**")
            elif name == "peer":
                verdict = "(the issue measured ~77)"
            lines.append(
                f"| {res['targets'][name]['label']} | {role} | {fmt(before.get('VmHWM'))} | "
                f"**{fmt(after.get('VmHWM'))}** | {fmt(after.get('VmRSS'))} | {verdict} |"
            )

    prof = res.get("profile")
    if prof:
        lines += [
            "",
            "## Cost per Comptoir request (in-process, Django test Client, the same settings)",
            "",
            f"A child process with Comptoir's environment (fresh SQLite database, database task backend, "
            f"no worker, rate limit off, CSRF enforced on the form) runs each request {prof['k']} times after "
            "a warm-up. *SQL*: statements of one request (CaptureQueriesContext). *wall*: uninstrumented. "
            "*Phases*: exclusive time under a sys.setprofile profiler, the innermost recognised frame "
            "wins (auth: token lookup, session, CSRF; validation: django-ninja/pydantic, form cleaning; "
            "intake, customer, ticket, history (event/history functions), sla, triage, assignment, "
            "outbox/notify (outbox, notifications, task enqueue): Comptoir's apps; commit: leaving the "
            "transaction, on-commit hooks excluded; rendering: templates, serialisers, JSON; framework: "
            "middleware, routing, WSGI), each split into *sql* (the driver executing), *orm* (Python "
            "under django/db: building and compiling queries, reading rows) and *python*. Shares are of "
            "the instrumented time; *≈ ms* scales them to the uninstrumented p50.",
            "",
            "| request | SQL statements | statement mix | wall p50 / p95 ms |",
            "| --- | --- | --- | --- |",
        ]
        for kind, e in prof["requests"].items():
            mix = ", ".join(f"{k} {v}" for k, v in sorted(e["mix"].items(), key=lambda kv: -kv[1]))
            lines.append(
                f"| {kind} | {e['statements']} | {mix} | {fmt(e['wall_ms_p50'], 2)} / {fmt(e['wall_ms_p95'], 2)} |"
            )
        lines += [
            "",
            "Time by phase (share of the request, ≈ ms; of which sql / orm / python):",
            "",
            "| phase | " + " | ".join(prof["requests"]) + " |",
            "| --- |" + " --- |" * len(prof["requests"]),
        ]
        for phase in PHASE_ORDER:
            cells = []
            seen = False
            for e in prof["requests"].values():
                ph = e["phases"].get(phase)
                if not ph or ph["share"] < 0.005:
                    cells.append("")
                    continue
                seen = True
                cells.append(
                    f"{ph['share'] * 100:.0f} % ≈{ph['share'] * e['wall_ms_p50']:.2f} ms "
                    f"({ph['sql'] * 100:.0f}/{ph['orm'] * 100:.0f}/{ph['python'] * 100:.0f})"
                )
            if seen:
                lines.append(f"| {phase} | " + " | ".join(cells) + " |")
        for kind, e in prof["requests"].items():
            lines += [
                "",
                f"### {kind}",
                "",
                f"Comptoir's own functions by cumulative time (cProfile, ms per request; the profiled request "
                f"takes {e['cprofile_ms_per_request']:.1f} ms under cProfile):",
                "",
                "| function | cum ms | calls |",
                "| --- | --- | --- |",
                *[
                    f"| `{f['function']}` | {f['cum_ms']:.2f} | {f['calls']:g} |"
                    for f in e["comptoir_functions_by_cumulative"][:12]
                ],
                "",
                "Functions by own time (any package):",
                "",
                "| function | own ms | calls |",
                "| --- | --- | --- |",
                *[
                    f"| `{re.sub(r' at 0x[0-9a-f]+', '', f['function'])}` | {f['own_ms']:.2f} | {f['calls']:g} |"
                    for f in e["functions_by_own_time"][:10]
                ],
                "",
                f"SQL of one request ({e['statements']} statements):",
                "",
                "```sql",
                *[s.replace("\n", " ") for s in e["sql"]],
                "```",
            ]
    elif res.get("profile_error"):
        lines += ["", "## Cost per Comptoir request", "", f"Not measured: {res['profile_error']}"]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Comptoir vs django-helpdesk over real HTTP")
    ap.add_argument("--n", type=int, default=300, help="tickets per round, per workload, clients and server")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", default="1,8", help="concurrent clients, comma-separated")
    ap.add_argument("--workloads", default="api,form")
    ap.add_argument(
        "--targets", default="peer,web,embedded", help="peer, web (run --no-worker + worker), embedded"
    )
    ap.add_argument("--quick", action="store_true", help="smoke run: N=16, 1 round, 3 profiled requests")
    ap.add_argument(
        "--src", default=str(ROOT), help="where comptoir is imported from; HEAD = the last commit"
    )
    ap.add_argument("--peer-dir", type=Path, default=DEFAULT_PEER_DIR)
    ap.add_argument(
        "--peer-auth", choices=["session", "basic"], default="session",
        help="the peer's API clients log in once (session + CSRF header), or send basic auth on every request",
    )  # fmt: skip
    ap.add_argument(
        "--profile-n", type=int, default=20, help="requests per kind in the cost-per-request part"
    )
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="", help="results name (default peer-http, quick runs peer-http-quick)")
    ap.add_argument("--render", default="", help="only rewrite the markdown of a results JSON file")
    ap.add_argument("--profile-child", default="", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.profile_child:
        profile_child(Path(args.profile_child), args.profile_n)
        return
    if args.render:
        path = Path(args.render)
        path.with_suffix(".md").write_text(render_md(json.loads(path.read_text())))
        return
    if args.quick:
        args.n, args.rounds, args.profile_n = 16, 1, 3
    clients = [int(c) for c in args.clients.split(",") if c.strip()]
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    out_name = args.out or ("peer-http-quick" if args.quick else "peer-http")
    command = " ".join([".venv/bin/python", "bench/peer_http.py", *(sys.argv[1:] if argv is None else argv)])

    # a TERM (a timeout, a kill) unwinds through the finally below, which stops the servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    src, source = source_dir(args.src)
    texts = load_texts(src)
    HTTP_WORK.mkdir(parents=True, exist_ok=True)
    targets: dict[str, Target] = {}
    for name in [t.strip() for t in args.targets.split(",") if t.strip()]:
        if name == "peer":
            targets[name] = Peer(args.peer_dir, args.peer_auth)
        elif name in ("web", "embedded"):
            targets[name] = Comptoir(name == "embedded", src)
        else:
            ap.error(f"unknown target {name}")
    res: dict = {
        "command": command,
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "loadavg": {"start": loadavg()},
        "source": {**source, "path": str(src)},
        "n": args.n, "rounds": args.rounds, "clients": clients, "workloads": workloads,
        "peer_auth_note": (
            "a session: each client logs in once through /login/ (not timed) and sends the CSRF header"
            if args.peer_auth == "session"
            else "HTTP basic auth on every request (a PBKDF2 password hash per request)"
        ),
        "target_order": list(targets),
        "segments": [],
    }  # fmt: skip
    log(f"code measured: {source['tree']}")
    try:
        for t in targets.values():
            log(f"setting up {t.label} ...")
            t.setup()
            t.start()
            log(f"  {t.label} on port {t.port}: " + ", ".join(f"{p.role} pid {p.pid}" for p in t.procs))
        # warm-up (not counted): first imports, templates, caches of every process
        warm_rng = random.Random(args.seed - 1)
        warm = {name: 0 for name in targets}
        for workload in workloads:
            items = make_items(texts, warm_rng, 6, f"warm-{workload}")
            for name, t in targets.items():
                seg = run_segment(t, workload, 2, items)
                warm[name] += seg["ok"]
                if seg["errors"]:
                    raise RuntimeError(f"warm-up failed on {t.label}: {seg['error_samples']}")
        for t in targets.values():
            drain(t)
            t.read_memory("after_warmup")
        res["loadavg"]["after_warmup"] = loadavg()

        made = dict(warm)
        names = list(targets)
        for rnd in range(args.rounds):
            order = names[rnd % len(names) :] + names[: rnd % len(names)]
            for workload in workloads:
                for c in clients:
                    rng = random.Random(f"{args.seed}-{rnd}-{workload}-{c}")
                    items = make_items(texts, rng, args.n, f"{workload}{c}r{rnd}")
                    for name in order:
                        t = targets[name]
                        t.check_alive()
                        seg = run_segment(t, workload, c, items)
                        seg["drain_s"] = drain(t)
                        made[name] += seg["ok"]
                        seg.update(target=name, workload=workload, clients=c, round=rnd + 1)
                        res["segments"].append(seg)
                        lat = ", ".join(f"{w} p50 {v['p50']:.1f} ms" for w, v in seg["latency_ms"].items())
                        drained = f", drain {seg['drain_s']:.1f} s" if seg["drain_s"] is not None else ""
                        log(
                            f"round {rnd + 1} {workload:4} ×{c} {name:8}: {fmt(seg['tickets_per_s'])} tickets/s "
                            f"({lat}{drained}), errors {seg['errors']}"
                        )
        for t in targets.values():
            t.read_memory("after_load")
        res["db_check"] = {
            name: {"in_db": t.tickets_in_db(), "expected": made[name]} for name, t in targets.items()
        }
    finally:
        for t in targets.values():
            t.stop()
    res["targets"] = {
        name: {"label": t.label, "notes": t.notes, "memory": t.memory, "port": t.port,
               "commands": [" ".join(p.cmd) for p in t.procs]}
        for name, t in targets.items()
    }  # fmt: skip
    res["loadavg"]["end"] = loadavg()
    summarise(res)

    if not args.no_profile:
        log("cost per request (in-process) ...")
        comptoir = Comptoir(False, src)
        comptoir.data_dir = HTTP_WORK / "comptoir-profile"
        shutil.rmtree(comptoir.data_dir, ignore_errors=True)
        comptoir.data_dir.mkdir(parents=True)
        prof_json = HTTP_WORK / "profile.json"
        env = comptoir.env()
        env["COMPTOIR_TASK_BACKEND"] = "django_tasks_db.DatabaseBackend"
        r = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--profile-child", str(prof_json), "--profile-n", str(args.profile_n)],
            env=env, cwd=comptoir.data_dir, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if r.returncode == 0:
            res["profile"] = json.loads(prof_json.read_text())
        else:
            res["profile_error"] = (r.stdout[-1500:] + r.stderr[-3000:]).strip()
            log(f"profile failed:\n{res['profile_error']}")
    res["finished"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"{out_name}.json").write_text(json.dumps(res, indent=2, default=str))
    (RESULTS_DIR / f"{out_name}.md").write_text(render_md(res))
    log("")
    for key, by_target in res["summary"].items():
        for name in res["target_order"]:
            s = by_target.get(name)
            if s:
                ratio = f" ({s['ratio_to_peer']:.2f}× peer)" if s.get("ratio_to_peer") else ""
                log(f"{key:8} {name:9} {fmt(s['median']):>8} tickets/s{ratio}")
    for name in res["target_order"]:
        for role, m in res["targets"][name]["memory"].get("after_load", {}).items():
            log(f"peak RSS {name}/{role}: {fmt(m.get('VmHWM'))} MiB")
    log(f"errors: {res['errors_total']}; db check: {res['db_check']}")
    log(f"results written to bench/results/{out_name}.json and .md")


if __name__ == "__main__":
    main()
