"""The ports the services depend on. Adapters live in storage/, mail/, search/ and clock.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterator, Protocol, Sequence

from loket.domain.attachments import Upload
from loket.domain.tickets import Message, NewTicket, Ticket

if TYPE_CHECKING:
    from loket.domain.limits import HitLimit
    from loket.domain.outgoing import OutgoingMail, Suppression
    from loket.domain.suppression_lifts import SuppressionLift


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait (a fixed clock moves on instead): answers padded to a constant time."""
        ...


class TicketStore(Protocol):
    """Where tickets live. Behaviour is defined by tests/contract/test_store_contract.py."""

    def create_ticket(self, new: NewTicket, *, idempotency_key: str | None = None,
                      fingerprint: str = "",
                      mails: "Callable[[Ticket], Sequence[OutgoingMail]] | None" = None,
                      hits: "Sequence[HitLimit]" = ()) -> tuple[Ticket, bool]:
        """Store `new` with the next sequential number and its first message, atomically.

        With an `idempotency_key` already used, return the ticket it made and False
        (nothing stored, nothing counted); raise IdempotencyConflict when its
        fingerprint differs. `mails(ticket)` gives the e-mails the new ticket causes
        (its receipt): they are queued in the same write, or not at all. `hits`
        (domain/limits.py) are counted in the same write too: raise OverLimit, writing
        nothing, when one would pass its limit.
        """
        ...

    def get_ticket(self, number: int) -> Ticket | None:
        ...

    def list_messages(self, number: int) -> list[Message]:
        """The ticket's messages, oldest first."""
        ...

    def save_ticket(self, ticket: Ticket, *, expected_version: int,
                    messages: Sequence[Message] = (),
                    mails: "Sequence[OutgoingMail]" = ()) -> Ticket:
        """Store `ticket` as version expected_version + 1, append `messages` and queue
        `mails` (the e-mails the change causes), together.

        Raise VersionConflict, writing nothing, when the stored ticket is not at
        `expected_version` (or does not exist): someone changed it meanwhile. Raise
        MessageAlreadyStored, writing nothing, when a message's idempotency_key is on
        the ticket already (a re-delivered e-mail).
        """
        ...

    def due_tickets(self, now: datetime, limit: int = 100) -> list[Ticket]:
        """Tickets with a timer or SLA deadline (not closed or cancelled) whose due_at is
        at or before `now`, earliest first, at most `limit`.

        Costs O(tickets due), never O(all tickets): stores answer from an index.
        """
        ...

    def due_removals(self, now: datetime, limit: int = 100) -> list[Ticket]:
        """Closed or cancelled tickets whose due_at (retention's removal) is at or before
        `now`, earliest first, at most `limit`; O(due), from an index part of their own
        (storage/due_kinds.py), so a backlog of them never delays due_tickets."""
        ...

    def count_hit(self, key: str, window_start: datetime, expires_at: datetime,
                  amount: int = 1) -> int:
        """Add `amount` (one hit by default; bytes, or a negative amount to take back a
        hit, or 0 to read) to `key` in the window that starts at `window_start`, atomically;
        return the new count. Counters may be dropped after `expires_at`."""
        ...

    # -- uploads waiting for their message (attachments) --------------------------------

    def create_upload(self, upload: Upload) -> None:
        """Remember a pending upload (not yet attached)."""
        ...

    def get_upload(self, upload_id: str) -> Upload | None:
        ...

    def mark_uploads_attached(self, upload_ids: Sequence[str], *, ticket: int,
                              claim_key: str | None = None) -> None:
        """Record that a stored message of `ticket` holds these uploads (claimed by the
        request with Idempotency-Key `claim_key`). They are never expired after this."""
        ...

    def expired_uploads(self, now: datetime, limit: int = 100) -> list[Upload]:
        """Pending uploads whose expires_at is at or before `now`, earliest first, at most
        `limit`; attached ones never. Costs O(uploads expired), from an index."""
        ...

    def delete_upload(self, upload_id: str) -> None:
        """Forget an upload; forgetting one that is not there is fine."""
        ...

    def named_blob_keys(self) -> set[str]:
        """Every blob key a stored message names (its files and their thumbnails),
        and the final key of every upload. Reads every message with files, so it is
        for a clean-up that runs rarely (services/blob_cleanup.py), never a request."""
        ...


@dataclass(frozen=True)
class UploadForm:
    """Where a browser posts a file: `fields` first, then the file as `file`, in one
    multipart/form-data POST to `url` (S3's presigned POST, or the app's own endpoint)."""

    url: str
    fields: dict[str, str]


class BlobStore(Protocol):
    """Where attachments' bytes live: a local folder or an S3 bucket. Keys are plain
    paths made by loket.domain.attachments (uploads/..., attachments/..., thumbnails/...)."""

    def upload_form(self, key: str, *, content_type: str, size: int,
                    expires_in: int) -> UploadForm:
        """How a browser uploads exactly `size` bytes of `content_type` to `key`."""
        ...

    def upload_allowed(self, key: str, token: str) -> bool:
        """True when `token` is one this store put in an upload form for `key` and it
        has not expired. Stores whose forms post elsewhere (S3) always say False."""
        ...

    def put(self, key: str, stream: BinaryIO, *, content_type: str) -> None:
        """Store the rest of `stream` at `key`, whole or not at all."""
        ...

    def size(self, key: str) -> int | None:
        """The blob's size in bytes; None when there is none."""
        ...

    def head(self, key: str, length: int) -> bytes:
        """The first `length` bytes (fewer if the blob is shorter)."""
        ...

    def read(self, key: str) -> bytes:
        ...

    def open(self, key: str) -> BinaryIO:
        """The blob as a stream, for the app to serve."""
        ...

    def copy(self, source: str, target: str) -> None:
        ...

    def delete(self, key: str) -> None:
        """Remove the blob; removing one that is not there is fine."""
        ...

    def download_url(self, key: str, *, name: str, content_type: str, inline: bool = False,
                     expires_in: int) -> str | None:
        """A short-lived URL that serves the blob itself with these headers, or None
        when the app has to serve it (the local folder)."""
        ...

    def list_blobs(self, prefix: str) -> Iterator[BlobInfo]:
        """Every blob whose key starts with `prefix` (attachments/, say), with when it
        was written; read a page at a time, so a large bucket is never held whole."""
        ...


@dataclass(frozen=True)
class BlobInfo:
    key: str
    modified: datetime  # timezone-aware


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand a complete MIME message to the mail system."""
        ...


@dataclass(frozen=True)
class Suggestion:
    """A knowledge-base page that may answer what a customer is typing."""

    title: str
    url: str        # the page's path on the site, e.g. "/kb/planner/export-excel-file-locked/"
    snippet: str    # HTML: the hits in <mark>, everything else escaped
    product: str | None
    language: str


class Searcher(Protocol):
    def suggest(self, text: str, *, lang: str, product: str | None = None,
                limit: int = 5, snippets: bool = True) -> list[Suggestion]:
        """The best pages for `text`, at most `limit`: pages in `lang` first, then others.

        With a `product`, only pages about that product or about every product. Without
        `snippets` each snippet is empty: callers that show none skip the work.
        Raises loket.search.SearchIndexMissing when there is no index to search.
        """
        ...


class AccountStore(Protocol):
    """Accounts, organizations, sessions, one-time links, plan counters, ratings and the
    "my tickets" pages: the same store object as TicketStore (mixins in
    storage/sqlite_accounts.py and storage/dynamodb_accounts.py). Behaviour is defined
    by tests/contract/test_accounts_contract.py; types are in loket.domain.accounts."""

    def create_organization(self, org) -> None:
        """Raise AlreadyExists when the id is taken."""
        ...

    def save_organization(self, org) -> None: ...
    def get_organization(self, org_id: str): ...
    def list_organizations(self) -> list: ...

    def create_account(self, account) -> None:
        """Raise AlreadyExists when the address has an account."""
        ...

    def save_account(self, account) -> None: ...
    def get_account(self, email: str): ...
    def list_accounts(self, organization: str | None = None) -> list: ...

    def list_agents(self) -> list:
        """The accounts in no organization (the vendor's own: agents), by address: one
        indexed query, however many customers there are."""
        ...

    def create_token(self, token, *, mails: "Sequence[OutgoingMail]" = ()) -> None:
        """Store the one-time link and queue `mails` (the e-mail carrying it), together."""
        ...

    def get_token(self, token_hash: str, purpose, now: datetime):
        """The link while valid; nothing is used up."""
        ...

    def take_token(self, token_hash: str, purpose, now: datetime):
        """Use the link up, atomically: of two requests only one gets it."""
        ...

    def create_session(self, session) -> None: ...
    def get_session(self, session_hash: str, now: datetime): ...
    def delete_session(self, session_hash: str) -> None: ...

    def add_to_counter(self, name: str, amount: int, *, at_most: int | None = None) -> int | None:
        """The new value, or None (nothing changed) when it would pass `at_most`."""
        ...

    def counter_value(self, name: str) -> int: ...

    def rate_ticket(self, rating) -> bool:
        """False, storing nothing, when the ticket has a rating already."""
        ...

    def get_rating(self, number: int): ...

    def idempotent_ticket(self, key: str, fingerprint: str) -> Ticket | None:
        """The ticket an earlier request with this key made; IdempotencyConflict when
        that request was another one."""
        ...

    def list_tickets(self, query) -> list[Ticket]:
        """One page (query.limit + 1 tickets at most) from the account's or the
        organization's index, newest first; never a whole-table read."""
        ...


class MailQueue(Protocol):
    """Outgoing e-mail waiting for the dispatcher (services/mail_dispatch.py), and the
    addresses no mail may go to: the same store object as TicketStore. Mail is queued
    with the change that causes it (create_ticket, save_ticket, create_token); the
    behaviour is defined by tests/contract/test_mail_queue_contract.py."""

    def enqueue_mail(self, mails: "Sequence[OutgoingMail]") -> None:
        """Queue mails that no stored change goes with, in one write."""
        ...

    def claim_mail(self, now: datetime, lease_until: datetime,
                   limit: int = 50) -> "list[OutgoingMail]":
        """Pending mails due at `now`, earliest first, at most `limit`, each moved on to
        `lease_until` so no other dispatcher takes it meanwhile (a crashed dispatcher's
        mail comes back when the lease ends). Costs O(mail due), from an index."""
        ...

    def update_mail(self, mail: "OutgoingMail") -> None:
        """Store the mail's delivery state (state, attempts, next attempt, error)."""
        ...

    def requeue_mail(self, seen: "OutgoingMail", now: datetime) -> bool:
        """An admin's retry: the mail `seen` pending again, due `now`, its give-up clock
        restarted. Only those fields are written, and only while the mail is as `seen`
        (state, next attempt): an erasure since keeps its work, a mail deleted or
        changed since is left alone (False)."""
        ...

    def update_mails(self, mails: "Sequence[OutgoingMail]", *,
                     claimed_until: datetime) -> None:
        """The dispatcher's outcomes of a batch it claimed with lease `claimed_until`,
        in one write where the store has one (SQLite takes its write lock once). Only
        the attempt's fields are written (state, attempts, next attempt, error, sent
        at; a sent mail's data goes), and only where that claim still holds: a mail an
        erasure rewrote or removed meanwhile keeps the erasure, one claimed again after
        the lease is left to the newer claim."""
        ...

    def expand_mail(self, intent: "OutgoingMail", mails: "Sequence[OutgoingMail]", *,
                    seen: "OutgoingMail | None" = None) -> bool:
        """Queue those of `mails` not queued yet (by id), then store `intent`, a queued
        record that stood for them and is done now (services/agent_notices.py): the
        dispatcher delivers at least once, so an expansion may come twice, and the
        second queues nothing twice and leaves a sent mail as it is (one that waits
        still with other data is rewritten: an erasure rewrote the record since). With
        `seen`, the record as the dispatcher claimed it: only while the stored record
        is still so (pending, that lease, that data); False when it was not (an erasure
        rewrote or removed it, or another claim has it)."""
        ...

    def expand_mails(self, expansions: Sequence[tuple[OutgoingMail, Sequence[OutgoingMail],
                                                      OutgoingMail | None]]) -> list[bool]:
        """expand_mail for each (intent, mails, seen) of a dispatcher's round, in one
        write where the store has one (SQLite takes its write lock once); each expansion
        whole or not at all. Whether each was made, as expand_mail answers."""
        ...

    def get_mail(self, mail_id: str) -> "OutgoingMail | None":
        ...

    def list_mail(self, pending: bool, limit: int = 100) -> "list[OutgoingMail]":
        """Pending mail, earliest attempt first; or (pending=False) mail that failed or
        was suppressed, newest first. Never a whole-table read."""
        ...

    def suppress_address(self, suppression: "Suppression") -> None:
        """No more mail to this address (overwrites an earlier suppression)."""
        ...

    def get_suppression(self, address: str) -> "Suppression | None":
        """The address's suppression, looked up case-insensitively."""
        ...

    def list_suppressions(self, limit: int = 100) -> "list[Suppression]":
        """Suppressed addresses, newest first (the desk's list for admins): an index
        read of the suppressions alone, never of other records."""
        ...

    def index_suppressions(self) -> int:
        """An upgrade step (`loket desk-reindex --suppressions`): put suppressions stored
        before the desk's list on it; how many it put there (0 the second time, and
        always where the list needs no keys of its own). May read the whole store."""
        ...

    def lift_suppression(self, address: str, *, lifted_by: str, lifted_at: datetime,
                         note: str = "") -> "SuppressionLift | None":
        """Take the address's suppression away and keep a record of it with who lifted
        it, together; None, changing nothing, when the address is not suppressed."""
        ...

    def suppression_lifts(self, address: str) -> "list[SuppressionLift]":
        """The address's lifted suppressions, newest first."""
        ...


class RefusedMailStore(Protocol):
    """Mail that mail-in did not take in (domain/refused.py), kept for agents: the same
    store object as TicketStore. Behaviour: tests/contract/test_mail_in_contract.py."""

    def keep_refused(self, mail, *, mails: "Sequence[OutgoingMail]" = ()) -> bool:
        """Store it and queue `mails` (the notice to its sender), together; False,
        storing and queueing nothing, when one with its id is kept already."""
        ...

    def get_refused(self, refused_id: str): ...

    def list_refused(self, limit: int = 50, before: datetime | None = None) -> list:
        """Newest first, received before `before`; from an index, never a scan."""
        ...

    def mark_refused_taken_in(self, refused_id: str, *, ticket: int, by: str, at: datetime):
        """Record that an agent took it into `ticket`; None when it is unknown or was
        taken in already (of two agents, one wins)."""
        ...


class DataPort(Protocol):
    """A store's whole content as plain records, for `loket export`, `loket import` and
    `loket migrate` (services/export.py); storage.data_port.data_port(store) gives it.
    Behaviour: tests/contract/test_export_contract.py."""

    def export_records(self) -> "Iterator[tuple[str, dict]]":
        """(kind, record) for everything worth moving (tickets with their messages and
        rating, accounts, organizations, counters, mail, suppressions and their lifts,
        known-issue links, ...; export_format.KINDS), streamed, consistent."""
        ...

    def holds_data(self) -> bool:
        """True when the store has records an import could collide with."""
        ...

    def import_records(self, kind: str, records: "Sequence[dict]") -> int:
        """Store the records whose keys are not stored yet (others stay as they are);
        how many were written. Running it again with the same records writes nothing."""
        ...

    # Erasing a person (services/erase.py) and retention remove records by their keys.
    def delete_records(self, kind: str, records: "Sequence[dict]") -> None:
        """Remove the records with these records' keys (never tickets)."""
        ...

    def erase_chunk(self, eraser, cursor: "str | None", *, limit: int) -> "str | None":
        """One bounded, idempotent step of an erasure (services/erase.py's Eraser
        holds the rules and the counts): from `cursor` (None: the start), returning
        where the next step starts, or None when the whole store has been through."""
        ...


class EraseJobs(Protocol):
    """Erase jobs (domain/erase_jobs.py), the desk's erase action run by the sweeper in
    chunks: the same store object as TicketStore. Behaviour:
    tests/contract/test_erase_jobs_contract.py."""

    def create_erase_job(self, job) -> None: ...

    def save_erase_job(self, job, *, expected_version: int):
        """Store the job's progress as the next version, or raise VersionConflict when
        another sweeper saved it meanwhile; return the job as saved."""
        ...

    def get_erase_job(self, job_id: str): ...

    def due_erase_jobs(self, now: datetime, limit: int = 10) -> list:
        """Jobs not done whose due_at is at or before `now`, earliest first: O(due)."""
        ...

    def list_erase_jobs(self, limit: int = 50) -> list:
        """The newest jobs first, finished ones too (the desk's list)."""
        ...


class KnownIssueLinks(Protocol):
    """Which tickets a known issue is linked to (domain/known_issues.py): the same store
    object as TicketStore. The ticket's timeline holds the link's event; this index
    finds the tickets to tell when the fix is released, without a scan. Behaviour:
    tests/contract/test_known_issues_contract.py."""

    def add_known_issue_link(self, issue: str, number: int, at: datetime) -> None:
        """Remember the link; linking again changes nothing."""
        ...

    def known_issue_tickets(self, issue: str) -> list[int]:
        """The linked tickets' numbers, lowest first."""
        ...


class DeskViews(Protocol):
    """The agent desk's views, their counts and ticket search, from indexes (never a
    scan): the same store object as TicketStore. Queries are storage/desk_queries.py's;
    behaviour: tests/contract/test_desk_views_contract.py."""

    def desk_view(self, view) -> list[Ticket]:
        """One page of one product's view: at most view.limit + 1 tickets."""
        ...

    def count_desk_view(self, view, at_most: int) -> int:
        """How many tickets the view holds, counting no further than `at_most`."""
        ...

    def search_tickets(self, search) -> list[Ticket]:
        """A page of matches, newest first: at most search.limit + 1."""
        ...

    def refresh_desk_keys(self, ticket: Ticket, texts: Sequence[str] = ()) -> bool:
        """Store the ticket's queue keys (and the words of `texts`) with no new version;
        False, writing nothing, when the stored ticket is at another version."""
        ...
