"""`loket desk-reindex`: the desk's queue keys worked out again (services/desk_reindex.py)."""

from __future__ import annotations

import click


@click.command("desk-reindex")
@click.option("--product", "products", multiple=True,
              help="Only this product (repeat for more); every configured product if none.")
@click.option("--words", is_flag=True,
              help="Also make every ticket's messages searchable (a DynamoDB table from "
                   "before the desk's search); reads each ticket's messages.")
def desk_reindex(products: tuple[str, ...], words: bool) -> None:
    """Work out each ticket's place in the desk's views again: after an upgrade, or
    after the SLA (priorities, targets, calendar) changed."""
    from loket.cli import _services, _settings
    from loket.services.desk_reindex import reindex_desk

    services = _services(_settings())
    chosen = list(products) or sorted(services.config.products)
    click.echo(reindex_desk(services, chosen, words=words).summary())
