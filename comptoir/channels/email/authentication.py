"""Who really sent an email. A From address proves nothing by itself (anyone can type any address).

Two sources of proof, both expressed as RFC 8601 ``Authentication-Results`` headers:

- a receiving server we trust (``COMPTOIR_AUTHSERV_ID``: the mailbox provider polled over IMAP,
  the provider calling the webhook, a relay in front of ``comptoir smtpd``); headers naming any
  other authserv-id are ignored, since anyone can write them into a message;
- ``comptoir smtpd`` itself, which verifies DKIM (dkimpy), SPF (pyspf) and DMARC alignment when
  it receives and stamps its verdict under ``SMTPD_AUTHSERV_ID`` at the top of the stored message.

Of each trusted server only the topmost header counts: a server adds its own above those it
received, so a forged header bearing the same authserv-id sits below the real one. No Django here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

import dkim
import dns.exception
import dns.resolver
import spf
from authres import AuthenticationResultsHeader, DKIMAuthenticationResult, SPFAuthenticationResult
from authres.dmarc import DMARCAuthenticationResult

logger = logging.getLogger("comptoir.email")

# The authserv-id under which `comptoir smtpd` records its own verdict. It is believed only on
# messages that the receiver itself stored (their topmost header is always its own).
SMTPD_AUTHSERV_ID = "comptoir-smtpd"
# The authserv-id opening a header value, after any comments (RFC 8601 2.2).
AUTHSERV_ID_RE = re.compile(r"\s*(?:\([^()]*\)\s*)*([^\s;()]+)")
DNS_TIMEOUT = 5.0  # seconds per DNS question; SPF gets twice that in all


@dataclass(frozen=True)
class SenderAuth:
    """``result``: "pass" (the From domain is proven), "fail" (a trusted server saw DMARC fail),
    "none" (no trusted verdict, or one that proves nothing); ``detail`` says why, for staff."""

    result: str
    detail: str


@lru_cache(maxsize=1)
def _extractor():  # type: ignore[no-untyped-def]
    import tldextract

    # The Public Suffix List snapshot shipped with the package: never fetched at run time.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def org_domain(domain: str) -> str:
    """The organisational domain (RFC 7489 3.2) by the Public Suffix List; a name under a suffix
    the list does not know falls back to its last two labels (the list's default rule ``*``)."""
    domain = domain.strip().strip(".").lower()
    parts = _extractor()(domain)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    labels = domain.split(".")
    return ".".join(labels[-2:])


def aligned(domain: str, from_domain: str, *, strict: bool = False) -> bool:
    """DMARC identifier alignment of an authenticated domain with the From domain."""
    domain, from_domain = domain.strip().strip(".").lower(), from_domain.strip().strip(".").lower()
    if not domain or not from_domain:
        return False
    if strict:
        return domain == from_domain
    return org_domain(domain) == org_domain(from_domain)


def _domain_of(value: str) -> str:
    return value.rpartition("@")[2].strip().strip("<>").lower()


def _prop(result, ptype: str, name: str) -> str:  # type: ignore[no-untyped-def]
    for prop in getattr(result, "properties", ()):
        if prop.type == ptype and prop.name == name:
            return str(prop.value or "")
    return ""


def _passes(result, from_domain: str) -> bool:  # type: ignore[no-untyped-def]
    method, outcome = result.method.lower(), (result.result or "").lower()
    if outcome != "pass":
        return False
    if method == "dmarc":
        said = _prop(result, "header", "from")
        return not said or _domain_of(said) == from_domain
    if method == "dkim":
        signer = _prop(result, "header", "d") or _domain_of(_prop(result, "header", "i"))
        return aligned(signer, from_domain)
    if method == "spf":
        return aligned(_domain_of(_prop(result, "smtp", "mailfrom")), from_domain)
    return False


def sender_auth(
    results_headers: Sequence[str], *, from_domain: str, trusted_ids: Collection[str]
) -> SenderAuth:
    """The verdict of the trusted servers on ``from_domain``, read from their topmost headers.

    ``results_headers``: the message's Authentication-Results values, top first, as received.
    A pass is DMARC pass, or DKIM or SPF pass for a domain aligned with From (servers that do not
    evaluate DMARC). Any trusted pass proves the sender; otherwise a trusted DMARC fail is a fail.
    """
    trusted = {t.strip().lower() for t in trusted_ids if t and t.strip()}
    if not trusted:
        return SenderAuth("none", "no trusted authentication server configured")
    seen: set[str] = set()
    passed, failed = [], []
    for value in results_headers:
        text = " ".join(str(value).split())
        match = AUTHSERV_ID_RE.match(text)
        server = match.group(1).lower() if match else ""
        if server not in trusted or server in seen:
            continue
        # This is the trusted server's topmost header, even if unreadable: a readable one further
        # down (perhaps written by the sender) must never take its place.
        seen.add(server)
        try:
            header = AuthenticationResultsHeader.parse_value(text)
        except Exception as exc:
            logger.warning("unreadable Authentication-Results from %s: %s", server, exc)
            continue
        if str(header.authserv_id or "").lower() != server:
            continue
        for result in header.results:
            outcome = f"{server}: {result.method}={result.result}"
            if _passes(result, from_domain):
                passed.append(outcome)
            elif result.method.lower() == "dmarc" and (result.result or "").lower() == "fail":
                failed.append(outcome)
    if passed:
        return SenderAuth("pass", "; ".join(passed))
    if failed:
        return SenderAuth("fail", "; ".join(failed))
    if seen:
        return SenderAuth("none", ", ".join(sorted(seen)) + ": nothing proves the From domain")
    return SenderAuth("none", "no header from a trusted authentication server")


# --- Our own verification, when `comptoir smtpd` receives directly ------------------------------


def _txt(name: str) -> list[str]:
    """TXT strings at ``name``; [] when there are none; DNSException on a server failure."""
    try:
        answer = dns.resolver.resolve(name, "TXT", lifetime=DNS_TIMEOUT)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]


def _dkim_txt(name: bytes, timeout: float = DNS_TIMEOUT) -> bytes | None:
    """dkimpy's DNS hook: the key record at ``name``, by the same resolver as SPF and DMARC."""
    try:
        records = _txt(name.decode("ascii", "replace").rstrip("."))
    except dns.exception.DNSException as exc:
        raise dkim.DnsTimeoutError(str(exc)) from exc
    return records[0].encode() if records else None


def _dkim(raw: bytes) -> list[DKIMAuthenticationResult]:
    """Every DKIM signature of the message, verified (up to five)."""
    checker = dkim.DKIM(raw, logger=logger)
    count = sum(1 for name, _value in checker.headers if name.lower() == b"dkim-signature")
    results = []
    for index in range(min(count, 5)):
        try:
            outcome = "pass" if checker.verify(idx=index, dnsfunc=_dkim_txt) else "fail"
        except dkim.DnsTimeoutError:
            outcome = "temperror"
        except dkim.ValidationError:
            outcome = "permerror"
        except Exception:  # a malformed signature or key: it proves nothing
            outcome = "fail"
        fields = getattr(checker, "signature_fields", {}) or {}
        results.append(
            DKIMAuthenticationResult(
                result=outcome,
                header_d=fields.get(b"d", b"").decode("ascii", "replace") or None,
                header_s=fields.get(b"s", b"").decode("ascii", "replace") or None,
            )
        )
    return results or [DKIMAuthenticationResult(result="none")]


def _dmarc_record(from_domain: str) -> dict[str, str] | None:
    """The DMARC policy for ``from_domain`` (its own record, else its organisation's)."""
    for name in dict.fromkeys((from_domain, org_domain(from_domain))):
        records = [r for r in _txt(f"_dmarc.{name}") if r.replace(" ", "").lower().startswith("v=dmarc1")]
        if len(records) == 1:
            tags = {}
            for part in records[0].split(";"):
                key, _eq, value = part.partition("=")
                if key.strip():
                    tags[key.strip().lower()] = value.strip().lower()
            return tags
    return None


def authenticate(
    raw: bytes, *, from_domain: str, ip: str, helo: str, mail_from: str, authserv_id: str = SMTPD_AUTHSERV_ID
) -> str:
    """Check DKIM, SPF and DMARC for a message received directly; its Authentication-Results header.

    Never raises: a verification that cannot complete says so (``temperror``) and proves nothing.
    """
    results: list = []
    try:
        dkim_results = _dkim(raw)
    except Exception:
        logger.exception("DKIM verification failed unexpectedly")
        dkim_results = [DKIMAuthenticationResult(result="temperror")]
    results += dkim_results
    envelope = mail_from or f"postmaster@{helo}"
    try:
        spf_outcome, _why = spf.check2(i=ip, s=envelope, h=helo or "unknown", timeout=2 * DNS_TIMEOUT)
    except Exception:
        logger.exception("SPF verification failed unexpectedly")
        spf_outcome = "temperror"
    results.append(
        SPFAuthenticationResult(result=spf_outcome, smtp_mailfrom=envelope, smtp_helo=helo or None)
    )
    try:
        policy = _dmarc_record(from_domain) if from_domain else None
    except dns.exception.DNSException:
        results.append(DMARCAuthenticationResult(result="temperror", header_from=from_domain))
    else:
        if policy is None:
            results.append(DMARCAuthenticationResult(result="none", header_from=from_domain or None))
        else:
            dkim_ok = any(
                r.result == "pass"
                and aligned(r.header_d or "", from_domain, strict=policy.get("adkim") == "s")
                for r in dkim_results
            )
            spf_ok = spf_outcome == "pass" and aligned(
                _domain_of(envelope), from_domain, strict=policy.get("aspf") == "s"
            )
            results.append(
                DMARCAuthenticationResult(
                    result="pass" if dkim_ok or spf_ok else "fail",
                    header_from=from_domain,
                    policy=policy.get("p", "none"),
                )
            )
    return str(AuthenticationResultsHeader(authserv_id=authserv_id, results=results))


def _from_domain(raw: bytes) -> str:
    """The domain of the single From address, read from the headers alone; "" if not exactly one."""
    from email.parser import BytesHeaderParser
    from email.policy import compat32
    from email.utils import getaddresses

    head = BytesHeaderParser(policy=compat32).parsebytes(raw[: 256 * 1024])
    addresses = [a for _name, a in getaddresses([str(v) for v in head.get_all("From") or []]) if a]
    return _domain_of(addresses[0]) if len(addresses) == 1 else ""


def stamp(raw: bytes, *, ip: str, helo: str, mail_from: str) -> bytes:
    """``raw`` with our verdict on top, as the receiving server adds its Authentication-Results.

    Never raises: if even the verification crashes, the stamp says ``none``, so that a header
    forged with our authserv-id inside the message is never the topmost one.
    """
    try:
        header = authenticate(raw, from_domain=_from_domain(raw), ip=ip, helo=helo, mail_from=mail_from)
    except Exception:
        logger.exception("sender authentication failed unexpectedly")
        header = str(AuthenticationResultsHeader(authserv_id=SMTPD_AUTHSERV_ID, results=[]))
    line = " ".join(header.split())  # one line: nothing from the message can start a new header
    return line.encode("utf-8", "replace") + b"\r\n" + raw
