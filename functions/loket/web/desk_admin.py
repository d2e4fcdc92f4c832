"""Who may open the desk's admin pages (web/desk_people.py, web/desk_suppressions.py),
said once: a desk admin (portal.yml accounts.desk_admins). Anyone but an agent gets the
desk's "not found" page, as on every desk page; an agent who is not a desk admin gets
the module's own 403 page, which says who may do it."""

from __future__ import annotations

from functools import wraps
from typing import Callable

from loket.services.desk import is_agent, is_desk_admin
from loket.web.auth import require_viewer
from loket.web.current import services
from loket.web.desk_pages import not_found
from loket.web.pages import language


def desk_admin_view(forbidden: Callable, *, may: Callable = is_desk_admin) -> Callable:
    """Decorate a view that takes the viewer and the page's language before its route's
    arguments: it runs for a viewer `may(services, viewer)` allows; another agent gets
    `forbidden(viewer, lang)`."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(**route):
            me, lang = require_viewer(), language()
            if not is_agent(me):
                return not_found(lang)
            if not may(services(), me):
                return forbidden(me, lang)
            return view(me, lang, **route)
        return guarded
    return decorate
