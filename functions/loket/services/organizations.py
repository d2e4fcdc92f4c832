"""Organizations (the vendor's customers), their product rights, support plans and
what colleagues see; product rights of single accounts. The CLI and the agent API
call these; each raises ValidationFailed naming the bad input, or AlreadyExists.

Products themselves stay configuration (site_config/portal.yml): the static ticket
form lists them at build time and the server validates against the same list, so a
product exists for rights only when the form knows it too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from loket.domain.accounts import (ORGANIZATION_ID, Account, Organization, OverPlan,
                                   SupportPlan, Visibility, email_key)
from loket.domain.errors import FieldError, ValidationFailed
from loket.domain.text import has_visible_character, single_line
from loket.services.context import Services


def check_products(services: Services, products: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(products)
    unknown = sorted(chosen - set(services.config.products))
    if unknown:
        raise ValidationFailed([FieldError("products", (
            f"unknown product {', '.join(unknown)}; the products are "
            f"{', '.join(services.config.products)} (site_config/portal.yml)"))])
    return chosen


def require_organization(services: Services, org_id: str | None) -> Organization:
    org = services.store.get_organization(org_id) if org_id else None
    if org is None:
        known = ", ".join(o.id for o in services.store.list_organizations()) or "none yet"
        raise ValidationFailed([FieldError("organization", (
            f"no organization '{org_id}'" if org_id else "is required") + f" (known: {known})")])
    return org


def require_account(services: Services, email: str) -> Account:
    account = services.store.get_account(email_key(email))
    if account is None:
        raise ValidationFailed([FieldError("email", f"no account '{email}'")])
    return account


def create_organization(services: Services, org_id: str, name: str, *,
                        products: Iterable[str] = (),
                        visibility: Visibility = Visibility.OWN) -> Organization:
    errors = []
    if not ORGANIZATION_ID.match(org_id or ""):
        errors.append(FieldError("id", "must be lowercase letters, digits and dashes, "
                                       "starting with a letter or digit (at most 63)"))
    name = single_line(name) if isinstance(name, str) else ""
    if not has_visible_character(name) or len(name) > 200:
        errors.append(FieldError("name", "is required (at most 200 characters)"))
    if errors:
        raise ValidationFailed(errors)
    # It starts with the configured plan (accounts.default_plan); `set_plan` changes it.
    org = Organization(id=org_id, name=name, created_at=services.clock.now(),
                       products=check_products(services, products), visibility=visibility,
                       plan=services.config.accounts.default_plan.build())
    services.store.create_organization(org)
    return org


def set_visibility(services: Services, org_id: str, visibility: Visibility) -> Organization:
    org = replace(require_organization(services, org_id), visibility=visibility)
    services.store.save_organization(org)
    return org


def set_plan(services: Services, org_id: str, *, tickets: int | None, period: str = "month",
             over_limit: OverPlan = OverPlan.ALLOW, contacts_only: bool = False) -> Organization:
    if tickets is not None and tickets < 0:
        raise ValidationFailed([FieldError("tickets", "must be 0 or more (or none: no limit)")])
    if period not in ("month", "year"):
        raise ValidationFailed([FieldError("period", "must be month or year")])
    plan = SupportPlan(tickets=tickets, period=period, over_limit=over_limit,
                       contacts_only=contacts_only)
    org = replace(require_organization(services, org_id), plan=plan)
    services.store.save_organization(org)
    return org


def grant_to_organization(services: Services, org_id: str, products: Iterable[str],
                          *, revoke: bool = False) -> Organization:
    """Give (or take) product rights to an organization. Taking one takes it from all
    the organization's accounts at once: their rights are the intersection."""
    chosen = check_products(services, products)
    org = require_organization(services, org_id)
    org = replace(org, products=org.products - chosen if revoke else org.products | chosen)
    services.store.save_organization(org)
    return org


def grant_to_account(services: Services, email: str, products: Iterable[str],
                     *, revoke: bool = False) -> Account:
    """Give (or take) product rights to one account; a customer only gets products
    their organization has."""
    chosen = check_products(services, products)
    account = require_account(services, email)
    if not revoke and not account.is_agent:
        org = require_organization(services, account.organization)
        outside = chosen - org.products
        if outside:
            raise ValidationFailed([FieldError("products", (
                f"organization '{org.id}' has no rights to {', '.join(sorted(outside))}; "
                "grant them to the organization first"))])
    account = replace(account, products=account.products - chosen if revoke
                      else account.products | chosen)
    services.store.save_account(account)
    return account
