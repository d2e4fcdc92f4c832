"""The mail queue's commands in the `loket mail` group (cli_mail.py): `queue` lists
pending and failed mail, `retry ID` puts a failed one back, `send-queued` sends what
is due (what `loket serve` does in the background)."""

from __future__ import annotations

import sys

import click

from loket.cli_mail import _services, mail


@mail.command("queue")
@click.option("--failed", "only_failed", is_flag=True,
              help="Only mail that failed or was suppressed.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
def queue(only_failed: bool, limit: int) -> None:
    """List outgoing mail not sent yet: pending (next attempt first), then failed and
    suppressed (newest first), with the last error."""
    store = _services().store
    mails = ([] if only_failed else store.list_mail(pending=True, limit=limit))
    mails += store.list_mail(pending=False, limit=limit)
    for item in mails:
        when = (f"next {item.next_attempt_at:%Y-%m-%d %H:%M:%S}" if item.next_attempt_at
                else f"queued {item.created_at:%Y-%m-%d %H:%M:%S}")
        ticket = f" #{item.ticket}" if item.ticket else ""
        click.echo(f"{item.id}  {item.state.value:<10} {item.kind:<14} {item.to}{ticket}  "
                   f"{when}  attempts {item.attempts}"
                   + (f"  {item.last_error}" if item.last_error else ""))
    click.echo(f"{len(mails)} mail(s)" if mails else "no mail waiting or failed")


@mail.command("retry")
@click.argument("mail_id")
def retry(mail_id: str) -> None:
    """Queue a failed or suppressed mail again, due now (same Message-ID)."""
    from loket.domain.errors import Refused
    from loket.services.mail_dispatch import retry_mail

    try:
        again = retry_mail(_services(), mail_id)
    except Refused as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"{again.id}: queued again for {again.to}; `loket serve` or "
               "`loket mail send-queued` sends it")


@mail.command("send-queued")
def send_queued() -> None:
    """Send every queued mail that is due now, once. Exits with 1 when a mail failed
    for good in this run."""
    from loket.services.mail_dispatch import send_queued as send

    report = send(_services())
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


@mail.command("unsuppress")
@click.argument("address")
@click.option("--by", "lifted_by", default=None,
              help="Who lifts it, kept with the record [default: cli:<your user name>].")
@click.option("--note", default="", help="Why, kept with the record.")
def unsuppress(address: str, lifted_by: str | None, note: str) -> None:
    """Let mail go to ADDRESS again after a hard bounce or a complaint suppressed it.
    The suppression is kept as a record with who lifted it; mail that was suppressed
    stays so until `loket mail retry ID`."""
    import getpass

    from loket.domain.errors import Refused
    from loket.services.suppressions import lift_suppression

    by = lifted_by or f"cli:{getpass.getuser()}"
    try:
        lift = lift_suppression(_services(), address, by=by, note=note)
    except Refused as exc:
        raise click.ClickException(exc.detail) from None
    was = lift.suppression
    click.echo(f"{was.address}: suppression lifted by {lift.lifted_by} (it was a {was.reason} "
               f"on {was.created_at:%Y-%m-%d %H:%M} UTC: {was.detail}); mail goes to it again")
