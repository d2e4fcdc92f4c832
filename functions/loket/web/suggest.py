"""GET /api/suggest: knowledge-base articles that may answer what a customer is typing."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, request

from loket.domain.errors import FieldError, ValidationFailed
from loket.domain.forms import LANGUAGES
from loket.search import SearchIndexMissing
from loket.web.current import services as current_services
from loket.web.problems import problem

bp = Blueprint("suggest", __name__, url_prefix="/api")

MIN_QUERY, MAX_QUERY = 2, 200
LIMIT = 5


@bp.get("/suggest")
def suggest():
    services = current_services()
    text, lang, product = read_params(request.args, services.config.products)
    if services.search is None:
        return index_missing()
    try:
        found = services.search.suggest(text, lang=_content_language(lang), product=product,
                                        limit=LIMIT)
    except SearchIndexMissing:
        return index_missing()
    response = jsonify({"query": text, "suggestions": [asdict(s) for s in found]})
    # The same question gets the same answer until the next site build.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _content_language(lang: str) -> str:
    """A German page searches the knowledge base as an English one: its articles are
    written in the knowledge base's languages only."""
    from loket.search.languages import LANGUAGES as CONTENT

    return lang if lang in CONTENT else CONTENT[0]


def read_params(args, products) -> tuple[str, str, str | None]:
    """The query text, language and product, or ValidationFailed naming each bad one."""
    errors = []
    raw = args.get("q", "")
    text = " ".join(raw.split())
    if text and raw[-1].isspace():
        text += " "  # A space after the last word says it is finished, not a prefix.
    if not text:
        errors.append(FieldError("q", "is required: the text to find articles for"))
    elif not MIN_QUERY <= len(text.strip()) <= MAX_QUERY:
        errors.append(FieldError("q", f"must be {MIN_QUERY} to {MAX_QUERY} characters long"))
    lang = args.get("lang", LANGUAGES[0])
    if lang not in LANGUAGES:
        errors.append(FieldError("lang", f"must be one of: {', '.join(LANGUAGES)}"))
    product = args.get("product") or None
    if product is not None and product not in products:
        errors.append(FieldError("product", f"must be one of: {', '.join(products)}"))
    if errors:
        raise ValidationFailed(errors)
    return text, lang, product


def index_missing():
    return problem(503, "Search index not built",
                   "Suggestions need the search index: build the site, or run "
                   "`loket search-build`.", type_="/api/problems/search-index-missing")
