"""Webhooks for providers: raw email, SMS. Authenticated by a shared secret or a signature, not an
agent token."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from comptoir.channels.email.ingest import email_receive
from comptoir.channels.sms import sms_receive, verify_signature

from .schemas import ErrorOut

router = Router(tags=["inbound"], auth=None)


class InboundOut(Schema):
    record: int
    status: str
    ticket: str | None
    duplicate: bool
    error: str


def _check_secret(request: HttpRequest) -> None:
    secret = settings.COMPTOIR_INBOUND_SECRET
    given = request.headers.get("X-Comptoir-Secret", "")
    if not secret:
        raise HttpError(403, _("Inbound webhooks are disabled: set COMPTOIR_INBOUND_SECRET."))
    if not hmac.compare_digest(secret.encode(), given.encode()):
        raise HttpError(401, _("Authentication required: send the inbound secret."))


# The body is read raw, not parsed by django-ninja; the document still says what is sent.
EMAIL_WEBHOOK_DOC = {
    "parameters": [
        {
            "in": "header", "name": "X-Comptoir-Secret", "required": True, "schema": {"type": "string"},
            "description": "The shared secret COMPTOIR_INBOUND_SECRET.",
        }
    ],
    "requestBody": {
        "required": True,
        "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
    },
}  # fmt: skip


@router.post(
    "/inbound/email",
    response={202: InboundOut, **dict.fromkeys([400, 401, 403, 413], ErrorOut)},
    openapi_extra=EMAIL_WEBHOOK_DOC,
    operation_id="comptoir_api_inbound_inbound_email",
)
def inbound_email(request: HttpRequest):  # type: ignore[no-untyped-def]
    """A raw RFC 822 message as the request body (``Content-Type: message/rfc822``)."""
    _check_secret(request)
    # Read the stream ourselves: request.body stops at DATA_UPLOAD_MAX_MEMORY_SIZE, and an email
    # with attachments is legitimately larger; COMPTOIR_MAX_EMAIL_BYTES bounds it instead.
    limit = settings.COMPTOIR_MAX_EMAIL_BYTES
    raw = request.read(limit + 1)
    if not raw:
        raise HttpError(400, _("The request body must be a raw email message."))
    if len(raw) > limit:
        raise HttpError(413, _("The message is larger than the limit of %(limit)s bytes.") % {"limit": limit})
    outcome = email_receive(raw=raw, source="webhook")
    result = outcome.result
    return Status(
        202,
        {
            "record": outcome.record.pk,
            "status": outcome.record.status
            if result is None
            else ("duplicate" if result.duplicate else "processed"),
            "ticket": result.ticket.reference if result else None,
            "duplicate": bool(result and result.duplicate),
            "error": outcome.error,
        },
    )


class SmsOut(Schema):
    action: str
    ticket: str | None


# The form is read raw (every field is signed, so none may be dropped); the document still says
# what the gateway sends.
SMS_WEBHOOK_DOC = {
    "parameters": [
        {
            "in": "header", "name": "X-Twilio-Signature", "required": True, "schema": {"type": "string"},
            "description": "HMAC-SHA1 of the URL and fields under COMPTOIR_SMS_AUTH_TOKEN (Twilio's scheme).",
        }
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["From", "MessageSid"],
                    "properties": {
                        name: {"type": "string"} for name in ("From", "To", "Body", "MessageSid", "NumMedia")
                    },
                    "additionalProperties": {"type": "string"},
                }
            }
        },
    },
}  # fmt: skip


@router.post(
    "/inbound/sms",
    response={200: SmsOut, **dict.fromkeys([400, 401, 403, 413, 422], ErrorOut)},
    openapi_extra=SMS_WEBHOOK_DOC,
    operation_id="comptoir_api_channels_inbound_sms",
)
def inbound_sms(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Twilio-style form fields (From, To, Body, MessageSid); ``X-Twilio-Signature`` is checked."""
    params = {key: request.POST.get(key, "") for key in request.POST}
    verify_signature(
        url=request.build_absolute_uri(), params=params,
        signature=request.headers.get("X-Twilio-Signature", ""),
    )  # fmt: skip
    # Checked as signed; then without NUL characters, which no text needs and PostgreSQL refuses.
    outcome = sms_receive(params={key: value.replace("\x00", "") for key, value in params.items()})
    return {"action": outcome.action, "ticket": outcome.result.ticket.reference if outcome.result else None}
