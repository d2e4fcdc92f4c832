"""Deployment settings: where data, mail and the site live. Read once, from LOKET_* variables.

The process itself (products, forms, statuses, limits) is not here but in site_config/,
kept in git; see loket.config.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from loket.env_settings import EnvSettings, SettingError, bounded
from loket.local_secret import kept_secret_key


@dataclass(init=False, eq=False)
class Settings(EnvSettings):
    """The LOKET_* environment, each variable a field (LOKET_STORE is `store`); values
    given to Settings(...) win over the environment. A dataclass read by
    loket/env_settings.py, not a pydantic model: a cold start pays for neither."""

    PREFIX: ClassVar[str] = "LOKET_"

    config_dir: Path = Path("site_config")
    site_dir: Path = Path("site")
    base_url: str = "http://127.0.0.1:8000"
    # The site's address for the static build (mkdocs.yml's site_url, which
    # LOKET_BASE_URL wins over): `make site`/`make serve PORT=...` set it. Known here so
    # the build's hooks, which read these settings, do not refuse it.
    site_url: str = ""

    store: Literal["sqlite", "dynamodb"] = "sqlite"
    sqlite_path: Path = Path("var/loket.db")
    dynamodb_table: str = "loket"
    aws_region: str | None = None
    aws_endpoint_url: str | None = None

    # Where attachments' bytes live: a folder (served by the app), or an S3 bucket that
    # browsers upload to and download from directly with presigned requests.
    blobs: Literal["folder", "s3"] = "folder"
    blob_dir: Path = Path("var/blobs")
    attachments_bucket: str = ""

    mail: Literal["outbox", "smtp", "ses"] = "outbox"
    outbox_dir: Path = Path("var/outbox")
    mail_from: str = "Nordwind Support <support@nordwind.example>"
    # LOKET_MAIL=smtp: smtp://user:password@host:587 (STARTTLS) or smtps://...:465 (TLS).
    smtp_url: str = ""
    # LOKET_MAIL=ses: the configuration set that sends bounces and complaints to SNS.
    ses_configuration_set: str = ""
    # The mail queue: a temporary failure is retried with backoff for this many hours,
    # then the mail is kept as failed; `loket serve` looks for due retries this often
    # (seconds; 0: only when a request queues mail; run `loket mail send-queued` too).
    mail_give_up_hours: float = bounded(48, gt=0)
    mail_interval: int = bounded(15, ge=0)

    # Signs session cookies and tokens (rating links, upload forms). Unset, a local
    # install (SQLite) makes a key once and keeps it in secret_key_file, so links and
    # sessions survive a restart (loket/local_secret.py); a setting always wins.
    secret_key: str = ""
    secret_key_file: Path = Path("var/secret_key")
    # On AWS: the SSM SecureString parameter that holds the signing keys ("new old",
    # loket/secret_keys.py), read at run time and again every secret_key_refresh
    # seconds, so a new key needs no redeploy. It wins over secret_key for links.
    secret_key_parameter: str = ""
    secret_key_refresh: int = bounded(300, ge=0)

    # The knowledge-base search index: written by the site build or `loket search-build`,
    # shipped with the suggestion function. Without it suggestions answer 503.
    search_index: Path = Path("search/index")

    # How many reverse proxies in front of a local install append to X-Forwarded-For
    # (werkzeug's ProxyFix); never on AWS, where origin_secret decides (web/edge.py).
    trusted_proxies: int = 0
    # On AWS: the secret header CloudFront adds to every request it sends to the app
    # (X-Origin-Verify). Set, any request without it is refused (403), and the client's
    # address is CloudFront's CloudFront-Viewer-Address. Several, space-separated,
    # while the secret changes.
    origin_secret: str = ""

    # `loket serve` sweeps due timers and SLA deadlines this often, in seconds, in a
    # background thread; 0 turns it off (run `loket sweep` from cron instead). On AWS
    # the schedule in serverless.yml runs the sweep function instead.
    sweep_interval: int = bounded(60, ge=0)

    # Mail in from an IMAP mailbox (`loket mail-fetch`; services/mail_fetch.py):
    # imaps://user:password@host:993/INBOX (TLS) or imap://...:143/INBOX (STARTTLS).
    # Taken-in messages move to the processed folder. `loket serve` fetches every
    # imap_interval seconds when a URL is set (0: only `loket mail-fetch` does).
    imap_url: str = ""
    imap_processed: str = "Processed"
    imap_interval: int = bounded(60, ge=0)
    # An OAuth 2 access token (XOAUTH2, e.g. Microsoft 365 or Gmail) instead of the
    # URL's password; and a CA file to trust (a server with its own certificate).
    imap_oauth_token: str = ""
    imap_ca_file: Path | None = None

    def check(self) -> None:
        self._kept_secret_key()
        self._smtp_url_for_smtp()
        self._one_source_of_client_addresses()
        self._bucket_for_s3()

    def _kept_secret_key(self) -> None:
        # Only a local install keeps its key in a file; elsewhere (AWS) the deployment
        # sets it, and without one each process signs with a key of its own.
        if not self.secret_key:
            self.secret_key = (kept_secret_key(self.secret_key_file) if self.store == "sqlite"
                               else secrets.token_urlsafe(32))

    def _smtp_url_for_smtp(self) -> None:
        if self.mail == "smtp":
            from loket.mail.smtp import SMTPServer

            if not self.smtp_url:
                raise SettingError("smtp_url", "LOKET_MAIL=smtp needs LOKET_SMTP_URL")
            SMTPServer.from_url(self.smtp_url)  # a clear error now, not at the first mail

    def _one_source_of_client_addresses(self) -> None:
        if self.origin_secret and self.trusted_proxies:
            raise ValueError("LOKET_ORIGIN_SECRET and LOKET_TRUSTED_PROXIES exclude each "
                             "other: behind CloudFront the address is CloudFront's "
                             "CloudFront-Viewer-Address, never X-Forwarded-For")

    def _bucket_for_s3(self) -> None:
        if self.blobs == "s3" and not self.attachments_bucket:
            raise SettingError("attachments_bucket",
                               "LOKET_BLOBS=s3 needs LOKET_ATTACHMENTS_BUCKET")


# The setting names (LOKET_ + name.upper()), where pydantic had them: tests and tools read it.
Settings.model_fields = {name: None for name in Settings.names()}
