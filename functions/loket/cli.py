"""`loket`: the one command-line entry point for everything an operator runs."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from loket.config import ConfigError


@click.group()
def main() -> None:
    """Loket, a support portal: run it, check its configuration, look after its data."""


def _settings():
    from pydantic import ValidationError

    from loket.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        raise click.ClickException(f"bad LOKET_* environment setting: {exc}") from None


def _services(settings, *, load_holidays: bool = False):
    from loket.wiring import build_services

    try:
        services = build_services(settings, load_holidays=load_holidays)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    # A command that queues mail (a sweep, an invitation) sends it before it ends:
    # no mail loop runs beside a command (`loket serve` sets its own listener).
    services.store.mail_listener = lambda: _queued_by.append(services)
    return services


_queued_by: list = []


@main.result_callback()
def _send_queued_mail(*_args, **_kwargs) -> None:
    from loket.services.mail_dispatch import send_queued

    while _queued_by:
        services = _queued_by.pop()
        _queued_by[:] = [s for s in _queued_by if s is not services]
        report = send_queued(services)
        if report.failed or report.retrying:
            # Said on stderr, once: the command's own output stays as it was.
            click.echo(f"mail: {report.summary()} (see `loket mail queue`)", err=True)


@main.command("check-config")
def check_config() -> None:
    """Validate site_config/ and print what it holds."""
    from loket.config import load_portal_config

    from loket.config.describe import describe_workflow

    settings = _settings()
    try:
        config = load_portal_config(settings.config_dir, load_holidays=True)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{settings.config_dir}: valid")
    click.echo(f"  products: {', '.join(config.products)}")
    click.echo(f"  statuses: {', '.join(config.statuses)}")
    click.echo(f"  form fields: {', '.join(f.name for f in config.form.fields)}")
    from loket.domain.attachments import accepted_kinds, describe_size

    files = config.attachments
    click.echo(f"  attachments: {files.max_files_per_message} files a message of at most "
               f"{describe_size(files.max_file_bytes)} each, "
               f"{describe_size(files.max_bytes_per_ticket)} a ticket; "
               f"{accepted_kinds(files.allowed_types)}")
    for line in describe_workflow(config.workflow):
        click.echo(f"  {line}")


def serving_settings(settings, host: str, port: int):
    """The settings `loket serve` runs with: links in e-mails point at the address it
    serves on (`make serve PORT=8123`), unless LOKET_BASE_URL names another."""
    if os.environ.get("LOKET_BASE_URL"):
        return settings
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return settings.model_copy(update={"base_url": f"http://{shown}:{port}"})


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Serve the built site and the API together, with the embedded store."""
    import waitress

    from loket.web.app import create_app

    from loket.mail.smtp import SMTPServer
    from loket.services.mail_dispatch import (OVERDUE, OVERDUE_CHECK_SECONDS, MailLoop,
                                              MailProcess)
    from loket.services.sweeper import SweepLoop

    settings = serving_settings(_settings(), host, port)
    services = _services(settings, load_holidays=bool(settings.sweep_interval))
    app = create_app(settings, services=services)
    click.echo(f"Loket is serving on http://{host}:{port}/")
    click.echo(f"  links: {settings.base_url} (in e-mails; LOKET_BASE_URL sets another)")
    click.echo(f"  site:  {settings.site_dir.resolve()}"
               + ("" if settings.site_dir.is_dir() else "  (not built: run `make site`)"))
    if settings.store == "sqlite":
        click.echo(f"  data:  {settings.sqlite_path.resolve()} (SQLite)")
    else:
        click.echo(f"  data:  DynamoDB table {settings.dynamodb_table}")
    if settings.mail == "outbox":
        click.echo(f"  mail:  {settings.outbox_dir.resolve()}/*.eml")
    elif settings.mail == "smtp":
        click.echo(f"  mail:  SMTP {SMTPServer.from_url(settings.smtp_url).host}")
    click.echo(f"  sweep: every {settings.sweep_interval} s" if settings.sweep_interval
               else "  sweep: off (LOKET_SWEEP_INTERVAL=0; run `loket sweep` yourself)")
    sys.stdout.flush()
    sweeper = SweepLoop(services, settings.sweep_interval)
    if settings.sweep_interval:
        sweeper.start()
    # Queued mail goes out at once: every write that queues mail wakes the mail process.
    mailer = MailProcess(settings, settings.mail_interval or 3600).start()
    services.store.mail_listener = mailer.wake
    # The mail process runs only on CPU time nothing else wants: mail it leaves waiting
    # (a host busy with other work) is sent by this process, so none waits for long.
    backstop = MailLoop(services, OVERDUE_CHECK_SECONDS, waited=OVERDUE).start()
    fetcher = _mail_fetch_loop(settings, services)
    # A service manager stops us with SIGTERM: leave through `finally`, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="loket",
                       clear_untrusted_proxy_headers=True, _quiet=True)
    finally:
        # Let a sweep or a batch of mail in progress finish; unsent mail stays queued.
        sweeper.stop()
        mailer.stop()
        backstop.stop()
        if fetcher is not None:
            fetcher.stop()


def _mail_fetch_loop(settings, services):
    """Fetch mail from LOKET_IMAP_URL in the background, when it is set."""
    if not settings.imap_url or not settings.imap_interval:
        return None
    from loket.mail.imap import ImapError
    from loket.services.mail_fetch import MailFetchLoop, mailbox_from_settings

    try:
        mailbox = mailbox_from_settings(settings)
    except ImapError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"  mail:  fetched every {settings.imap_interval} s from "
               f"{mailbox().target!r}")
    return MailFetchLoop(services, mailbox, settings.imap_interval).start()


@main.command()
@click.option("--now", "at", metavar="MOMENT",
              help="Sweep as if it were this moment, e.g. 2026-12-30T14:00 (in the "
                   "business calendar's time zone unless it names one).  [default: now]")
@click.option("--dry-run", is_flag=True, help="List what is due and would happen; change "
                                              "and send nothing.")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 5000),
              help="Due tickets read from the store at a time.")
def sweep(at: str | None, dry_run: bool, batch: int) -> None:
    """Fire every due timer and SLA deadline once: reminders, moves, closes, breaches.

    `loket serve` does this in the background; run this from cron when it does not
    run, or to see what is due. Safe beside a running sweeper: each change is made once.
    """
    from loket.services.sweeper import sweep as sweep_due

    services = _services(_settings(), load_holidays=True)
    moment = _moment(at, services.config.workflow.calendar.zone) if at else None
    report = sweep_due(services, now=moment, dry_run=dry_run, batch=batch)
    for action in report.actions:
        click.echo(action)
    click.echo(f"{'dry run at' if dry_run else 'swept at'} {report.now.isoformat()}: "
               f"{report.summary()}")


def _moment(text: str, zone):
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"'{text}' is not a moment like 2026-12-30T14:00",
                                 param_hint="--now") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


@main.command("uploads-clean")
@click.option("--now", "at", metavar="MOMENT",
              help="Clean as if it were this moment, e.g. 2026-12-30T14:00 (UTC unless it "
                   "names a zone).  [default: now]")
def uploads_clean(at: str | None) -> None:
    """Remove uploaded files that were never attached to a ticket within a day.

    Files of tickets are never touched. Run it daily from cron when the sweeper does
    not; on AWS the bucket's lifecycle rule removes such files as well.
    """
    from datetime import timezone

    from loket.services.attachments import clean_up_uploads

    services = _services(_settings())
    moment = _moment(at, timezone.utc) if at else None
    removed = clean_up_uploads(services, moment)
    click.echo(f"{removed} expired upload{'' if removed == 1 else 's'} removed")


@main.command("blobs-clean")
@click.option("--dry-run", is_flag=True, help="List the blobs that would go; remove nothing.")
@click.option("--grace-hours", default=24, show_default=True, type=click.IntRange(1, None),
              help="Keep every blob written within this many hours: its message may be "
                   "being stored right now.")
@click.option("--now", "at", metavar="MOMENT",
              help="Clean as if it were this moment (UTC unless it names a zone).  "
                   "[default: now]")
def blobs_clean(dry_run: bool, grace_hours: int, at: str | None) -> None:
    """Remove attachment files (attachments/, thumbnails/) that no message names.

    A crash or a re-delivered mail can leave a file stored with no message naming it.
    Reads every message with files, so run it now and then (the sweeper does, once a
    day); on S3 the bucket is listed a page at a time.
    """
    from datetime import timedelta, timezone

    from loket.services.blob_cleanup import remove_unnamed_blobs

    services = _services(_settings())
    if services.blobs is None:
        raise click.ClickException("no blob store is configured: nothing to clean")
    moment = _moment(at, timezone.utc) if at else None
    report = remove_unnamed_blobs(services, moment, grace=timedelta(hours=grace_hours),
                                  dry_run=dry_run)
    for key in report.unnamed:
        click.echo(f"{'would remove' if dry_run else 'removed'} {key}")
    click.echo(report.summary())


@main.command("search-build")
@click.option("--site-dir", type=click.Path(path_type=Path, file_okay=False),
              help="The built site folder.  [default: LOKET_SITE_DIR, or site]")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=True, file_okay=False),
              help="The index folder.  [default: LOKET_SEARCH_INDEX, or search/index]")
def search_build(site_dir: Path | None, out: Path | None) -> None:
    """Build the knowledge-base search index from an already built site folder.

    The site build does this too; use this command when the site was built elsewhere.
    """
    from loket.search.index import build_index_from_site

    settings = _settings()
    site_dir = site_dir or settings.site_dir
    out = out or settings.search_index
    if not site_dir.is_dir():
        raise click.ClickException(f"{site_dir}: no built site here (run `make site` first)")
    count = build_index_from_site(site_dir, out)
    if not count:
        raise click.ClickException(f"{site_dir}: no pages with content found to index")
    click.echo(f"{out}: {count} pages indexed from {site_dir}")


@main.command("mail-import")
@click.argument("files", nargs=-1, required=True)
def mail_import(files: tuple[str, ...]) -> None:
    """Take in raw e-mails: .eml files, or - for standard input.

    Each becomes a new ticket, a reply on its ticket, or is refused (auto-replies,
    bounces); the decision is printed per file. Importing a mail again changes nothing.
    Exits with 1 when a file could not be read or taken in.
    """
    from loket.services.mail_in import take_in_mail

    services = _services(_settings())
    failed = 0
    for name in files:
        try:
            with click.open_file(name, "rb") as stream:  # "-" is standard input.
                raw = stream.read()
        except OSError as exc:
            click.echo(f"{name}: cannot read: {exc.strerror or exc}", err=True)
            failed += 1
            continue
        try:
            decision = take_in_mail(services, raw)
        except Exception as exc:  # Report it and go on with the other files.
            click.echo(f"{name}: not taken in: {type(exc).__name__}: {exc}", err=True)
            failed += 1
            continue
        click.echo(f"{name}: {decision}")
    if failed:
        sys.exit(1)


def _add_account_commands() -> None:
    from loket.cli_accounts import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_add_account_commands()


def _add_mail_commands() -> None:
    import loket.cli_mail_queue  # noqa: F401  (adds queue, retry, send-queued to `mail`)
    from loket.cli_mail import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_add_mail_commands()


def _add_mail_retry_command() -> None:
    from loket.cli_mail_retry import mail_retry  # AWS: mail the mailIn function failed on

    main.add_command(mail_retry)


_add_mail_retry_command()


def _add_backup_command() -> None:
    from loket.cli_backup import backup, restore  # SQLite; DynamoDB has PITR
    from loket.cli_table_check import table_check  # a restored table before its use

    main.add_command(backup)
    main.add_command(restore)
    main.add_command(table_check)


_add_backup_command()


def _add_export_commands() -> None:
    from loket.cli_export import COMMANDS  # export, import, migrate (#15)

    for command in COMMANDS:
        main.add_command(command)


_add_export_commands()


def _add_desk_commands() -> None:
    from loket.cli_desk import desk_reindex  # the desk's views after an upgrade (#12)

    main.add_command(desk_reindex)


_add_desk_commands()


def _add_retention_command() -> None:
    from loket.cli_retention import retention_schedule  # closed tickets' moment (#15)

    main.add_command(retention_schedule)


_add_retention_command()


def _add_publish_command() -> None:
    from loket.cli_publish import COMMANDS  # publish: known issues' fixes (#16)

    for command in COMMANDS:
        main.add_command(command)


_add_publish_command()


if __name__ == "__main__":
    main()
