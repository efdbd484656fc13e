"""A real IMAP server for the tests: Dovecot from Debian (`apt-get install -y dovecot-imapd`).

The fixture writes a throwaway configuration (loopback only, a free port, no TLS, one user with a
plain password, Maildir storage, every runtime path in a temporary folder), starts ``dovecot -F``
and stops it afterwards. It works as root (mail owned by the ``dovecot`` system user) and as a
normal user (everything runs as that user). Without Dovecot it FAILS: an IMAP test that silently
skips would hide the one route that matters most.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.support import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "support", "imap-test-password"


@dataclass
class Dovecot:
    host: str
    port: int
    user: str
    password: str
    root: Path

    @property
    def url(self) -> str:
        return f"imap://{self.user}:{self.password}@{self.host}:{self.port}/INBOX"

    def client(self) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=30)
        client.login(self.user, self.password)
        client.select_folder("INBOX")
        return client

    def append(self, *raws: bytes) -> None:
        client = self.client()
        try:
            for raw in raws:
                client.append("INBOX", raw)
        finally:
            client.logout()

    def flags(self) -> dict[int, tuple[bytes, ...]]:
        client = self.client()
        try:
            uids = client.search(["ALL"])
            return {uid: data[b"FLAGS"] for uid, data in client.fetch(uids, ["FLAGS"]).items()}
        finally:
            client.logout()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _config(root: Path, port: int) -> str:
    if os.geteuid() == 0:
        # Dovecot refuses to run its helper processes as root: use the package's system users.
        internal, login = "dovecot", "dovenull"
        mail_uid = pwd.getpwnam("dovecot").pw_uid
        mail_gid = grp.getgrnam("dovecot").gr_gid
        chroot = ""
    else:
        internal = login = pwd.getpwuid(os.getuid()).pw_name
        mail_uid, mail_gid = os.getuid(), os.getgid()
        chroot = "  chroot =\n"
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(mail_gid).gr_name}
default_login_user = {login}
first_valid_uid = 0
first_valid_gid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
{chroot}}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service anvil {{
{chroot}}}
"""


def _wait_for_port(port: int, proc: subprocess.Popen, root: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            log = (
                (root / "dovecot.log").read_text(errors="replace") if (root / "dovecot.log").exists() else ""
            )
            pytest.fail(f"Dovecot exited with {proc.returncode}:\n{out}\n{log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"Dovecot did not answer on port {port} within {timeout} s")


@pytest.fixture
def dovecot():
    """A fresh Dovecot IMAP server with an empty INBOX for user ``support``."""
    if not os.path.exists(DOVECOT):
        pytest.fail(
            "Dovecot is not installed, so the IMAP route cannot be tested against a real server. "
            "Install it: apt-get install -y dovecot-imapd"
        )
    # Not under pytest's tmp_path: that is mode 0700 and the dovecot user could not enter it.
    root = Path(tempfile.mkdtemp(prefix="comptoir-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    if os.geteuid() == 0:
        shutil.chown(root / "mail", "dovecot", "dovecot")
    port = free_port()
    (root / "dovecot.conf").write_text(_config(root, port))
    proc = subprocess.Popen(  # noqa: S603 - fixed argv, our own config
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_port(port, proc, root)
        yield Dovecot(host="127.0.0.1", port=port, user=USER, password=PASSWORD, root=root)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        shutil.rmtree(root, ignore_errors=True)
