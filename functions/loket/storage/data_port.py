"""The DataPort (ports.py) of a store: what `loket export`, `loket import`,
`loket migrate` (services/export.py) and `loket accounts erase` (services/erase.py) read
and write through."""

from __future__ import annotations


def data_port(store):
    """The export/import adapter for `store`, by its kind. Kept beside the stores rather
    than mixed into them: only the operator's commands need it, never a request."""
    from loket.storage.dynamodb import DynamoDBStore
    from loket.storage.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        from loket.storage.sqlite_export import SQLiteErase

        return SQLiteErase(store)
    if isinstance(store, DynamoDBStore):
        from loket.storage.dynamodb_export import DynamoDBErase

        return DynamoDBErase(store)
    raise TypeError(f"no export adapter for {type(store).__name__}")
