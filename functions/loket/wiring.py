"""The composition root: the one place where settings become adapters.

Kept apart from the web app so the sweeper and mail-in functions wire the same
services without importing Flask.
"""

from __future__ import annotations

from datetime import timedelta

from loket.config import load_portal_config
from loket.domain.outgoing import RetryPolicy
from loket.services.context import Services
from loket.settings import Settings


def build_services(settings: Settings, *, load_holidays: bool = False) -> Services:
    """Wire the adapters the settings name; clients are created lazily by each adapter.
    `load_holidays`: load (and check) the calendar's public holidays now, for the
    sweeper, which needs them anyway, rather than on the first request that asks."""
    from loket.clock import SystemClock

    config = load_portal_config(settings.config_dir, load_holidays=load_holidays)
    return Services(config=config, store=build_store(settings, config.first_ticket_number),
                    mail=build_mailer(settings), clock=SystemClock(),
                    base_url=settings.base_url, mail_from=settings.mail_from,
                    search=build_searcher(settings), blobs=build_blobs(settings),
                    secret_key=settings.secret_key, secret_keys=build_secret_keys(settings),
                    mail_retry=RetryPolicy(
                        give_up_after=timedelta(hours=settings.mail_give_up_hours)))


def build_secret_keys(settings: Settings):
    """The link-signing keys: an SSM parameter read at run time (AWS), else the setting.
    Nothing is read here: the parameter on the first link, not at a cold start."""
    from loket.secret_keys import SecretKeys, ssm_loader

    if settings.secret_key_parameter:
        return SecretKeys(ssm_loader(settings.secret_key_parameter, region=settings.aws_region,
                                     endpoint_url=settings.aws_endpoint_url),
                          refresh_seconds=settings.secret_key_refresh)
    return SecretKeys.fixed(settings.secret_key) if settings.secret_key else None


def build_store(settings: Settings, first_number: int):
    if settings.store == "dynamodb":
        from loket.storage.dynamodb import DynamoDBStore

        return DynamoDBStore(settings.dynamodb_table, first_number=first_number,
                             region=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
    from loket.storage.sqlite import SQLiteStore

    return SQLiteStore(settings.sqlite_path, first_number=first_number)


def build_blobs(settings: Settings):
    """Where attachments go; the S3 client is made on the first file, not here."""
    if settings.blobs == "s3":
        from loket.blobs.s3 import S3Blobs

        return S3Blobs(settings.attachments_bucket, region=settings.aws_region,
                       endpoint_url=settings.aws_endpoint_url)
    from loket.blobs.folder import FolderBlobs

    from loket.secret_keys import parse_keys

    # "NEW OLD": itsdangerous wants the newest last.
    return FolderBlobs(settings.blob_dir,
                       secret_key=list(reversed(parse_keys(settings.secret_key))))


def build_searcher(settings: Settings):
    """The search index, when one was built; its code is imported and the index opened
    on the first suggestion (search/on_first_use.py)."""
    if not settings.search_index.is_dir():
        return None
    from loket.search.on_first_use import SearcherOnFirstUse

    return SearcherOnFirstUse(settings.search_index)


def build_mailer(settings: Settings):
    if settings.mail == "ses":
        from loket.mail.ses import SESMailer

        return SESMailer(region=settings.aws_region,
                         configuration_set=settings.ses_configuration_set or None)
    if settings.mail == "smtp":
        from loket.mail.smtp import SMTPMailer

        return SMTPMailer(settings.smtp_url)
    from loket.mail.outbox import OutboxMailer

    return OutboxMailer(settings.outbox_dir)
