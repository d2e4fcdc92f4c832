"""A ticket taken on the telephone (#12): an agent fills in the form for a customer. The
ticket is the customer's, as if they had sent it themselves: their address (the
receipt and every update go to them), their account's organization, plan and product
rights when they have an account. The agent may only do so for products of their own
boards; the rules on who may submit and the rate limit give way to the agent's
decision, as when they take in refused mail (a plan still counts the ticket).
"""

from __future__ import annotations

from typing import Mapping, Sequence

from loket.domain.accounts import email_key
from loket.domain.errors import FieldError, Refused, ValidationFailed
from loket.services.accounts import clean_email
from loket.services.attachments import InlineFile
from loket.services.context import Services
from loket.services.desk import is_agent
from loket.services.sessions import Viewer
from loket.services.submission import Receipt, submit_ticket

CUSTOMER_FIELD = "customer"


def take_phone_ticket(services: Services, agent: Viewer, data: Mapping[str, object], *,
                      files: Sequence[InlineFile] = ()) -> Receipt:
    """Submit `data` (the ticket form's fields, the customer's address under
    `customer`) as the customer's ticket; ValidationFailed naming the field."""
    if not is_agent(agent):
        raise Refused("Only agents take tickets for customers.")
    address = clean_email(data.get(CUSTOMER_FIELD), field=CUSTOMER_FIELD)
    product = data.get("product")
    if product and product not in agent.rights:
        raise ValidationFailed([FieldError("product", "is not a product of your boards")])
    customer = customer_viewer(services, address)
    if customer is None and services.config.accounts.required_to_submit:
        raise ValidationFailed([FieldError(CUSTOMER_FIELD, (
            "has no account, and only accounts may submit tickets: invite them first"))])
    fields = {k: v for k, v in data.items() if k != CUSTOMER_FIELD}
    return submit_ticket(services, {**fields, "email": address},
                         client_address=f"desk:{agent.account.email}", viewer=customer,
                         files=files, limits=False, taken_by=agent.account.email)


def customer_viewer(services: Services, address: str) -> Viewer | None:
    """The customer's account as the viewer the ticket is submitted as, or None."""
    account = services.store.get_account(email_key(address))
    if account is None or account.is_agent:
        return None
    org = (services.store.get_organization(account.organization)
           if account.organization else None)
    return Viewer(account, org)
