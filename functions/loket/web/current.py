"""The services of the app handling the current request, for views and error handlers."""

from __future__ import annotations

from flask import current_app

from loket.services.context import Services


def services() -> Services:
    """The Services that create_app wired for this app."""
    return current_app.extensions["loket"]
