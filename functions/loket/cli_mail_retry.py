"""`loket mail-retry`: take in again the mail that mailIn failed on (AWS)."""

from __future__ import annotations

import sys

import click


@click.command("mail-retry")
@click.option("--queue-url", required=True, envvar="MAIL_IN_FAILURES_QUEUE_URL",
              help="The stack's MailInFailuresQueueUrl output.")
@click.option("--dry-run", is_flag=True, help="List the mail; take nothing in.")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 100_000))
def mail_retry(queue_url: str, dry_run: bool, limit: int) -> None:
    """Take in again the mail on mailIn's failure queue (Lambda put it there after its
    retries). A record is removed once all its mail is in; what fails again stays.
    Run with the operator's AWS credentials and the functions' LOKET_* settings."""
    import boto3

    from loket.cli import _services, _settings
    from loket.mail.failed_events import retry_failed_mail
    from loket.services.mail_in import take_in_mail

    settings = _settings()
    services = _services(settings)
    session = boto3.session.Session()
    clients = {name: session.client(name, region_name=settings.aws_region,
                                    endpoint_url=settings.aws_endpoint_url)
               for name in ("sqs", "s3")}
    results = retry_failed_mail(lambda raw: take_in_mail(services, raw), clients["sqs"],
                                clients["s3"], queue_url, dry_run=dry_run, limit=limit)
    for result in results:
        click.echo(f"{result.location}: {result.outcome}", err=not result.ok)
    failed = sum(not r.ok for r in results)
    click.echo(f"{len(results) - failed} taken in, {failed} failed again"
               if results else "no failed mail")
    if failed:
        sys.exit(1)
