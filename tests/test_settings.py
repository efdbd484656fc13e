"""Settings come from the environment: check the parsing in a fresh interpreter each time."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "d = settings.DATABASES['default'];"
    "print(json.dumps({'engine': d['ENGINE'], 'name': str(d['NAME']), 'options': d.get('OPTIONS', {}),"
    "'email_backend': settings.EMAIL_BACKEND, 'email_host': getattr(settings, 'EMAIL_HOST', ''),"
    "'email_port': getattr(settings, 'EMAIL_PORT', 0), 'email_user': settings.EMAIL_HOST_USER,"
    "'email_password': settings.EMAIL_HOST_PASSWORD, 'tls': settings.EMAIL_USE_TLS,"
    "'base_url': settings.BASE_URL, 'debug': settings.DEBUG, 'secure': settings.SESSION_COOKIE_SECURE,"
    "'secret': settings.SECRET_KEY}))"
)


def probe(tmp_path, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
    clean.update(DJANGO_SETTINGS_MODULE="comptoir.settings", COMPTOIR_DATA_DIR=str(tmp_path), **env)
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_embedded_defaults(tmp_path):
    s = probe(tmp_path)
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(tmp_path / "comptoir.sqlite3")
    assert "journal_mode=WAL" in s["options"]["init_command"]
    assert s["options"]["transaction_mode"] == "IMMEDIATE" and s["options"]["timeout"] >= 5
    assert s["email_backend"] == "comptoir.outbox.mail_capture.CaptureBackend"
    assert s["debug"] is False and s["secure"] is False
    # A per-installation secret, generated once and kept.
    assert len(s["secret"]) >= 50 and probe(tmp_path)["secret"] == s["secret"]
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_environment_overrides(tmp_path):
    s = probe(
        tmp_path,
        COMPTOIR_DATABASE_URL="postgres://u:pw@db.example:5433/comptoir",
        COMPTOIR_EMAIL_URL="smtp+tls://mailer:p%40ss@127.0.0.1:2525",
        COMPTOIR_BASE_URL="https://help.example.org",
        COMPTOIR_SECRET_KEY="from-the-environment",
        COMPTOIR_DEBUG="1",
    )
    assert s["engine"] == "django.db.backends.postgresql" and s["name"] == "comptoir"
    assert s["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (s["email_host"], s["email_port"], s["email_user"]) == ("127.0.0.1", 2525, "mailer")
    assert s["email_password"] == "p@ss" and s["tls"] is True
    assert s["base_url"] == "https://help.example.org" and s["secure"] is True
    assert s["secret"] == "from-the-environment" and s["debug"] is True


def test_async_safety_check_is_on_outside_the_browser_tests():
    """The browser tests switch Django's async-safety check off for their package only.

    This test uses no database, so pytest-django runs it after the browser tests (which use the
    transactional database): a flag leaked from there is caught here.
    """
    import asyncio

    from django.core.exceptions import SynchronousOnlyOperation
    from django.utils.asyncio import async_unsafe

    @async_unsafe
    def orm_like_call() -> int:
        return 1

    async def call_inside_a_loop() -> None:
        orm_like_call()

    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ
    assert orm_like_call() == 1  # fine outside a running loop
    with pytest.raises(SynchronousOnlyOperation):
        asyncio.run(call_inside_a_loop())
