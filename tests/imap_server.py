"""A real IMAP server for the tests: Debian's Dovecot (dovecot-imapd), run as our own
process on 127.0.0.1 from a minimal configuration in a temporary folder, with a
self-signed certificate, users in a passwd-file and Maildir mailboxes.

As root (CI) Dovecot's own unprivileged users run its processes; as anyone else, that
user runs all of them (Dovecot allows that when it is not started as root).
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = Path(os.environ.get("DOVECOT_PATH", "/usr/sbin/dovecot"))

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
# No password in the clear, even on loopback: STARTTLS or imaps only.
disable_plaintext_auth = yes
auth_mechanisms = plain login xoauth2
# XOAUTH2 checks the token as the user's password against this passdb.
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {root}/users
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/home/%n
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
}}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
first_valid_gid = 1
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
"""


@dataclass
class ImapServer:
    root: Path
    imap_port: int
    imaps_port: int
    process: subprocess.Popen | None = None

    @property
    def ca_file(self) -> Path:
        return self.root / "cert.pem"


    def url(self, user: str, password: str, *, tls: bool = True, mailbox: str = "INBOX") -> str:
        if tls:
            return f"imaps://{user}:{password}@localhost:{self.imaps_port}/{mailbox}"
        return f"imap://{user}:{password}@localhost:{self.imap_port}/{mailbox}"

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            except (ProcessLookupError, ValueError):
                pass
        _wait_closed(self.imaps_port)


def start_imap_server(root: Path, users: dict[str, str]) -> ImapServer:
    """Dovecot on free ports with these users (name: password). Users are made before
    it starts: it notices a changed passwd-file by its time stamp, to the second."""
    assert DOVECOT.exists(), ("the IMAP tests need Dovecot: apt-get install dovecot-imapd "
                              "(.ci/run installs it)")
    for folder in ("run", "state", "home"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    _self_signed_certificate(root)
    (root / "users").write_text("".join(f"{name}:{{PLAIN}}{password}::::::\n"
                                        for name, password in users.items()))
    server = ImapServer(root, _free_port(), _free_port())
    users = _process_users(root)
    (root / "dovecot.conf").write_text(CONFIG.format(
        root=root, imap_port=server.imap_port, imaps_port=server.imaps_port, **users))
    # Dovecot forks into the background: the master's pid lands in run/master.pid.
    # Its output goes to a file: the forked master would hold a pipe open for ever.
    with (root / "start.log").open("wb") as output:
        started = subprocess.run([str(DOVECOT), "-c", str(root / "dovecot.conf")],
                                 stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                 timeout=30)
    if started.returncode != 0:
        raise RuntimeError(f"Dovecot did not start: {(root / 'start.log').read_text()}")
    _wait_open(server.imaps_port, server)
    return server


def _process_users(root: Path) -> dict[str, str]:
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        return dict(mail_user=me, mail_group=group, internal_user=me,
                    internal_group=group, login_user=me)
    # Root may not own mail; Dovecot's packaged users run the processes and the mail.
    shutil.chown(root / "home", "dovenull", "dovenull")
    root.chmod(0o711)  # The mail user must reach its home (root is right under /tmp).
    return dict(mail_user="dovenull", mail_group="dovenull", internal_user="dovecot",
                internal_group="dovecot", login_user="dovenull")


def _self_signed_certificate(root: Path) -> None:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"),
                    "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_open(port: int, server: ImapServer, attempts: int = 200) -> None:
    for _ in range(attempts):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)  # Waiting for a server process to listen, not test timing.
    raise RuntimeError(f"Dovecot did not start:\n{server.log()}")


def _wait_closed(port: int, attempts: int = 200) -> None:
    for _ in range(attempts):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return
        time.sleep(0.05)
