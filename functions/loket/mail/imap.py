"""An IMAP mailbox that mail-in fetches from (`loket mail-fetch`): the support mailbox a
vendor on one machine already has. imaplib over TLS (imaps://, implicit) or STARTTLS
(imap://, always upgraded: a password never crosses the network in the clear), with
a password (or app password) or an XOAUTH2 access token.

Each message is read with BODY.PEEK[] (no \\Seen flag set), and moved to the processed
folder only when the caller has stored what it became: UID MOVE (RFC 6851) where the
server has it, else UID COPY, \\Deleted and UID EXPUNGE (RFC 4315) or EXPUNGE. (A crash
between that COPY and the EXPUNGE leaves a second copy in the processed folder; the
mail is still taken in once.)
"""

from __future__ import annotations

import imaplib
import re
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"imaps": 993, "imap": 143}
_ATOM_UID = re.compile(rb"^\d+$")


class ImapError(Exception):
    """The server refused a command, or the setting is wrong; the message says which."""


@dataclass(frozen=True)
class ImapTarget:
    host: str
    port: int
    user: str
    password: str
    mailbox: str
    implicit_tls: bool

    def __repr__(self) -> str:  # Never print the password in a log or traceback.
        scheme = "imaps" if self.implicit_tls else "imap"
        return f"ImapTarget({scheme}://{self.user}@{self.host}:{self.port}/{self.mailbox})"


def parse_imap_url(url: str) -> ImapTarget:
    """imaps://user:password@host:993/INBOX (TLS) or imap://...:143/INBOX (STARTTLS).
    User and password are percent-encoded (an @ in a user name is %40)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS:
        raise ImapError("LOKET_IMAP_URL must start with imaps:// (TLS) or imap:// (STARTTLS)")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise ImapError("LOKET_IMAP_URL has a port that is not a number") from None
    if not parts.hostname or not parts.username:
        raise ImapError("LOKET_IMAP_URL needs a user and a host: imaps://user:pass@host/INBOX")
    return ImapTarget(host=parts.hostname, port=port, user=unquote(parts.username),
                      password=unquote(parts.password or ""),
                      mailbox=unquote(parts.path.lstrip("/")) or "INBOX",
                      implicit_tls=parts.scheme == "imaps")


class ImapMailbox:
    """One session on the mailbox: `with ImapMailbox(...) as box:` logs in and selects
    the mailbox; leaving logs out."""

    # Moving with MOVE when offered; tests switch it off to try the fallback.
    use_move = True

    def __init__(self, target: ImapTarget, *, processed: str, oauth_token: str = "",
                 ca_file: Path | None = None, timeout: float = 60):
        self.target = target
        self.processed = processed
        self.oauth_token = oauth_token
        self.ca_file = ca_file
        self.timeout = timeout
        self._imap: imaplib.IMAP4 | None = None
        self._capabilities: set[str] = set()

    def __enter__(self) -> "ImapMailbox":
        self._imap = self._connect()
        try:
            self._log_in()
            typ, data = self._imap.capability()
            self._capabilities = set(data[0].decode().upper().split()) if typ == "OK" else set()
            self._create_processed()
            self._ok(self._imap.select(_quoted(self.target.mailbox)), "SELECT")
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._close()

    def _connect(self) -> imaplib.IMAP4:
        context = ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        host, port = self.target.host, self.target.port
        if self.target.implicit_tls:
            return imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=self.timeout)
        imap = imaplib.IMAP4(host, port, timeout=self.timeout)
        imap.starttls(context)
        return imap

    def _log_in(self) -> None:
        assert self._imap is not None
        try:
            if self.oauth_token:
                token = (f"user={self.target.user}\x01auth=Bearer {self.oauth_token}"
                         "\x01\x01").encode()
                self._imap.authenticate("XOAUTH2", lambda _challenge: token)
            else:
                self._imap.login(self.target.user, self.target.password)
        except imaplib.IMAP4.error as exc:
            raise ImapError(f"{self.target!r}: sign-in refused: {_text(exc)}") from None

    def _create_processed(self) -> None:
        """The processed folder, made if it is not there (ALREADYEXISTS is fine)."""
        assert self._imap is not None
        typ, data = self._imap.create(_quoted(self.processed))
        if typ == "OK" or b"ALREADYEXISTS" in b" ".join(d or b"" for d in data):
            return
        # Servers without RFC 5530's codes say "exists" in words; STATUS tells for sure.
        if self._imap.status(_quoted(self.processed), "(MESSAGES)")[0] != "OK":
            self._ok((typ, data), f"CREATE {self.processed}")

    def uids(self) -> list[str]:
        """The UIDs of the messages waiting in the mailbox, oldest first."""
        assert self._imap is not None
        data = self._ok(self._imap.uid("SEARCH", None, "UNDELETED"), "UID SEARCH")
        return [uid.decode() for uid in (data[0] or b"").split() if _ATOM_UID.match(uid)]

    def fetch(self, uid: str) -> bytes | None:
        """The message's raw bytes, or None when it is gone (another client took it)."""
        assert self._imap is not None
        data = self._ok(self._imap.uid("FETCH", uid, "(BODY.PEEK[])"), f"UID FETCH {uid}")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                return item[1]
        return None

    def move_to_processed(self, uid: str) -> None:
        assert self._imap is not None
        if self.use_move and "MOVE" in self._capabilities:
            self._ok(self._imap.uid("MOVE", uid, _quoted(self.processed)), f"UID MOVE {uid}")
            return
        self._ok(self._imap.uid("COPY", uid, _quoted(self.processed)), f"UID COPY {uid}")
        self._ok(self._imap.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"),
                 f"UID STORE {uid}")
        if "UIDPLUS" in self._capabilities:
            self._ok(self._imap.uid("EXPUNGE", uid), f"UID EXPUNGE {uid}")
        else:
            # Also expunges other \Deleted messages: that is what \Deleted asks for.
            self._ok(self._imap.expunge(), "EXPUNGE")

    def _ok(self, response: tuple[str, list], command: str) -> list:
        typ, data = response
        if typ != "OK":
            raise ImapError(f"{self.target!r}: {command} refused: "
                            f"{_text(b' '.join(d for d in data if isinstance(d, bytes)))}")
        return data

    def _close(self) -> None:
        if self._imap is None:
            return
        try:
            self._imap.logout()
        except Exception:  # A dead connection has nothing left to close.
            pass
        self._imap = None


def _quoted(name: str) -> str:
    """A mailbox name as an IMAP quoted string (imaplib sends arguments as they are)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
