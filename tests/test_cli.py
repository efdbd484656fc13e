from __future__ import annotations

import email
import email.policy
import http.cookiejar
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from comptoir.accounts.models import User
from comptoir.console.demo_data import ANGRY, TOPICS
from comptoir.routing.models import Team
from comptoir.tickets.models import Category, Ticket

from .support import free_port

COMPTOIR = shutil.which("comptoir") or str(Path(sys.executable).with_name("comptoir"))


@pytest.mark.django_db
def test_agent_add_creates_team_and_prints_token_last():
    out = io.StringIO()
    call_command(
        "agent",
        "add",
        "lea@example.test",
        "--name",
        "Léa Morin",
        "--team",
        "Niveau 2",
        "--level",
        "2",
        "--token",
        stdout=out,
    )  # noqa: E501
    token = out.getvalue().strip().splitlines()[-1]
    user = User.objects.get(email="lea@example.test")
    assert user.level == 2 and user.is_agent
    assert Team.objects.get(name="Niveau 2") in user.teams.all()
    response = Client().get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_agent_add_help_documents_supervisor_and_admin():
    shown = subprocess.run(  # noqa: S603
        [COMPTOIR, "agent", "add", "--help"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert "--supervisor" in shown and "--admin" in shown


@pytest.mark.fault("issue8-3")
@pytest.mark.django_db
def test_agent_add_makes_supervisors_and_administrators_and_names_the_default_team_once():
    def add(email: str, *flags: str) -> str:
        out = io.StringIO()
        call_command("agent", "add", email, "--name", email.split("@")[0], "--team", "Niveau 1", *flags,
                     "--password", "pw-123456", stdout=out)  # fmt: skip
        return out.getvalue()

    first = add("un@example.test")
    assert "New tickets land in team Niveau 1 (the default team)." in first
    boss = add("chef@example.test", "--supervisor")
    assert "New tickets land" not in boss  # the team was already the default
    add("root@example.test", "--admin")
    plain, chef, root = (User.objects.get(email=f"{n}@example.test") for n in ("un", "chef", "root"))
    assert (plain.is_supervisor, plain.is_superuser) == (False, False)
    assert (chef.is_supervisor, chef.is_superuser) == (True, False)
    assert root.is_superuser and root.is_agent
    desk = Client(headers={"Accept-Language": "en"})
    desk.force_login(chef)
    assert desk.get("/desk/categories/").status_code == 200  # supervisors route categories
    assert desk.get("/admin/").status_code != 200
    desk.force_login(plain)
    assert desk.get("/desk/categories/").status_code == 403
    desk.force_login(root)
    assert desk.get("/admin/").status_code == 200
    add("un@example.test")  # adding again keeps what was granted elsewhere
    add("chef@example.test")
    assert User.objects.get(email="chef@example.test").is_supervisor


@pytest.mark.fault("issue8-3")
@pytest.mark.django_db
def test_demo_prints_a_supervisor_login():
    out = io.StringIO()
    call_command("demo", "--tickets", "5", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if "supervisor" in line]
    assert len(lines) == 1
    email = lines[0].split()[0]
    supervisor = User.objects.get(email=email)
    assert supervisor.is_supervisor and not supervisor.is_superuser
    desk = Client()
    assert desk.login(username=email, password="comptoir-demo")
    assert desk.get("/desk/categories/").status_code == 200


@pytest.mark.django_db
def test_demo_loads_bilingual_tickets_and_prints_logins():
    out = io.StringIO()
    call_command("demo", "--tickets", "30", stdout=out)
    assert "camille@demo.comptoir.test" in out.getvalue()
    assert Ticket.objects.count() == 30 + len(ANGRY)  # and the unhappy customers' tickets
    assert set(Ticket.objects.values_list("language", flat=True)) == {"fr", "en"}
    call_command("demo", stdout=io.StringIO())  # idempotent
    assert Ticket.objects.count() == 30 + len(ANGRY)
    client = Client()
    assert client.login(username="camille@demo.comptoir.test", password="comptoir-demo")


def _submit_form(port: int) -> None:
    """Post the public form as a browser would: CSRF cookie, token from the page, Referer."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/", timeout=5).read().decode()  # sets the cookie
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "name": "Inès", "email": "ines@example.test",
         "subject": "Coupure", "description": "Plus de courant."}
    ).encode()  # fmt: skip
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/", data=data, headers={"Referer": f"http://127.0.0.1:{port}/"}
    )  # noqa: E501
    assert cookie
    with opener.open(request, timeout=10) as r:  # noqa: S310
        assert "/submitted/" in r.geturl()


@pytest.mark.fault("issue9-walk")
def test_demo_on_a_fresh_data_dir_prepares_the_database(tmp_path):
    """`comptoir demo` in a new data directory, before any `migrate`: it used to die on
    "no such table: routing_team"; it prepares the database as `comptoir run` does."""
    env = {k: v for k, v in os.environ.items() if k != "COMPTOIR_DATABASE_URL"}
    env.update(COMPTOIR_DATA_DIR=str(tmp_path), COMPTOIR_SECRET_KEY="cli-test")
    shown = subprocess.run(  # noqa: S603
        [COMPTOIR, "demo", "--tickets", "3"], env=env, capture_output=True, text=True, timeout=300
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert "alex@demo.comptoir.test" in shown.stdout


def test_run_migrates_and_serves(tmp_path):
    """The real command in a subprocess: a fresh SQLite file, migrated, served over HTTP."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "COMPTOIR_DATABASE_URL"}
    env.update(COMPTOIR_DATA_DIR=str(tmp_path), COMPTOIR_SECRET_KEY="cli-test")
    proc = subprocess.Popen(  # noqa: S603
        [COMPTOIR, "run", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        body = b""
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:  # noqa: S310
                    body = r.read()
                break
            except OSError:
                time.sleep(0.5)
        assert b"<form" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5) as r:  # noqa: S310
            assert r.status == 200
        _submit_form(port)
        # The in-process worker sends the acknowledgment (captured in the database by default).
        db = sqlite3.connect(tmp_path / "comptoir.sqlite3")
        for _ in range(60):
            rows = db.execute("select recipients, subject from outbox_capturedemail").fetchall()
            if rows:
                break
            time.sleep(0.5)
        assert len(rows) == 1 and rows[0][0] == "ines@example.test" and "CPT-000001" in rows[0][1]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_check_deploy_is_clean_on_https_settings(tmp_path):
    # A deployment's environment: none of the test session's own variables (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE for themselves, which check --deploy rightly refuses).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPTOIR_", "DJANGO_"))}
    env.update(
        COMPTOIR_DATA_DIR=str(tmp_path),
        COMPTOIR_BASE_URL="https://support.example.org",
        COMPTOIR_SECRET_KEY="k" * 20 + "-deploy-check-" + "x" * 30,
    )
    result = subprocess.run(  # noqa: S603
        [COMPTOIR, "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _api_call(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310
        f"http://127.0.0.1:{port}{path}", data=data, method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=20) as r:  # noqa: S310
        return r.status, json.loads(r.read() or b"{}")


@pytest.mark.fault("issue8-13")
def test_run_without_base_url_links_to_the_port_it_serves_on(tmp_path):
    """`comptoir run --port P` with no COMPTOIR_BASE_URL: tracking links, in the API and in the
    acknowledgment the in-process worker sends, point at port P (not the default 8000)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("COMPTOIR_DATABASE_URL", "COMPTOIR_BASE_URL")}
    env.update(COMPTOIR_DATA_DIR=str(tmp_path), COMPTOIR_SECRET_KEY="cli-test")
    subprocess.run([COMPTOIR, "migrate", "-v0"], env=env, check=True, timeout=180)  # noqa: S603
    added = subprocess.run(  # noqa: S603
        [COMPTOIR, "agent", "add", "un@example.org", "--name", "Un", "--team", "Niveau 1", "--token"],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    token = added.stdout.strip().splitlines()[-1]
    proc = subprocess.Popen(  # noqa: S603
        [COMPTOIR, "run", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        for _ in range(120):
            try:
                _api_call(port, "GET", "/api/v1/openapi.json", token)
                break
            except OSError:
                time.sleep(0.5)
        status, ticket = _api_call(port, "POST", "/api/v1/tickets", token, {
            "subject": "Facture", "channel": "api", "body": "Bonjour, ma facture est fausse.",
            "customer": {"email": "client@example.org"},
        })  # fmt: skip
        assert status == 201
        assert ticket["tracking_url"].startswith(f"http://127.0.0.1:{port}/track/")
        db = sqlite3.connect(tmp_path / "comptoir.sqlite3")
        rows = []
        for _ in range(60):
            rows = db.execute("select raw from outbox_capturedemail").fetchall()
            if rows:
                break
            time.sleep(0.5)
        assert len(rows) == 1
        message = email.message_from_string(rows[0][0], policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert ticket["tracking_url"] in text
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.fault("issue8-12")
@pytest.mark.django_db
def test_demo_agents_can_take_their_next_ticket_and_the_data_is_usable():
    call_command("demo", "--tickets", "40", stdout=io.StringIO())
    juniors = User.objects.filter(email__endswith="@demo.comptoir.test", level=1, is_agent=True)
    assert juniors.count() == 3
    for agent in juniors:
        held = Ticket.objects.filter(assignee=agent, is_open=True).count()
        assert held < agent.capacity  # "next ticket" does not answer "over capacity"
        assert agent.mentor is not None and agent.mentor.level == 2  # paired with a senior
    assert not Category.objects.filter(team__isnull=True).exists()  # every category has its team
    assert not Ticket.objects.filter(team__isnull=True).exists()
    desk = Client()
    desk.force_login(juniors.get(email="camille@demo.comptoir.test"))
    response = desk.post("/desk/next/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and "/desk/tickets/" in response["Location"]
    angry = [subject for _language, _name, subject, _body in ANGRY]  # left to triage, on purpose
    for ticket in Ticket.objects.select_related("category").exclude(subject__in=angry):
        # The subject and the first message come from the same topic, which is the category.
        body = ticket.messages.order_by("id").first().body
        topics = {t.category for t in TOPICS if _matches(t.subjects[ticket.language], ticket.subject)}
        told = {t.category for t in TOPICS if any(p in body for p in t.problems[ticket.language])}
        assert topics == told == {ticket.category.slug}, (ticket.subject, body)


def _matches(templates: list[str], subject: str) -> bool:
    return any(re.fullmatch(re.sub(r"\\\{\w+\\\}", ".+", re.escape(t)), subject) for t in templates)
