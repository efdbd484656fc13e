"""Real DNS and real DKIM for the sender-authentication tests, without the network.

``LocalDns`` is a tiny DNS server on 127.0.0.1 (dnslib) answering from a dict; while it runs,
dnspython's default resolver (used by dkimpy, pyspf and our DMARC lookup) asks it and nothing else.
``DkimKey`` is an RSA key made by ``openssl`` for the test session; it signs with dkimpy and
publishes its public half in the local zone, so signatures are verified for real.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import dkim
import dns.resolver
from dnslib import QTYPE, RR, TXT
from dnslib.server import BaseResolver, DNSServer

from tests.support import free_port


def _txt_chunks(value: str) -> list[bytes]:
    """A TXT value as DNS character-strings (255 bytes at most each)."""
    data = value.encode()
    return [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]


class _ZoneResolver(BaseResolver):
    def __init__(self, records: dict[str, list[str]]) -> None:
        self.records = records

    def resolve(self, request, handler):  # type: ignore[no-untyped-def]
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if QTYPE[request.q.qtype] == "TXT":
            for value in self.records.get(name, []):
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(_txt_chunks(value)), ttl=60))
        if not reply.rr and not any(n == name or n.endswith("." + name) for n in self.records):
            reply.header.rcode = 3  # NXDOMAIN
        return reply


class LocalDns:
    """TXT records served on 127.0.0.1 over UDP; ``records`` may change while it runs."""

    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.port = free_port()
        self.server = DNSServer(_ZoneResolver(self.records), address="127.0.0.1", port=self.port)
        self._previous = dns.resolver.default_resolver

    def txt(self, name: str, value: str) -> None:
        self.records.setdefault(name.lower(), []).append(value)

    def start(self) -> LocalDns:
        self.server.start_thread()
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = self.port
        resolver.lifetime = 3.0
        dns.resolver.default_resolver = resolver
        return self

    def stop(self) -> None:
        dns.resolver.default_resolver = self._previous
        self.server.stop()


class DkimKey:
    def __init__(self, folder: Path, domain: str, selector: str = "sel") -> None:
        self.domain, self.selector = domain, selector
        pem = folder / f"{domain}.pem"
        openssl = shutil.which("openssl") or "openssl"
        subprocess.run(  # noqa: S603 - fixed argv
            [openssl, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(pem)],
            check=True, capture_output=True,
        )  # fmt: skip
        der = subprocess.run(  # noqa: S603 - fixed argv
            [openssl, "pkey", "-in", str(pem), "-pubout", "-outform", "DER"],
            check=True,
            capture_output=True,
        ).stdout
        self.private = pem.read_bytes()
        self.public_b64 = base64.b64encode(der).decode()

    def publish(self, zone: LocalDns) -> None:
        zone.txt(f"{self.selector}._domainkey.{self.domain}", f"v=DKIM1; k=rsa; p={self.public_b64}")

    def sign(self, raw: bytes) -> bytes:
        """``raw`` with a DKIM-Signature of this domain on top (relaxed/relaxed, as most senders)."""
        signature = dkim.sign(
            raw,
            self.selector.encode(),
            self.domain.encode(),
            self.private,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[b"from", b"to", b"subject", b"date", b"message-id", b"in-reply-to"],
        )
        return signature + raw
