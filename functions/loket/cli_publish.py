"""`loket publish`: after the site build, tell every ticket linked to a known issue
that a published release note fixes (services/known_issues.py). Idempotent: a second
run tells nobody twice."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--site", "site_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="The built site (default LOKET_SITE_DIR).")
@click.option("--leave-mail-queued", is_flag=True,
              help="Send no mail here: on AWS the mailDispatch function sends it.")
def publish(site_dir: Path | None, leave_mail_queued: bool) -> None:
    """Send fix-released for known issues fixed by a published release note."""
    from loket.cli import _services, _settings
    from loket.domain.known_issues import CATALOG_FILE, load_catalog
    from loket.services.known_issues import publish as publish_fixes

    settings = _settings()
    site_dir = site_dir or settings.site_dir
    if not (site_dir / CATALOG_FILE).is_file():
        raise click.ClickException(f"{site_dir / CATALOG_FILE}: not found; build the site "
                                   "first (make site)")
    catalog = load_catalog(site_dir)
    services = _services(settings)
    if leave_mail_queued:
        # The e-mails stay in the store's queue (written with each ticket's change) for
        # the dispatcher; a CI runner has no business sending the vendor's mail.
        services.store.mail_listener = None
    done = publish_fixes(services, catalog)
    for issue, number in done.told:
        click.echo(f"{issue}: #{number} told the fix is released")
    fixed = sum(1 for issue in catalog.issues.values() if issue.fixed)
    click.echo(f"{fixed} known issues fixed, {len(done.told)} tickets told, "
               f"{len(done.already)} told before")


COMMANDS = [publish]
