"""The services of the app handling the current request, and that request, for views,
hooks and error handlers.

Why through `_get_current_object()`: every attribute read through one of Flask's
proxies (`current_app.x`, `request.x`, `g.x`) looks the context up again and builds a
bound look-up (werkzeug's LocalProxy, some 8,000 instructions each, against 1,500 for
the object itself); code that reads several takes the object once.
"""

from __future__ import annotations

from flask import Request, current_app, g, request
from flask.ctx import _AppCtxGlobals

from loket.services.context import Services


def services() -> Services:
    """The Services that create_app wired for this app."""
    return current_app._get_current_object().extensions["loket"]


def this_request() -> Request:
    """The request being handled (flask.request's object)."""
    return request._get_current_object()


def request_globals() -> _AppCtxGlobals:
    """flask.g's object: what this request has worked out (its viewer, form token)."""
    return g._get_current_object()
