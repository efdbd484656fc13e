"""The one masking function: every secret a message can carry is cut, the rest left readable."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from comptoir.outbox.redact import mask_secrets
from comptoir.outbox.services import make_message_id
from comptoir.tickets.tracking import make_token, reply_address, tracking_url

from ..factories import AgentFactory


def test_tracking_and_chat_links_are_cut_to_four_characters(settings):
    settings.BASE_URL = "https://support.example.test"
    uid = uuid.uuid4()
    token = make_token(uid)
    text = f"Suivez votre demande : {tracking_url(uid)}\nChat : https://support.example.test/chat/{token}/"
    masked = mask_secrets(text)
    assert token not in masked and uid.hex not in masked
    assert f"https://support.example.test/track/{token[:4]}…/" in masked
    assert f"/chat/{token[:4]}…/" in masked
    assert masked.startswith("Suivez votre demande : ")


def test_reply_address_mac_is_cut(settings):
    settings.COMPTOIR_SUPPORT_ADDRESS = "support@example.test"
    address = reply_address(42)
    mac = address.split("-", 1)[1].split("@")[0]
    masked = mask_secrets(f"Reply-To: {address}")
    assert mac not in masked
    assert masked == f"Reply-To: support+t42-{mac[:4]}…@example.test"


@pytest.mark.django_db
def test_password_reset_link_is_cut():
    user = AgentFactory()
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    masked = mask_secrets(f"https://x.test/desk/reset/{uidb64}/{token}/")
    assert token not in masked
    assert "/desk/reset/" in masked and masked.endswith("…/")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Your code: 482107", "482107"),
        ("Votre code de vérification est 48 21 07.", "48 21 07"),
        ("Code à usage unique : 9031-5524", "9031-5524"),
        ("PIN 5521", "5521"),
    ],
)
def test_one_time_codes_are_hidden(text, code):
    masked = mask_secrets(text)
    assert code not in masked and code.replace(" ", "").replace("-", "") not in masked
    assert "…" in masked


def test_unknown_tokens_and_message_ids_are_cut(settings):
    settings.BASE_URL = "https://support.example.test"
    message_id = make_message_id("ack:1")
    api_token = "cpt_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    masked = mask_secrets(f"In-Reply-To: {message_id}\nhttps://x.test/some/new/{api_token}?a=1")
    digest = message_id.strip("<>").split("@")[0]
    assert digest not in masked and api_token not in masked
    assert "@support.example.test>" in masked


def test_ordinary_text_is_left_alone():
    text = (
        "[CPT-000123] Re: Facture d'électricité du 2026-03-01 — compte 4521 8890, montant 123,45 $.\n"
        "Bonjour Élodie, votre compteur a été remplacé. Code postal H2X 1Y4. "
        "https://support.example.test/chat/ et https://support.example.test/track/"
    )
    assert mask_secrets(text) == text
    assert mask_secrets("") == ""
