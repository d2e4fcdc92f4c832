"""E-mail commands: `loket mail-fetch` (mail in from an IMAP mailbox), and the `loket
mail` group: the refused mail an agent or operator looks after (`refused`, `show`,
`take-in`). Other mail commands belong in the same group."""

from __future__ import annotations

import sys

import click


def _services():
    from loket.cli import _services as services, _settings as settings

    return services(settings())


@click.command("mail-fetch")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10_000),
              help="Messages taken in at most in this run.")
def mail_fetch(limit: int) -> None:
    """Take in the mail waiting in the IMAP mailbox LOKET_IMAP_URL names.

    Each message becomes a ticket, a reply or a kept refusal, and then moves to the
    processed folder (LOKET_IMAP_PROCESSED). Run it from cron, or let `loket serve`
    fetch every LOKET_IMAP_INTERVAL seconds. Exits with 1 when a message was left for
    the next run.
    """
    from loket.cli import _settings
    from loket.mail.imap import ImapError
    from loket.services.mail_fetch import fetch_mail, mailbox_from_settings

    settings = _settings()
    if not settings.imap_url:
        raise click.ClickException("set LOKET_IMAP_URL, e.g. imaps://user:pass@host:993/INBOX")
    try:
        mailbox = mailbox_from_settings(settings)
        services = _services()
        report = fetch_mail(services, mailbox, limit=limit,
                            taken=lambda uid, decision: click.echo(f"{uid}: {decision}"))
    except (ImapError, OSError) as exc:
        raise click.ClickException(f"IMAP: {exc}") from None
    for uid, error in report.failed:
        click.echo(f"{uid}: not taken in, left in the mailbox: {error}", err=True)
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


@click.group("mail")
def mail() -> None:
    """E-mail: the mail that mail-in refused."""


@mail.command("refused")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
def refused(limit: int) -> None:
    """List refused mail, newest first: id, when, kind, sender, subject, reason."""
    from loket.services.refused_mail import list_refused

    found = list_refused(_services(), limit=limit)
    for record in found:
        state = "held" if record.held else f"taken in as #{record.ticket}"
        click.echo(f"{record.id}  {record.received_at:%Y-%m-%d %H:%M}  {record.kind.value:<13} "
                   f"{record.sender or '-'}  {record.subject!r}  ({state})")
        click.echo(f"    {record.reason}")
    if not found:
        click.echo("no refused mail")


@mail.command("show")
@click.argument("refused_id")
def show(refused_id: str) -> None:
    """Print a refused mail as it came in (raw RFC 822)."""
    from loket.domain.errors import ValidationFailed
    from loket.services.refused_mail import get_refused, refused_raw

    services = _services()
    try:
        raw = refused_raw(services, get_refused(services, refused_id))
    except ValidationFailed as exc:
        raise click.ClickException(str(exc)) from None
    if raw is None:
        raise click.ClickException(f"{refused_id}: the raw mail was not kept")
    click.echo(raw, nl=False)  # bytes: written as they are


@mail.command("take-in")
@click.argument("refused_id")
@click.option("--by", "agent", required=True, help="Who decides (recorded with the mail).")
def take_in(refused_id: str, agent: str) -> None:
    """Take in a refused mail anyway: it becomes a ticket or a reply, as it would have."""
    from loket.domain.errors import ValidationFailed
    from loket.services.refused_mail import take_in_anyway

    try:
        decision = take_in_anyway(_services(), refused_id, agent=agent)
    except ValidationFailed as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{refused_id}: {decision}")


COMMANDS = [mail_fetch, mail]
