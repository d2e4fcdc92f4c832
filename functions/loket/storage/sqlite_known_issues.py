"""SQLiteStore's links from known issues to tickets: which tickets to tell when the
issue's fix is released (services/known_issues.py). The ticket's own timeline holds
the link event; this table is the index that finds the tickets without a scan."""

from __future__ import annotations

from datetime import datetime

from loket.storage.records import utc_iso

KNOWN_ISSUES_MIGRATION = """
    CREATE TABLE IF NOT EXISTS known_issue_links (
        issue TEXT NOT NULL, ticket INTEGER NOT NULL REFERENCES tickets(number),
        linked_at TEXT NOT NULL, PRIMARY KEY (issue, ticket)) WITHOUT ROWID
"""


class SQLiteKnownIssues:
    """Mixed into SQLiteStore; expects its _connection() and _write()."""

    def add_known_issue_link(self, issue: str, number: int, at: datetime) -> None:
        with self._write() as conn:
            conn.execute("INSERT INTO known_issue_links VALUES (?, ?, ?) "
                         "ON CONFLICT (issue, ticket) DO NOTHING", (issue, number, utc_iso(at)))

    def known_issue_tickets(self, issue: str) -> list[int]:
        rows = self._connection().execute(
            "SELECT ticket FROM known_issue_links WHERE issue = ? ORDER BY ticket",
            (issue,)).fetchall()
        return [row[0] for row in rows]
