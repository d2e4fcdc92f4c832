"""Work every ticket's place in the desk's queues out again (`loket desk-reindex`).

The workflow keeps queue_category and queue_order up to date with every change
(domain/desk_queues.py). Two things leave them behind without a change to the ticket:
tickets stored before the desk's views existed, and a new SLA configuration (its
priorities' order and targets, the calendar). This walks each product's tickets a page
at a time, oldest first, from the product index (never a scan of everything at once),
and stores the keys that differ; with `words`, it also makes the messages of each
ticket searchable (a DynamoDB table from before the desk's search; SQLite's migration
did that itself); with `suppressions`, it puts suppressed addresses stored before the
desk's list of them on that list (index_suppressions).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator

from loket.domain.tickets import Ticket

from loket.services.context import Services
from loket.storage.account_records import TicketQuery

PAGE = 100


@dataclass
class ReindexReport:
    seen: int = 0
    updated: int = 0
    skipped: int = 0  # changed meanwhile: that save worked its keys out itself

    def summary(self) -> str:
        return (f"{self.seen} tickets seen, {self.updated} updated, "
                f"{self.skipped} changed meanwhile")


def reindex_desk(services: Services, products: list[str], *, words: bool = False) -> ReindexReport:
    report = ReindexReport()
    workflow = services.config.workflow
    for ticket in product_tickets(services, products):
        report.seen += 1
        fresh = replace(ticket, **workflow.queue_keys(ticket))
        if fresh == ticket and not words:
            continue
        texts = ([ticket.subject, *(m.body for m in services.store.list_messages(
            ticket.number))] if words else [])
        if services.store.refresh_desk_keys(fresh, texts):
            report.updated += 1
        else:
            report.skipped += 1
    return report


def product_tickets(services: Services, products: list[str]) -> Iterator[Ticket]:
    """Every ticket of each product, oldest first, from the product index a page of
    PAGE at a time (never a scan of everything at once). The upgrade commands' walk:
    this one and `loket retention-schedule` (services/retention.py)."""
    for product in products:
        after = None
        while True:
            page = services.store.list_tickets(TicketQuery(
                frozenset({product}), product=product, limit=PAGE, newest_first=False,
                after=after))
            yield from page[:PAGE]
            if len(page) <= PAGE:
                break
            after = page[PAGE - 1].number


def index_suppressions(services: Services) -> int:
    """Suppressions stored before the desk's list (a DynamoDB table from before it; on
    SQLite every suppression is on it): how many were put on it. Asked for by a flag
    of its own: on DynamoDB it is a Scan of the whole table, worth it once after that
    upgrade, not after every change of the SLA."""
    return services.store.index_suppressions()
