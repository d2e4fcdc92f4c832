"""`loket products|orgs|accounts|rights`: what an operator runs for accounts.

Each command prints what it did, and fails with exit code 1 and a clear message on
bad input (an unknown product or organization, a taken id, a bad address).
"""

from __future__ import annotations

from contextlib import contextmanager

import click

from loket.config import ConfigError
from loket.locale import LANGUAGES


def _services():
    from loket.cli import _services as services, _settings

    return services(_settings())


@contextmanager
def _clear_errors():
    """Domain errors as one-line messages, not tracebacks."""
    from loket.domain.errors import AlreadyExists, Refused, ValidationFailed

    try:
        yield
    except ValidationFailed as exc:
        raise click.ClickException("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from None
    except AlreadyExists as exc:
        raise click.ClickException(f"exists already: {exc}") from None
    except (Refused, ConfigError) as exc:
        raise click.ClickException(str(exc)) from None


def _products(services, products) -> str:
    return ", ".join(sorted(products)) or "none"


# -- products ---------------------------------------------------------------------------

@click.group()
def products() -> None:
    """The products (kept in site_config/portal.yml, so the ticket form lists them)."""


@products.command("list")
def products_list() -> None:
    """List the products of site_config/portal.yml."""
    services = _services()
    for product_id, name in services.config.products.items():
        board = services.config.review_boards.get(product_id)
        click.echo(f"{product_id}\t{name.en} / {name.nl}" + (f"\tboard: {board}" if board else ""))


@products.command("add")
@click.argument("product_id")
@click.option("--name-en", required=True, help="The product's name in English.")
@click.option("--name-nl", required=True, help="The product's name in Dutch.")
@click.option("--review-board", help="The review board's e-mail address.")
def products_add(product_id: str, name_en: str, name_nl: str, review_board: str | None) -> None:
    """Add a product to site_config/portal.yml (checked; left unchanged on an error).
    Commit the file and rebuild the site, so the ticket form lists it."""
    from loket.cli import _settings
    from loket.config.products import add_product

    settings = _settings()
    with _clear_errors():
        path = add_product(settings.config_dir, product_id, name_en=name_en, name_nl=name_nl,
                           review_board=review_board)
    click.echo(f"added product {product_id} ({name_en} / {name_nl}) to {path}; "
               "commit it and rebuild the site")


# -- organizations ------------------------------------------------------------------------

@click.group()
def orgs() -> None:
    """Organizations: the vendor's customers, their product rights and support plans."""


@orgs.command("create")
@click.argument("org_id")
@click.argument("name")
@click.option("--product", "product_ids", multiple=True, help="A product it has rights to (repeat).")
@click.option("--visibility", type=click.Choice(["own", "organization"]), default="own",
              show_default=True, help="Colleagues see only their own tickets, or all of "
                                      "the organization's (for their products).")
def orgs_create(org_id: str, name: str, product_ids: tuple[str, ...], visibility: str) -> None:
    """Create an organization."""
    from loket.domain.accounts import Visibility
    from loket.services.organizations import create_organization

    services = _services()
    with _clear_errors():
        org = create_organization(services, org_id, name, products=product_ids,
                                  visibility=Visibility(visibility))
    click.echo(f"created organization {org.id} ({org.name}); products: "
               f"{_products(services, org.products)}; colleagues see: {org.visibility.value}; "
               f"plan: {org.plan.describe()}")


@orgs.command("list")
def orgs_list() -> None:
    """List the organizations with their products, plan and tickets used this period."""
    from loket.services.plans import tickets_used

    services = _services()
    now = services.clock.now()
    for org in services.store.list_organizations():
        used = tickets_used(services, org.id, org.plan.period_of(now))
        click.echo(f"{org.id}\t{org.name}\tproducts: {_products(services, org.products)}\t"
                   f"sees: {org.visibility.value}\tplan: {org.plan.describe()}\t"
                   f"used {org.plan.period_of(now)}: {used}")


@orgs.command("visibility")
@click.argument("org_id")
@click.argument("visibility", type=click.Choice(["own", "organization"]))
def orgs_visibility(org_id: str, visibility: str) -> None:
    """Set what colleagues see: own tickets only, or all of the organization's."""
    from loket.domain.accounts import Visibility
    from loket.services.organizations import set_visibility

    with _clear_errors():
        org = set_visibility(_services(), org_id, Visibility(visibility))
    click.echo(f"organization {org.id}: colleagues see {org.visibility.value} tickets")


@orgs.command("plan")
@click.argument("org_id")
@click.option("--tickets", type=click.IntRange(min=0), help="Tickets included per period.")
@click.option("--unlimited", is_flag=True, help="No limit on tickets.")
@click.option("--period", type=click.Choice(["month", "year"]), default="month", show_default=True)
@click.option("--over", "over_limit", type=click.Choice(["allow", "refuse"]), default="allow",
              show_default=True, help="Beyond the plan: accept with a notice, or refuse.")
@click.option("--contacts-only/--anyone", default=False, show_default=True,
              help="Only support contacts may submit.")
def orgs_plan(org_id: str, tickets: int | None, unlimited: bool, period: str, over_limit: str,
              contacts_only: bool) -> None:
    """Set an organization's support plan."""
    from loket.domain.accounts import OverPlan
    from loket.services.organizations import set_plan

    if (tickets is None) == (not unlimited):
        raise click.UsageError("give --tickets N or --unlimited")
    with _clear_errors():
        org = set_plan(_services(), org_id, tickets=tickets, period=period,
                       over_limit=OverPlan(over_limit), contacts_only=contacts_only)
    click.echo(f"organization {org.id}: plan {org.plan.describe()}")


# -- accounts -----------------------------------------------------------------------------

@click.group()
def accounts() -> None:
    """Accounts: invite them, list them."""


@accounts.command("invite")
@click.argument("email")
@click.option("--org", "org_id", help="The organization (required for customers).")
@click.option("--product", "product_ids", multiple=True, help="A product (repeat).")
@click.option("--support-contact", is_flag=True, help="May submit when the plan allows "
                                                      "support contacts only.")
@click.option("--agent", is_flag=True, help="An agent: sees every ticket of these products.")
@click.option("--language", type=click.Choice(LANGUAGES), default="en", show_default=True)
def accounts_invite(email: str, org_id: str | None, product_ids: tuple[str, ...],
                    support_contact: bool, agent: bool, language: str) -> None:
    """Invite an account: an e-mail with a single-use link goes out."""
    from loket.domain.accounts import Role
    from loket.services.accounts import invite

    services = _services()
    with _clear_errors():
        account, link = invite(services, email, organization=org_id, products=product_ids,
                               role=Role.AGENT if agent else Role.CUSTOMER,
                               support_contact=support_contact, language=language)
    click.echo(f"invited {account.email} ({account.role.value}"
               + (f", organization {account.organization}" if account.organization else "")
               + f"; products: {_products(services, account.products)}); the link, valid "
               f"{services.config.accounts.invitation_days} days, went to them by e-mail:")
    click.echo(f"  {link}")


@accounts.command("list")
@click.option("--org", "org_id", help="Only this organization's accounts.")
def accounts_list(org_id: str | None) -> None:
    """List accounts: address, name, organization, role, rights, state."""
    from loket.domain.accounts import product_rights

    services = _services()
    orgs = {o.id: o for o in services.store.list_organizations()}
    if org_id and org_id not in orgs:
        raise click.ClickException(f"no organization '{org_id}'")
    found = services.store.list_accounts(org_id)
    for account in found:
        rights = product_rights(account, orgs.get(account.organization))
        state = "active" if account.active else "invited"
        contact = ", support contact" if account.support_contact else ""
        click.echo(f"{account.email}\t{account.name}\t{account.organization or '-'}\t"
                   f"{account.role.value}{contact}\trights: {_products(services, rights)}\t{state}")
    click.echo(f"{len(found)} account{'' if len(found) == 1 else 's'}")


@accounts.command("reset-second-factor")
@click.argument("email")
def accounts_reset_second_factor(email: str) -> None:
    """For an agent who lost both their authenticator app and recovery codes: their
    next sign-in sets up a new one; every session of theirs ends (services/totp.py)."""
    from loket.services.accounts import clean_email
    from loket.services.totp import forget

    services = _services()
    with _clear_errors():
        account = forget(services, clean_email(email))
    click.echo(f"{account.email}: the authenticator is forgotten and every session ended; "
               "the next sign-in shows a new QR code")


# -- rights -------------------------------------------------------------------------------

@click.group()
def rights() -> None:
    """Product rights of an organization (an id) or of one account (an e-mail address)."""


@rights.command("grant")
@click.argument("target")
@click.argument("product_ids", nargs=-1, required=True)
def rights_grant(target: str, product_ids: tuple[str, ...]) -> None:
    """Grant products to an organization or an account."""
    _change_rights(target, product_ids, revoke=False)


@rights.command("revoke")
@click.argument("target")
@click.argument("product_ids", nargs=-1, required=True)
def rights_revoke(target: str, product_ids: tuple[str, ...]) -> None:
    """Revoke products; from an organization, that revokes them from all its accounts."""
    _change_rights(target, product_ids, revoke=True)


def _change_rights(target: str, product_ids: tuple[str, ...], *, revoke: bool) -> None:
    from loket.services.organizations import grant_to_account, grant_to_organization

    services = _services()
    verb = "revoked" if revoke else "granted"
    with _clear_errors():
        if "@" in target:
            account = grant_to_account(services, target, product_ids, revoke=revoke)
            click.echo(f"{verb} {', '.join(product_ids)} for account {account.email}; its "
                       f"products: {_products(services, account.products)}")
        else:
            org = grant_to_organization(services, target, product_ids, revoke=revoke)
            click.echo(f"{verb} {', '.join(product_ids)} for organization {org.id}; its "
                       f"products: {_products(services, org.products)}")


COMMANDS = (products, orgs, accounts, rights)
