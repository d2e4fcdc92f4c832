"""Reading every page of a DynamoDB Query without botocore's paginator."""

from __future__ import annotations

from typing import Any, Iterator


def query_items(client: Any, **query: Any) -> Iterator[dict[str, Any]]:
    """Every item a Query answers, page after page (LastEvaluatedKey), as the paginator
    would give them.

    Why not client.get_paginator("query"): the first paginator of a process reads
    botocore's paginators-1.json, and botocore lists every service's data folder on the
    way (some 1,400 file checks). A cold submission's one Query (the board's agents who
    want new tickets) paid that on the request (bench/cold_start.py).
    """
    while True:
        page = client.query(**query)
        yield from page["Items"]
        if "LastEvaluatedKey" not in page:
            return
        query = {**query, "ExclusiveStartKey": page["LastEvaluatedKey"]}
