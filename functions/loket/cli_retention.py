"""`loket retention-schedule`: finished tickets given their retention moment
(services/retention.py), after `retention: closed_ticket_months` was first set or changed."""

from __future__ import annotations

import click


@click.command("retention-schedule")
@click.option("--product", "products", multiple=True,
              help="Only this product (repeat for more); every configured product if none.")
def retention_schedule(products: tuple[str, ...]) -> None:
    """Give every closed ticket the moment its personal data goes (portal.yml
    `retention: closed_ticket_months`), so the sweeper finds it in the due index: once
    after an upgrade, and after the number of months changed. Tickets closed later get
    theirs when they close."""
    from loket.cli import _services, _settings
    from loket.services.retention import schedule_closed_tickets

    services = _services(_settings())
    if services.config.retention.closed_ticket_months is None:
        click.echo("retention: closed_ticket_months is not set in portal.yml: closed "
                   "tickets keep their data, and any moment given before is taken back")
    chosen = list(products) or sorted(services.config.products)
    click.echo(schedule_closed_tickets(services, chosen).summary())
