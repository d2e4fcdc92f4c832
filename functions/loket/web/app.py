"""The Flask app factory: the one place where settings become adapters."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from loket.config import load_portal_config
from loket.services.context import Services
from loket.settings import Settings
from loket.web.rendering import PageShell


def create_app(settings: Settings | None = None, *, services: Services | None = None,
               serve_site: bool | None = None) -> Flask:
    """Build the app. Pass `services` to wire adapters by hand (tests do)."""
    settings = settings or Settings()
    services = services or build_services(settings)
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key,
                      MAX_CONTENT_LENGTH=services.config.submissions.max_body_bytes,
                      LOKET_SITE_DIR=settings.site_dir.resolve())
    app.extensions["loket"] = services
    app.extensions["loket.shell"] = PageShell(settings.site_dir)
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)

    from loket.web import api, pages, problems, site, suggest

    problems.register_api_errors(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(suggest.bp)
    app.register_blueprint(pages.bp)
    if serve_site if serve_site is not None else settings.site_dir.is_dir():
        app.register_blueprint(site.bp)
    return app


def build_services(settings: Settings) -> Services:
    """Wire the adapters the settings name; clients are created lazily by each adapter."""
    from loket.clock import SystemClock

    config = load_portal_config(settings.config_dir)
    return Services(config=config, store=build_store(settings, config.first_ticket_number),
                    mail=build_mailer(settings), clock=SystemClock(),
                    base_url=settings.base_url, mail_from=settings.mail_from,
                    search=build_searcher(settings))


def build_store(settings: Settings, first_number: int):
    if settings.store == "dynamodb":
        from loket.storage.dynamodb import DynamoDBStore

        return DynamoDBStore(settings.dynamodb_table, first_number=first_number,
                             region=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
    from loket.storage.sqlite import SQLiteStore

    return SQLiteStore(settings.sqlite_path, first_number=first_number)


def build_searcher(settings: Settings):
    """The search index, when one was built; it is opened on the first suggestion."""
    if not settings.search_index.is_dir():
        return None
    from loket.search.query import WhooshSearcher

    return WhooshSearcher(settings.search_index)


def build_mailer(settings: Settings):
    if settings.mail == "ses":
        from loket.mail.ses import SESMailer

        return SESMailer(region=settings.aws_region)
    from loket.mail.outbox import OutboxMailer

    return OutboxMailer(settings.outbox_dir)
