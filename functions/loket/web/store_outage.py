"""Which errors mean "the store is unavailable for now", so the edge answers 503.

A store that is busy, full, throttled or out of reach failed the request before it
wrote anything (SQLite rolls the transaction back; a DynamoDB transaction is all or
nothing), so the caller may send the same request again in a moment. Every other
error stays unhandled and answers 500: a bug must not pass for an outage.
"""

from __future__ import annotations

import logging
import sqlite3

from flask import request

log = logging.getLogger(__name__)

# Seconds a caller is told to wait (Retry-After): botocore already retried for about
# as long, so a moment more is what a person or a client's retry needs.
RETRY_AFTER = 5

# SQLite's primary result codes (extended codes keep them in the low byte): busy or
# locked past the busy timeout, an I/O error, a full disk. A file it cannot open is
# left out: usually a wrong path, which must not pass for a passing outage.
SQLITE_TRANSIENT_CODES = {5, 6, 10, 13}
# The same errors by message, for an error without a code (raised by hand, or by an
# older sqlite3 module).
SQLITE_TRANSIENT_MESSAGES = ("database is locked", "database table is locked",
                             "database or disk is full", "disk i/o error")

# DynamoDB's error codes that say "not now" rather than "never": the table or account
# throttled, or the service failed on its side (botocore retried them already), and
# SES's temporary codes, which are the same family of words (mail/ses.py).
DYNAMODB_TRANSIENT_CODES = {"ProvisionedThroughputExceededException",
                            "RequestLimitExceeded", "InternalServerError"}


def store_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the store cannot serve now but may in a moment."""
    if isinstance(exc, sqlite3.OperationalError):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in SQLITE_TRANSIENT_CODES
        return str(exc).lower().startswith(SQLITE_TRANSIENT_MESSAGES)
    # botocore is imported only when it raised: a SQLite install's requests never load
    # boto3 (tests/aws/test_cold_start.py).
    if not type(exc).__module__.startswith("botocore."):
        return False
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as BotoConnectionError

    if isinstance(exc, ClientError):
        return _client_error_transient(exc)
    # No connection, a timeout, a connection closed half way. Other BotoCoreErrors (bad
    # parameters, missing credentials) are mistakes and stay 500.
    return isinstance(exc, (BotoConnectionError, HTTPClientError))


def _client_error_transient(exc) -> bool:
    from loket.mail.ses import TEMPORARY_ERRORS
    from loket.storage.dynamodb import TRANSIENT_CANCELLATIONS

    code = exc.response.get("Error", {}).get("Code", "")
    if code in DYNAMODB_TRANSIENT_CODES | TEMPORARY_ERRORS:
        return True
    if code != "TransactionCanceledException":
        return False
    # A transaction the store gave up retrying: transient only when every reason was
    # (a conflict or throttling), never when a condition failed.
    reasons = {r.get("Code") for r in exc.response.get("CancellationReasons", [])} - {"None"}
    return bool(reasons) and reasons <= TRANSIENT_CANCELLATIONS


def log_outage(exc: BaseException) -> None:
    # A warning with the traceback: operators see the store's own words (locked, full,
    # throttled, unreachable) and where the request met it.
    log.warning("store unavailable during %s %s: %s", request.method, request.path, exc,
                exc_info=exc)
