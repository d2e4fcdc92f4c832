"""The Flask app factory: one app for the API, the portal pages and (locally) the site."""

from __future__ import annotations

from flask import Flask

from loket.services.context import Services
from loket.settings import Settings
from loket.web.converters import TicketNumberConverter
from loket.web.json_answers import OneEncoderJSONProvider
from loket.web.url_rules import BuilderOnFirstUseRule
from loket.wiring import build_services


def create_app(settings: Settings | None = None, *, services: Services | None = None,
               serve_site: bool | None = None) -> Flask:
    """Build the app. Pass `services` to wire adapters by hand (tests do)."""
    settings = settings or Settings()
    services = services or build_services(settings)
    app = _bare_app(settings, services)
    # The built site's page around server-rendered pages; the API app needs none.
    from loket.web.rendering import PageShell

    app.extensions["loket.shell"] = PageShell(settings.site_dir)

    from loket.web import (account_api, account_pages, api, attachments, desk_mail,
                           desk_pages, desk_refused, pages, site, suggest, ticket_pages)

    app.register_blueprint(account_api.bp)
    app.register_blueprint(account_pages.bp)
    app.register_blueprint(ticket_pages.bp)
    app.register_blueprint(desk_pages.bp)
    app.register_blueprint(desk_refused.bp)
    app.register_blueprint(desk_mail.bp)
    from loket.web import second_factor  # Agents' TOTP step after the password (#12).

    app.register_blueprint(second_factor.bp)
    from loket.web import desk_record  # Timeline, merge, link, presence (#12).

    app.register_blueprint(desk_record.bp)
    from loket.web import desk_reports  # Satisfaction per product and agent (#12).

    app.register_blueprint(desk_reports.bp)
    from loket.web import desk_canned  # Canned replies inserted without JavaScript (#12).

    app.register_blueprint(desk_canned.bp)
    from loket.web import desk_intake  # Telephone intake: a ticket for a customer (#12).

    app.register_blueprint(desk_intake.bp)
    from loket.web import desk_views  # Views with counts and ticket search (#12).

    app.register_blueprint(desk_views.bp)
    from loket.web import desk_known_issues  # Link a ticket to a known issue (#16).

    app.register_blueprint(desk_known_issues.bp)
    from loket.web import desk_people  # Look up and erase a person (#15).

    app.register_blueprint(desk_people.bp)
    from loket.web import desk_suppressions  # Lift a bounce/complaint suppression (#13).

    app.register_blueprint(desk_suppressions.bp)
    from loket.web import known_issue_pages  # "This affects me too" (#16).

    app.register_blueprint(known_issue_pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(attachments.bp)
    app.register_blueprint(suggest.bp)
    app.register_blueprint(pages.bp)
    if serve_site if serve_site is not None else settings.site_dir.is_dir():
        app.register_blueprint(site.bp)
    return app


# The blueprints whose routes are all under /api/ (a test holds create_app to the same).
API_BLUEPRINTS = ("account_api", "api", "attachments", "suggest")


def create_api_app(settings: Settings, services: Services) -> Flask:
    """The app with only the blueprints under /api/: the Lambda handler answers /api/
    requests with it (handlers/http.py), so a cold ticket submission imports none of
    the portal's and desk's views. For /api/ it has the whole app's routes and hooks
    (tests/api/test_api_app.py)."""
    from importlib import import_module

    app = _bare_app(settings, services)
    for name in API_BLUEPRINTS:
        app.register_blueprint(import_module(f"loket.web.{name}").bp)
    return app


def _bare_app(settings: Settings, services: Services) -> Flask:
    """The app without blueprints: configuration, the edge's checks, error answers,
    sessions and CSRF, security headers."""
    # No static folder: the site's assets are served by the site (CloudFront or the site
    # blueprint), so the app serves no /static/ URL that the stack would have to route.
    app = Flask(__name__, static_folder=None)
    # URL builders compiled on first use, not as each route is added (web/url_rules.py).
    app.url_rule_class = BuilderOnFirstUseRule
    # Every <int:number> in a route is a ticket number in range (web/converters.py).
    app.url_map.converters["int"] = TicketNumberConverter
    # Flask's JSON answers, with one encoder kept rather than one made per answer.
    app.json = OneEncoderJSONProvider(app)
    # "NEW OLD" (loket/secret_keys.py): Flask signs with the first, accepts the others.
    keys = settings.secret_key.split() or [settings.secret_key]
    app.config.update(SECRET_KEY=keys[0], SECRET_KEY_FALLBACKS=keys[1:],
                      MAX_CONTENT_LENGTH=services.config.submissions.max_body_bytes,
                      LOKET_SITE_DIR=settings.site_dir.resolve())
    app.extensions["loket"] = services
    from loket.web import auth, headers, problems

    problems.register_api_errors(app)
    # Sessions and CSRF; cookies are Secure whenever the portal runs on https.
    auth.install(app, secure=services.base_url.startswith("https://"))
    # CSP, framing, Referrer-Policy, nosniff and HSTS on every answer (web/headers.py).
    headers.install(app, site_dir=settings.site_dir.resolve(),
                    https=services.base_url.startswith("https://"),
                    file_origins=headers.file_origins(settings))
    # Around the headers' middleware: the edge's own refusal stays as it was.
    if settings.origin_secret:  # On AWS: only through CloudFront (web/edge.py).
        from loket.web.edge import CloudFrontOnly

        app.wsgi_app = CloudFrontOnly(app.wsgi_app, settings.origin_secret.split())
    elif settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    return app
