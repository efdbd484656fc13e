from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.common import config
from comptoir.customers.services import CustomerData
from comptoir.intake.services import InboundMessage, receive

from .factories import AgentFactory, TeamFactory
from .support import Inbox, free_port


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Files in a temporary folder, tasks run at enqueue, rate-limit counters reset."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Same counts as production, over an hour: rate-limit windows are aligned on the clock, and a
    # minute boundary falling inside a test would reset its counter halfway.
    settings.COMPTOIR_PORTAL_RATE = "10/h"
    settings.COMPTOIR_LOGIN_RATE = "10/h"
    cache.clear()
    config.reset()  # rows cached per process by a rolled-back test are gone
    yield
    cache.clear()
    config.reset()


@pytest.fixture
def team(db):
    return TeamFactory(name="Support")


@pytest.fixture
def agent(db, team):
    """An agent who may assign (a dispatcher); the level-1 default is tested in tests/assignment."""
    return AgentFactory(teams=[team], can_pick=True)


@pytest.fixture
def api_client(agent) -> Client:
    token = api_token_create(user=agent)
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def desk_client(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


@pytest.fixture
def make_ticket(db):
    """Create a ticket through the real intake pipeline, as a channel would."""
    counter = iter(range(10_000))

    def make(
        *,
        email: str | None = None,
        subject: str = "Facture incorrecte",
        body: str = "Bonjour, ma facture est fausse.",
        language: str = "fr",
        **kw,
    ):  # noqa: E501
        n = next(counter)
        result = receive(
            InboundMessage(
                channel=kw.pop("channel", "web"),
                customer=CustomerData(
                    name=kw.pop("name", "Élodie Tremblay"),
                    email=email or f"client{n}@example.test",
                    phone=kw.pop("phone", None),
                    language=language,
                ),
                subject=subject,
                text=body,
                language=language,
                **kw,
            )
        )
        # As the next read sees it: the enrichment (run at once by the tests' task backend) has
        # changed the row since intake built this object.
        result.ticket.refresh_from_db()
        return result.ticket

    return make


@pytest.fixture
def smtp_out(settings):
    """A real SMTP server on localhost receiving what Comptoir sends."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()
