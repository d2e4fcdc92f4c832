"""The DataPort contract (ports.py) on SQLite and DynamoDB: a store's whole content goes
out as records and comes back into an empty store of the same kind unchanged; an import
run again writes nothing; a store with data is refused unless merging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loket.services.export import ImportRefused, export_data, import_data
from loket.services.export_format import ExportFormatError
from loket.storage.data_port import data_port
from loket.storage.desk_queries import TicketSearch
from tests.sample_data import PERSON, fill
from tests.stores import make_store


@pytest.fixture
def twin(store, tmp_path):
    """A second, empty store of the same kind (another table or file)."""
    if store.__class__.__name__ == "DynamoDBStore":
        from loket.storage.dynamodb import DynamoDBStore, create_table

        other = DynamoDBStore("loket-twin", region="eu-west-1")
        create_table(other.client, "loket-twin")
        return other
    (tmp_path / "twin").mkdir()
    return make_store("sqlite", tmp_path / "twin")


def lines(folder: Path) -> dict[str, list[str]]:
    return {p.name: sorted(p.read_text().splitlines()) for p in sorted(folder.glob("*.jsonl"))}


def test_everything_goes_out_and_comes_back_the_same(store, twin, tmp_path):
    fill(store)
    first = export_data(data_port(store), None, tmp_path / "a", source="test")
    counts = {name: f["count"] for name, f in first.files.items()}
    assert counts == {"accounts.jsonl": 2, "counters.jsonl": 2, "idempotency_keys.jsonl": 1,
                      "known_issue_links.jsonl": 1, "mail.jsonl": 3,
                      "organizations.jsonl": 1, "refused.jsonl": 1,
                      "suppression_lifts.jsonl": 1, "suppressions.jsonl": 1,
                      "tickets.jsonl": 2, "uploads.jsonl": 1}
    report = import_data(twin, data_port(twin), None, tmp_path / "a")
    assert report.written["tickets"] == 2
    again = export_data(data_port(twin), None, tmp_path / "b", source="test")
    assert again.files == first.files
    assert lines(tmp_path / "b") == lines(tmp_path / "a")


def test_a_ticket_comes_back_with_its_messages_events_rating_number_and_access_key(
        store, twin, tmp_path):
    made = fill(store)["mine"]
    export_data(data_port(store), None, tmp_path / "a", source="test")
    import_data(twin, data_port(twin), None, tmp_path / "a")
    assert twin.get_ticket(made.number) == store.get_ticket(made.number)
    assert twin.list_messages(made.number) == store.list_messages(made.number)
    assert twin.get_rating(made.number) == store.get_rating(made.number)
    assert twin.list_events(made.number) == store.list_events(made.number)
    # The desk finds it by a word of a reply (its search index is made on import).
    found = twin.search_tickets(TicketSearch(products=frozenset({"planner"}),
                                             words=("broken",)))
    assert [t.number for t in found] == [made.number]
    assert twin.get_suppression(PERSON) == store.get_suppression(PERSON)
    assert twin.list_suppressions() == store.list_suppressions()  # the desk's list too
    assert twin.suppression_lifts(PERSON) == store.suppression_lifts(PERSON) != []
    assert twin.known_issue_tickets("PLN-142") == [made.number]
    assert twin.get_refused("r1") == store.get_refused("r1")
    # Numbers go on after the highest imported one.
    from tests.contract.test_store_contract import new_ticket

    assert twin.create_ticket(new_ticket())[0].number == made.number + 2


def test_password_hashes_stay_out_unless_asked_for(store, tmp_path):
    fill(store)
    export_data(data_port(store), None, tmp_path / "plain", source="test")
    export_data(data_port(store), None, tmp_path / "secret", source="test", with_secrets=True)
    assert "scrypt$secret" not in (tmp_path / "plain" / "accounts.jsonl").read_text()
    assert "scrypt$secret" in (tmp_path / "secret" / "accounts.jsonl").read_text()


def test_an_import_run_again_writes_nothing_twice(store, twin, tmp_path):
    fill(store)
    export_data(data_port(store), None, tmp_path / "a", source="test")
    port = data_port(twin)
    # A crash after the first tickets: the run again goes on and doubles nothing.
    first_line = (tmp_path / "a" / "tickets.jsonl").read_text().splitlines()[0]
    port.import_records("tickets", [json.loads(first_line)])
    twin.add_to_counter("import#" + json.loads(
        (tmp_path / "a" / "manifest.json").read_text())["id"], 1)
    report = import_data(twin, port, None, tmp_path / "a")
    assert report.written["tickets"] == 1
    again = import_data(twin, port, None, tmp_path / "a")
    assert sum(again.written.values()) == 0
    export_data(port, None, tmp_path / "b", source="test")
    assert lines(tmp_path / "b") == lines(tmp_path / "a")


def test_a_store_with_data_is_refused_unless_merging(store, twin, tmp_path):
    fill(store)
    export_data(data_port(store), None, tmp_path / "a", source="test")
    from tests.contract.test_store_contract import new_ticket

    own, _ = twin.create_ticket(new_ticket("Mine, not the export's"))
    with pytest.raises(ImportRefused, match="--merge"):
        import_data(twin, data_port(twin), None, tmp_path / "a")
    assert twin.get_ticket(own.number + 1) is None
    report = import_data(twin, data_port(twin), None, tmp_path / "a", merge=True)
    # The store's own ticket keeps its number; the export's with the same number waits.
    assert twin.get_ticket(own.number).subject == "Mine, not the export's"
    assert report.written["tickets"] == 1


def test_a_damaged_export_changes_nothing(store, twin, tmp_path):
    fill(store)
    export_data(data_port(store), None, tmp_path / "a", source="test")
    path = tmp_path / "a" / "accounts.jsonl"
    path.write_text(path.read_text().replace("Acme", "Acne").replace("Zo", "Jo"))
    with pytest.raises(ExportFormatError, match="accounts.jsonl"):
        import_data(twin, data_port(twin), None, tmp_path / "a")
    assert not data_port(twin).holds_data()
    (tmp_path / "a" / "manifest.json").unlink()
    with pytest.raises(ExportFormatError, match="manifest.json"):
        import_data(twin, data_port(twin), None, tmp_path / "a")


def test_export_wants_an_empty_folder(store, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "keep.txt").write_text("mine")
    with pytest.raises(ExportFormatError, match="not empty"):
        export_data(data_port(store), None, tmp_path / "a", source="test")


def test_a_ticket_changed_during_the_export_comes_out_as_one_version(store):
    """SQLite reads one snapshot: the ticket as it was when the export began. DynamoDB's
    Scan is no snapshot, so a ticket changed while it ran is read again at the end."""
    from dataclasses import replace

    from tests.sample_data import save_audited

    made = fill(store)["other"]
    port = data_port(store)

    def change():
        ticket = store.get_ticket(made.number)
        save_audited(store, replace(ticket, subject="Changed meanwhile"),
                     expected_version=ticket.version)

    if store.__class__.__name__ == "DynamoDBStore":
        scan = port._scan

        def scan_then_change():
            yield from scan()
            change()  # after the Scan read the ticket, before the lines come out

        port._scan = scan_then_change
        expected = "Changed meanwhile"
        records = port.export_records()
    else:
        records = port.export_records()
        first = next(records)  # the snapshot is taken
        change()
        records = iter([first, *records])
        expected = made.subject
    tickets = {r["ticket"]["number"]: r for kind, r in records if kind == "tickets"}
    assert tickets[made.number]["ticket"]["subject"] == expected
    assert len(tickets[made.number]["events"]) == len(store.list_events(made.number)) - (
        expected == made.subject)
