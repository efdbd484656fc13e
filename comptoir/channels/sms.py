"""SMS in (Twilio-style webhook, signature checked) and the consent rules around it.

Media URLs sent by the gateway are never fetched: the server makes no request to an address
that came from outside (SSRF). Inbound text implies consent to be answered by SMS; STOP or
ARRÊT withdraws it, START or OUI gives it back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from comptoir.common.exceptions import DomainError, InvalidInput, PermissionDenied
from comptoir.customers.services import CustomerData, consent_set, customer_identify_or_create
from comptoir.intake.services import InboundMessage, IntakeResult, receive, receive_action


class BadSignature(DomainError):
    status_code = 401


STOP_WORDS = {"stop", "arret", "arreter", "unsubscribe", "desabonner", "desinscrire", "cancel", "end", "quit"}
START_WORDS = {"start", "oui", "unstop", "yes"}


def twilio_signature(url: str, params: dict[str, str], token: str) -> str:
    """Twilio's scheme: HMAC-SHA1 over the full URL followed by each sorted key and its value."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify_signature(*, url: str, params: dict[str, str], signature: str) -> None:
    token = settings.COMPTOIR_SMS_AUTH_TOKEN
    if not token:
        raise PermissionDenied(_("The SMS webhook is disabled: set COMPTOIR_SMS_AUTH_TOKEN."))
    expected = twilio_signature(url, params, token)
    if not hmac.compare_digest(expected.encode(), (signature or "").encode()):
        raise BadSignature(_("The SMS signature is not valid."))


def _keyword(text: str) -> str:
    word = unicodedata.normalize("NFKD", text.strip().split()[0] if text.strip() else "")
    return "".join(ch for ch in word if not unicodedata.combining(ch)).lower().strip(".!")


@dataclass(frozen=True)
class SmsOutcome:
    action: str  # "message", "stop" or "start"
    result: IntakeResult | None


def sms_receive(*, params: dict[str, str]) -> SmsOutcome:
    """One inbound SMS (already authenticated) into the customer's timeline."""
    sender = params.get("From", "").strip()
    body = params.get("Body", "")
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    if not sender or not sid:
        raise InvalidInput(_("An SMS needs From and MessageSid."))
    keyword = _keyword(body)
    if len(body.split()) <= 2 and (keyword in STOP_WORDS or keyword in START_WORDS):
        return _consent_keyword(sender=sender, sid=sid, body=body, keyword=keyword)
    customer, _created = customer_identify_or_create(data=CustomerData(phone=sender))
    # Writing to us by SMS consents to answers by SMS, unless the customer said STOP before.
    consent_set(customer=customer, channel="sms", granted=True, source="inbound SMS", only_if_unset=True)
    media = int(params.get("NumMedia", "0") or 0) if str(params.get("NumMedia", "0")).isdecimal() else 0
    text = body.strip() or _("(message without text)")
    if media:
        text += "\n\n" + _("[%(count)s media file(s) sent by SMS were not downloaded]") % {"count": media}
    result = receive(
        InboundMessage(
            channel="sms",
            customer=CustomerData(phone=sender),
            subject=" ".join(text.split())[:60],
            text=text,
            external_id=sid,
            continue_open=True,
        )
    )
    return SmsOutcome(action="message", result=result)


def _consent_keyword(*, sender: str, sid: str, body: str, keyword: str) -> SmsOutcome:
    """STOP or START, kept as an inbound record under the SMS id like any text, and applied once.

    A gateway redelivers what it believes lost, possibly after later texts: a STOP delivered again
    after the customer's START must not withdraw consent again, so the change runs only with the
    record's first write.
    """
    granted = keyword in START_WORDS

    def apply() -> None:
        customer, _created = customer_identify_or_create(data=CustomerData(phone=sender))
        consent_set(customer=customer, channel="sms", granted=granted, source=f"SMS {keyword.upper()}")

    action = "start" if granted else "stop"
    receive_action(
        channel="sms", external_id=sid, action=apply,
        payload={"customer": {"phone": sender}, "subject": body.strip()[:60], "text": body, "action": action},
    )  # fmt: skip
    return SmsOutcome(action=action, result=None)
