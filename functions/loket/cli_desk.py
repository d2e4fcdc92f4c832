"""`loket desk-reindex`: the desk's queue keys worked out again (services/desk_reindex.py)."""

from __future__ import annotations

import click


@click.command("desk-reindex")
@click.option("--product", "products", multiple=True,
              help="Only this product (repeat for more); every configured product if none.")
@click.option("--words", is_flag=True,
              help="Also make every ticket's messages searchable (a DynamoDB table from "
                   "before the desk's search); reads each ticket's messages.")
@click.option("--suppressions", is_flag=True,
              help="Also put suppressed addresses stored before the desk's list of them "
                   "on it (a DynamoDB table from before that list); a Scan of the table.")
def desk_reindex(products: tuple[str, ...], words: bool, suppressions: bool) -> None:
    """Work out each ticket's place in the desk's views again: after an upgrade, or
    after the SLA (priorities, targets, calendar) changed."""
    from loket.cli import _services, _settings
    from loket.services.desk_reindex import reindex_desk

    settings = _settings()
    services = _services(settings)
    chosen = list(products) or sorted(services.config.products)
    click.echo(reindex_desk(services, chosen, words=words).summary())
    if suppressions:
        _index_suppressions(settings, services)


def _index_suppressions(settings, services) -> None:
    from loket.services.desk_reindex import index_suppressions

    on_dynamodb = settings.store == "dynamodb"
    if on_dynamodb:
        # A suppression's key is its address and no index holds the old ones: say what
        # this reads, as `loket export` announces its Scan.
        click.echo(f"reading table {settings.dynamodb_table} with a Scan, a page at a "
                   "time, filtered to suppression items without the list's keys", err=True)
    fixed = index_suppressions(services)
    click.echo(f"{fixed} suppressions put on the desk's list" + (
        "" if on_dynamodb else " (nothing to do on SQLite: its suppressions table is the list)"))
