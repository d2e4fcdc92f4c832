"""`loket`: the one command-line entry point for everything an operator runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from loket.config import ConfigError


@click.group()
def main() -> None:
    """Loket, a support portal: run it, check its configuration, look after its data."""


def _settings():
    from pydantic import ValidationError

    from loket.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        raise click.ClickException(f"bad LOKET_* environment setting: {exc}") from None


def _services(settings):
    from loket.web.app import build_services

    try:
        return build_services(settings)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@main.command("check-config")
def check_config() -> None:
    """Validate site_config/ and print what it holds."""
    from loket.config import load_portal_config

    settings = _settings()
    try:
        config = load_portal_config(settings.config_dir)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{settings.config_dir}: valid")
    click.echo(f"  products: {', '.join(config.products)}")
    click.echo(f"  statuses: {', '.join(config.statuses)}")
    click.echo(f"  form fields: {', '.join(f.name for f in config.form.fields)}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Serve the built site and the API together, with the embedded store."""
    import waitress

    from loket.web.app import create_app

    settings = _settings()
    services = _services(settings)
    app = create_app(settings, services=services)
    click.echo(f"Loket is serving on http://{host}:{port}/")
    click.echo(f"  site:  {settings.site_dir.resolve()}"
               + ("" if settings.site_dir.is_dir() else "  (not built: run `make site`)"))
    if settings.store == "sqlite":
        click.echo(f"  data:  {settings.sqlite_path.resolve()} (SQLite)")
    else:
        click.echo(f"  data:  DynamoDB table {settings.dynamodb_table}")
    if settings.mail == "outbox":
        click.echo(f"  mail:  {settings.outbox_dir.resolve()}/*.eml")
    sys.stdout.flush()
    waitress.serve(app, host=host, port=port, threads=threads, ident="loket",
                   clear_untrusted_proxy_headers=True, _quiet=True)


@main.command("search-build")
@click.option("--site-dir", type=click.Path(path_type=Path, file_okay=False),
              help="The built site folder.  [default: LOKET_SITE_DIR, or site]")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=True, file_okay=False),
              help="The index folder.  [default: LOKET_SEARCH_INDEX, or search/index]")
def search_build(site_dir: Path | None, out: Path | None) -> None:
    """Build the knowledge-base search index from an already built site folder.

    The site build does this too; use this command when the site was built elsewhere.
    """
    from loket.search.index import build_index_from_site

    settings = _settings()
    site_dir = site_dir or settings.site_dir
    out = out or settings.search_index
    if not site_dir.is_dir():
        raise click.ClickException(f"{site_dir}: no built site here (run `make site` first)")
    count = build_index_from_site(site_dir, out)
    if not count:
        raise click.ClickException(f"{site_dir}: no pages with content found to index")
    click.echo(f"{out}: {count} pages indexed from {site_dir}")


if __name__ == "__main__":
    main()
