"""SQLiteStore's accounts, organizations, sessions, one-time links, plan counters,
ratings and the "my tickets" pages. A mixin: it works on the store's own connection
and write transactions (storage/sqlite.py), and its tables come from the same
migrations. tests/contract/test_accounts_contract.py defines the behaviour."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from loket.domain.accounts import (Account, OneTimeToken, Organization, Rating, Session,
                                   TokenPurpose)
from loket.domain.errors import AlreadyExists, IdempotencyConflict
from loket.domain.events import rated_event
from loket.domain.tickets import Ticket
from loket.storage.account_records import (TicketQuery, account_from_record,
                                           account_to_record, fold, organization_from_record,
                                           organization_to_record, rating_from_record,
                                           rating_to_record, session_from_record,
                                           session_to_record, token_from_record,
                                           token_to_record)
from loket.storage.records import ticket_from_record, utc_iso


class SQLiteAccounts:
    """Mixed into SQLiteStore; expects its _connection() and _write()."""

    # -- organizations ---------------------------------------------------------------

    def create_organization(self, org: Organization) -> None:
        with self._write() as conn:
            try:
                conn.execute("INSERT INTO organizations VALUES (?, ?)",
                             (org.id, json.dumps(organization_to_record(org))))
            except sqlite3.IntegrityError:
                raise AlreadyExists(org.id) from None

    def save_organization(self, org: Organization) -> None:
        with self._write() as conn:
            conn.execute("UPDATE organizations SET record = ? WHERE id = ?",
                         (json.dumps(organization_to_record(org)), org.id))

    def get_organization(self, org_id: str) -> Organization | None:
        row = self._connection().execute("SELECT record FROM organizations WHERE id = ?",
                                         (org_id,)).fetchone()
        return organization_from_record(json.loads(row[0])) if row else None

    def list_organizations(self) -> list[Organization]:
        rows = self._connection().execute("SELECT record FROM organizations ORDER BY id")
        return [organization_from_record(json.loads(row[0])) for row in rows]

    # -- accounts ----------------------------------------------------------------------

    def create_account(self, account: Account) -> None:
        with self._write() as conn:
            try:
                conn.execute("INSERT INTO accounts VALUES (?, ?, ?)",
                             (account.email, account.organization,
                              json.dumps(account_to_record(account))))
            except sqlite3.IntegrityError:
                raise AlreadyExists(account.email) from None

    def save_account(self, account: Account) -> None:
        with self._write() as conn:
            conn.execute("UPDATE accounts SET organization = ?, record = ? WHERE email = ?",
                         (account.organization, json.dumps(account_to_record(account)),
                          account.email))

    def get_account(self, email: str) -> Account | None:
        row = self._connection().execute("SELECT record FROM accounts WHERE email = ?",
                                         (email,)).fetchone()
        return account_from_record(json.loads(row[0])) if row else None

    def list_accounts(self, organization: str | None = None) -> list[Account]:
        """Every account (of one organization), by organization and e-mail address."""
        where, args = ("WHERE organization = ?", (organization,)) if organization else ("", ())
        rows = self._connection().execute(
            f"SELECT record FROM accounts {where} ORDER BY coalesce(organization, ''), email",
            args)
        return [account_from_record(json.loads(row[0])) for row in rows]

    def list_agents(self) -> list[Account]:
        rows = self._connection().execute(
            "SELECT record FROM accounts WHERE organization IS NULL ORDER BY email")
        return [account_from_record(json.loads(row[0])) for row in rows]

    # -- one-time links ------------------------------------------------------------------

    def create_token(self, token: OneTimeToken, *, mails=()) -> None:
        """Store the link; `mails` (the e-mail that carries it) are queued with it."""
        rec = token_to_record(token)
        with self._write() as conn:
            conn.execute(f"INSERT INTO one_time_tokens ({', '.join(rec)}) "
                         f"VALUES ({', '.join('?' for _ in rec)})", list(rec.values()))
            self._insert_mails(conn, mails)
        self._mail_queued(mails)

    def get_token(self, token_hash: str, purpose: TokenPurpose,
                  now: datetime) -> OneTimeToken | None:
        """The link if it is there, of this purpose and not expired; it stays usable."""
        row = self._connection().execute(
            "SELECT * FROM one_time_tokens WHERE hash = ? AND purpose = ? AND expires_at > ?",
            (token_hash, purpose.value, utc_iso(now))).fetchone()
        return token_from_record(dict(row)) if row else None

    def take_token(self, token_hash: str, purpose: TokenPurpose,
                   now: datetime) -> OneTimeToken | None:
        """Use the link up: of two requests with the same link only one gets it."""
        with self._write() as conn:
            row = conn.execute(
                "DELETE FROM one_time_tokens WHERE hash = ? AND purpose = ? AND expires_at > ? "
                "RETURNING *", (token_hash, purpose.value, utc_iso(now))).fetchone()
            conn.execute("DELETE FROM one_time_tokens WHERE expires_at <= ?", (utc_iso(now),))
        return token_from_record(dict(row)) if row else None

    # -- sessions ------------------------------------------------------------------------

    def create_session(self, session: Session) -> None:
        rec = session_to_record(session)
        with self._write() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (rec["created_at"],))
            conn.execute(f"INSERT INTO sessions ({', '.join(rec)}) "
                         f"VALUES ({', '.join('?' for _ in rec)})", list(rec.values()))

    def get_session(self, session_hash: str, now: datetime) -> Session | None:
        row = self._connection().execute(
            "SELECT * FROM sessions WHERE hash = ? AND expires_at > ?",
            (session_hash, utc_iso(now))).fetchone()
        return session_from_record(dict(row)) if row else None

    def delete_session(self, session_hash: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM sessions WHERE hash = ?", (session_hash,))

    # -- counters (support plans) ----------------------------------------------------------

    def add_to_counter(self, name: str, amount: int, *, at_most: int | None = None) -> int | None:
        """Add `amount` to the counter (missing counters are 0); with `at_most`, only if
        the result stays at or below it. Returns the new value, or None when refused."""
        with self._write() as conn:
            row = conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
            value = (row[0] if row else 0) + amount
            if at_most is not None and value > at_most:
                return None
            conn.execute("INSERT INTO counters VALUES (?, ?) ON CONFLICT(name) "
                         "DO UPDATE SET value = excluded.value", (name, value))
            return value

    def counter_value(self, name: str) -> int:
        row = self._connection().execute("SELECT value FROM counters WHERE name = ?",
                                         (name,)).fetchone()
        return int(row[0]) if row else 0

    # -- ratings -------------------------------------------------------------------------

    def rate_ticket(self, rating: Rating) -> bool:
        """Store the ticket's rating; False (and nothing stored) when it has one."""
        rec = rating_to_record(rating)
        with self._write() as conn:
            changed = conn.execute(
                f"INSERT OR IGNORE INTO ratings ({', '.join(rec)}) "
                f"VALUES ({', '.join('?' for _ in rec)})", list(rec.values())).rowcount
            if changed == 1:  # Its event in the same write (domain/events.py).
                self._insert_events(conn, [rated_event(rating)])
        return changed == 1

    def get_rating(self, number: int) -> Rating | None:
        row = self._connection().execute("SELECT * FROM ratings WHERE ticket = ?",
                                         (number,)).fetchone()
        return rating_from_record(dict(row)) if row else None

    # -- idempotency keys --------------------------------------------------------------------

    def idempotent_ticket(self, key: str, fingerprint: str) -> Ticket | None:
        """The ticket an earlier request with this Idempotency-Key made, or None;
        IdempotencyConflict when that request was a different one."""
        row = self._connection().execute(
            "SELECT fingerprint, ticket FROM idempotency_keys WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        if row["fingerprint"] != fingerprint:
            raise IdempotencyConflict(key)
        return self.get_ticket(row["ticket"])

    # -- the tickets an account may see ------------------------------------------------------

    def list_tickets(self, query: TicketQuery) -> list[Ticket]:
        """One page of `query`: at most query.limit + 1 tickets (the extra one tells
        the caller there is a next page). Reads from the account, organization or
        product index, never the whole table."""
        if not query.products or query.statuses == frozenset():
            return []
        where, args = _conditions(query)
        order = "DESC" if query.newest_first else "ASC"
        conn = self._connection()
        conn.create_function("loket_fold", 1, fold, deterministic=True)
        rows = conn.execute(f"SELECT * FROM tickets WHERE {' AND '.join(where)} "
                            f"ORDER BY number {order} LIMIT ?",
                            [*args, query.limit + 1]).fetchall()
        return [ticket_from_record(dict(row)) for row in rows]


def _conditions(query: TicketQuery) -> tuple[list[str], list]:
    if query.account is not None:
        where, args = ["lower(email) = ?"], [query.account]
    elif query.product is not None:
        where, args = ["product = ?"], [query.product]
    else:
        where, args = ["organization = ?"], [query.organization]
    where.append(f"product IN ({', '.join('?' for _ in query.products)})")
    args += sorted(query.products)
    if query.statuses is not None:
        where.append(f"status IN ({', '.join('?' for _ in query.statuses)})")
        args += sorted(query.statuses)
    if query.text:
        where.append("instr(loket_fold(subject), ?) > 0")
        args.append(fold(query.text))
    if query.after is not None:
        where.append("number < ?" if query.newest_first else "number > ?")
        args.append(query.after)
    return where, args
