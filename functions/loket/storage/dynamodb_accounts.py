"""DynamoDBStore's accounts, organizations, sessions, one-time links, plan counters,
ratings and the "my tickets" pages: a mixin over the store's client and table.
Key design and costs are in dynamodb.md; tests/contract/test_accounts_contract.py
defines the behaviour, the same as SQLite's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from loket.domain.accounts import (Account, OneTimeToken, Organization, Rating, Session,
                                   TokenPurpose, email_key)
from loket.domain.errors import AlreadyExists
from loket.domain.events import rated_event
from loket.domain.tickets import Ticket
from loket.storage.account_records import (TicketQuery, account_from_record,
                                           account_to_record, fold, organization_from_record,
                                           organization_to_record, rating_from_record,
                                           rating_to_record, session_from_record,
                                           session_to_record, token_from_record,
                                           token_to_record)
from loket.storage.dynamodb_conditions import cancelled_by_condition, lost_condition
from loket.storage.dynamodb_pages import query_items
from loket.storage.records import ticket_from_record, utc_iso

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
# A page of "my tickets" asks for limit + 1 items; when filters (status, text, rights)
# leave too few, the next request asks for this many times more, up to the 1 MB a
# Query returns anyway.
GROWTH = 4
MAX_QUERY_LIMIT = 1000


def ticket_index_attributes(ticket: Ticket) -> dict[str, Any]:
    """What a ticket item carries for the "my tickets" indexes: `gsi1` by its account
    (every ticket: its e-mail address is the account name) and `gsi2` by organization
    (tickets submitted signed in), and `gsi3` by product (the agent desk's queue). All
    live on the ticket item itself, so a status change (the sweeper's one PutItem)
    keeps the lists right at no extra request."""
    sort_key = ticket_sort_key(ticket.number)
    attributes = {"gsi1pk": f"ACCOUNT#{email_key(ticket.email)}", "gsi1sk": sort_key,
                  "gsi3pk": f"PRODUCT#{ticket.product}", "gsi3sk": sort_key,
                  "subject_folded": fold(ticket.subject)}
    if ticket.organization:
        attributes.update(gsi2pk=f"ORG#{ticket.organization}", gsi2sk=sort_key)
    return attributes


def ticket_sort_key(number: int) -> str:
    """T#<number, 12 digits>: numbers grow with time, so this sorts newest last."""
    return f"T#{number:012d}"


class DynamoDBAccounts:
    """Mixed into DynamoDBStore; expects its client, table_name and _get()."""

    # -- organizations ---------------------------------------------------------------

    def create_organization(self, org: Organization) -> None:
        self._put_new(_org_item(org), org.id)

    def save_organization(self, org: Organization) -> None:
        self.client.put_item(TableName=self.table_name, Item=_to_item(_org_item(org)))

    def get_organization(self, org_id: str) -> Organization | None:
        item = self._get({"pk": f"ORG#{org_id}", "sk": "ORG"})
        return organization_from_record(item) if item else None

    def list_organizations(self) -> list[Organization]:
        return [organization_from_record(item) for item in self._index_items("ORGS")]

    # -- accounts ----------------------------------------------------------------------

    def create_account(self, account: Account) -> None:
        self._put_new(_account_item(account), account.email)

    def save_account(self, account: Account) -> None:
        self.client.put_item(TableName=self.table_name, Item=_to_item(_account_item(account)))

    def get_account(self, email: str) -> Account | None:
        item = self._get({"pk": f"ACCOUNT#{email}", "sk": "ACCOUNT"})
        return account_from_record(item) if item else None

    def list_accounts(self, organization: str | None = None) -> list[Account]:
        items = self._index_items("ACCOUNTS", f"{organization}#" if organization else None)
        return [account_from_record(item) for item in items]

    def list_agents(self) -> list[Account]:
        # An account in no organization has the index key "#<address>" (_account_item).
        return [account_from_record(item) for item in self._index_items("ACCOUNTS", "#")]

    def _index_items(self, partition: str, prefix: str | None = None) -> list[dict[str, Any]]:
        """Every item of one gsi1 partition (organizations, accounts): an operator's
        list, read in 1 MB pages."""
        condition = "gsi1pk = :pk" + (" AND begins_with(gsi1sk, :prefix)" if prefix else "")
        values = {":pk": partition, **({":prefix": prefix} if prefix else {})}
        # Not the paginator: a cold submission's list_agents comes here (dynamodb_pages.py).
        items = query_items(
            self.client, TableName=self.table_name, IndexName="gsi1",
            KeyConditionExpression=condition, ExpressionAttributeValues=_to_item(values))
        return [_from_item(item) for item in items]

    # -- one-time links ------------------------------------------------------------------

    def create_token(self, token: OneTimeToken, *, mails=()) -> None:
        """Store the link; `mails` (the e-mail that carries it) go in the same
        transaction (DynamoDBMailQueue, storage/dynamodb_mail.py)."""
        item = {"pk": f"TOKEN#{token.hash}", "sk": "TOKEN", **_expiring(token_to_record(token))}
        put = {"TableName": self.table_name, "Item": _to_item(item),
               "ConditionExpression": "attribute_not_exists(pk)"}
        if not mails:
            self.client.put_item(**put)
            return
        self.client.transact_write_items(TransactItems=[{"Put": put},
                                                        *self._mail_puts(mails)])
        self._mail_queued(mails)

    def get_token(self, token_hash: str, purpose: TokenPurpose,
                  now: datetime) -> OneTimeToken | None:
        item = self._get({"pk": f"TOKEN#{token_hash}", "sk": "TOKEN"})
        if item is None or item["purpose"] != purpose.value or item["expires"] <= utc_iso(now):
            return None  # TTL removes expired items days late: the moment decides.
        return token_from_record(_unexpiring(item))

    def take_token(self, token_hash: str, purpose: TokenPurpose,
                   now: datetime) -> OneTimeToken | None:
        """One conditional DeleteItem: of two requests with one link, one gets it."""
        try:
            response = self.client.delete_item(
                TableName=self.table_name,
                Key=_to_item({"pk": f"TOKEN#{token_hash}", "sk": "TOKEN"}),
                ConditionExpression="purpose = :purpose AND expires > :now",
                ExpressionAttributeValues=_to_item({":purpose": purpose.value,
                                                    ":now": utc_iso(now)}),
                ReturnValues="ALL_OLD")
        except ClientError as error:
            if lost_condition(error):
                return None
            raise
        return token_from_record(_unexpiring(_from_item(response["Attributes"])))

    # -- sessions ------------------------------------------------------------------------

    def create_session(self, session: Session) -> None:
        item = {"pk": f"SESSION#{session.hash}", "sk": "SESSION",
                **_expiring(session_to_record(session))}
        self.client.put_item(TableName=self.table_name, Item=_to_item(item),
                             ConditionExpression="attribute_not_exists(pk)")

    def get_session(self, session_hash: str, now: datetime) -> Session | None:
        item = self._get({"pk": f"SESSION#{session_hash}", "sk": "SESSION"})
        if item is None or item["expires"] <= utc_iso(now):
            return None
        return session_from_record(_unexpiring(item))

    def delete_session(self, session_hash: str) -> None:
        self.client.delete_item(TableName=self.table_name,
                                Key=_to_item({"pk": f"SESSION#{session_hash}", "sk": "SESSION"}))

    # -- counters (support plans) ----------------------------------------------------------

    def add_to_counter(self, name: str, amount: int, *, at_most: int | None = None) -> int | None:
        """One conditional UpdateItem, so two submissions never both take the last ticket
        of a plan."""
        values: dict[str, Any] = {":zero": 0, ":amount": amount}
        condition = {}
        if at_most is not None:
            room = at_most - amount
            values[":room"] = room
            condition["ConditionExpression"] = (
                "#value <= :room" if room < 0 else "attribute_not_exists(#value) OR #value <= :room")
        try:
            response = self.client.update_item(
                TableName=self.table_name, Key=_to_item({"pk": f"COUNTER#{name}", "sk": "COUNTER"}),
                UpdateExpression="SET #value = if_not_exists(#value, :zero) + :amount",
                ExpressionAttributeNames={"#value": "value"},
                ExpressionAttributeValues=_to_item(values), ReturnValues="UPDATED_NEW",
                **condition)
        except ClientError as error:
            if lost_condition(error):
                return None
            raise
        return int(response["Attributes"]["value"]["N"])

    def counter_value(self, name: str) -> int:
        item = self._get({"pk": f"COUNTER#{name}", "sk": "COUNTER"})
        return int(item["value"]) if item else 0

    # -- ratings -------------------------------------------------------------------------

    def rate_ticket(self, rating: Rating) -> bool:
        item = {"pk": f"TICKET#{rating.ticket}", "sk": "RATING", **rating_to_record(rating)}
        rating_put = {"Put": {"TableName": self.table_name, "Item": _to_item(item),
                              "ConditionExpression": "attribute_not_exists(pk)"}}
        try:  # With its event (domain/events.py), in one write.
            self.client.transact_write_items(
                TransactItems=[rating_put, *self._event_puts([rated_event(rating)])])
        except ClientError as error:
            if cancelled_by_condition(error, 0):
                return False  # Rated already.
            raise
        return True

    def get_rating(self, number: int) -> Rating | None:
        item = self._get({"pk": f"TICKET#{number}", "sk": "RATING"})
        return rating_from_record(item) if item else None

    # -- idempotency keys --------------------------------------------------------------------

    def idempotent_ticket(self, key: str, fingerprint: str) -> Ticket | None:
        return self._replay(key, fingerprint)

    # -- the tickets an account may see ------------------------------------------------------

    def list_tickets(self, query: TicketQuery) -> list[Ticket]:
        """One page: a Query on gsi1 (account), gsi2 (organization) or gsi3 (product),
        newest first,
        never a Scan. Usually one request; filters that leave too few items read on
        with a larger Limit (see GROWTH)."""
        if not query.products or query.statuses == frozenset():
            return []
        params = _page_query(self.table_name, query)
        wanted = query.limit + 1
        found: list[Ticket] = []
        limit = wanted
        while True:
            response = self.client.query(**params, Limit=limit)
            found += [ticket_from_record(_from_item(item)) for item in response["Items"]]
            if len(found) >= wanted or "LastEvaluatedKey" not in response:
                return found[:wanted]
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
            limit = min(limit * GROWTH, MAX_QUERY_LIMIT)

    def _put_new(self, item: dict[str, Any], name: str) -> None:
        try:
            self.client.put_item(TableName=self.table_name, Item=_to_item(item),
                                 ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if lost_condition(error):
                raise AlreadyExists(name) from None
            raise


def _page_query(table: str, query: TicketQuery) -> dict[str, Any]:
    if query.account is not None:
        index, partition = "gsi1", f"ACCOUNT#{query.account}"
    elif query.product is not None:
        index, partition = "gsi3", f"PRODUCT#{query.product}"
    else:
        index, partition = "gsi2", f"ORG#{query.organization}"
    names = {"#pk": f"{index}pk", "#sk": f"{index}sk", "#product": "product"}
    values: dict[str, Any] = {":pk": partition, ":tickets": "T#"}
    condition = "#pk = :pk AND begins_with(#sk, :tickets)"
    if query.after is not None:
        condition = f"#pk = :pk AND #sk {'<' if query.newest_first else '>'} :after"
        values[":after"] = ticket_sort_key(query.after)
    products = [f":product{i}" for i in range(len(query.products))]
    values.update(zip(products, sorted(query.products)))
    filters = [f"#product IN ({', '.join(products)})"]
    if query.statuses is not None:
        names["#status"] = "status"  # STATUS is a reserved word
        statuses = [f":status{i}" for i in range(len(query.statuses))]
        values.update(zip(statuses, sorted(query.statuses)))
        filters.append(f"#status IN ({', '.join(statuses)})")
    if query.text:
        values[":text"] = fold(query.text)
        filters.append("contains(subject_folded, :text)")
    return {"TableName": table, "IndexName": index, "KeyConditionExpression": condition,
            "FilterExpression": " AND ".join(filters), "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": _to_item(values),
            "ScanIndexForward": not query.newest_first}


def _org_item(org: Organization) -> dict[str, Any]:
    return {"pk": f"ORG#{org.id}", "sk": "ORG", "gsi1pk": "ORGS", "gsi1sk": org.id,
            **_present(organization_to_record(org))}


def _account_item(account: Account) -> dict[str, Any]:
    return {"pk": f"ACCOUNT#{account.email}", "sk": "ACCOUNT", "gsi1pk": "ACCOUNTS",
            "gsi1sk": f"{account.organization or ''}#{account.email}",
            **_present(account_to_record(account))}


def _present(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v is not None}


def _expiring(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its moment kept as `expires` and `expires_at` in epoch seconds,
    the table's TTL attribute."""
    moment = datetime.fromisoformat(record["expires_at"])
    return {**{k: v for k, v in record.items() if k != "expires_at"},
            "expires": record["expires_at"], "expires_at": int(moment.timestamp())}


def _unexpiring(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "expires_at": item["expires"]}


def _to_item(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _from_item(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}
