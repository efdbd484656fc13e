from __future__ import annotations

import copy
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.common.config import cached
from comptoir.common.exceptions import InvalidInput
from comptoir.routing.services import team_get_or_create

from .models import ApiToken, User


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def agent_create(
    *,
    email: str,
    name: str,
    team_name: str,
    level: int = 1,
    password: str | None = None,
    is_supervisor: bool = False,
    is_superuser: bool = False,
    language: str | None = None,
) -> User:
    """Create (or update) an agent and put them in their team, creating the team if needed.

    A team named for the first time gets the level of its first agent (a level-2 agent's new team
    is a level-2 team that escalations can reach); the first level-1 team becomes the default.
    ``is_supervisor`` and ``is_superuser`` (the admin site) grant; updating an agent without them
    keeps what was granted before. ``language`` (``en``/``fr``): the one their emails are written
    in; updating without it keeps the one they chose.
    """
    code = _language_code(language) if language else None
    team = team_get_or_create(name=team_name, level=level)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, name=name)
    elif password:
        user.set_password(password)
    user.name = name
    user.level = level
    user.is_agent = True
    user.is_staff = True
    if is_supervisor:
        user.is_supervisor = True
    if is_superuser:
        user.is_superuser = True
    if code:
        user.language = code
    user.save()
    user.teams.add(team)
    return user


@transaction.atomic
def api_token_create(*, user: User) -> str:
    """Return a new token; shown once, only its hash is kept."""
    key = "cpt_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=_hash(key), prefix=key[:10])
    return key


def api_token_authenticate(*, key: str) -> User | None:
    """The active agent a bearer token belongs to, or None.

    Every API request asks, so known tokens are kept per process (``common.config``): saving or
    revoking a token, or saving a user (deactivation, role), drops them here at once and in other
    processes within a second. Unknown keys are never kept (no memory for an attacker to fill).
    Each caller gets its own copy of the user.
    """
    key_hash = _hash(key)
    known: dict[str, list] = cached("api-tokens", dict)
    hit = known.get(key_hash)
    if hit is None:
        token = (
            ApiToken.objects.select_related("user").filter(key_hash=key_hash, revoked_at__isnull=True).first()
        )
        if token is None or not token.user.is_active or not token.user.is_agent:
            return None
        hit = known[key_hash] = [token.pk, token.user, token.last_used_at]
    token_pk, user, last_used = hit
    now = timezone.now()
    if last_used is None or (now - last_used).total_seconds() > 300:
        # Bounded write rate: at most one "last used" update per token every five minutes.
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
        hit[2] = now
    return copy.copy(user)


SIGNATURE_MAX = 1000


@transaction.atomic
def _language_code(language: str) -> str:
    code = (language or "").strip().lower().split("-")[0]
    if code not in dict(settings.LANGUAGES):
        raise InvalidInput(_("Choose English or French."), field="language")
    return code


def user_language_set(*, user: User, language: str) -> User:
    """The language a staff member reads (the desk's switch, their settings page, the command
    line): emails to them (SLA alerts, escalations, approvals) are written in it (issue 10)."""
    code = _language_code(language)
    if user.language != code:
        User.objects.filter(pk=user.pk).update(language=code)
        user.language = code
    return user


def agent_signature_set(*, actor: User, signature_fr: str, signature_en: str) -> User:
    """An agent's own signatures, added under their public replies (issue 10). Plain text:
    shown escaped and emailed as text, so no markup can reach a customer through it."""
    values = {}
    for field, text in (("signature_fr", signature_fr), ("signature_en", signature_en)):
        text = (text or "").replace("\x00", "").replace("\r\n", "\n").strip()
        if len(text) > SIGNATURE_MAX:
            raise InvalidInput(_("The signature is too long."), field=field)
        values[field] = text
    User.objects.filter(pk=actor.pk).update(**values)
    for field, text in values.items():
        setattr(actor, field, text)
    return actor
