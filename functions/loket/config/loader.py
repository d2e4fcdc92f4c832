"""Reading YAML configuration with errors that name the file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

# pydantic is imported where files are read, not here: a cold start with the compiled
# configuration (config/compiled.py) imports this module but never pydantic.
M = TypeVar("M")


class ConfigError(Exception):
    """A configuration file is missing, unreadable or invalid; the message says where."""


def load_yaml_model(path: Path, model: type[M]) -> M:
    """Parse `path` into `model`, or raise ConfigError naming file, line and field."""
    # Imported here: a cold start with the precompiled configuration reads no YAML.
    import yaml
    from pydantic import ValidationError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        # libyaml's parser when the machine has it: several times faster.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: line 1: the file must hold a mapping of settings")
    try:
        result = model.model_validate(data)
    except ValidationError as exc:
        # Only now is the node tree worth building: it tells each error's line.
        lines = _line_index(yaml.compose(text, Loader=yaml.SafeLoader))
        raise ConfigError("\n".join(_describe(path, err, lines) for err in exc.errors())) from None
    # Checks across fields (a transition naming an unknown status, say) cannot point
    # at a line from inside pydantic; a model lists them as (location, message) pairs.
    problems = result.problems() if hasattr(result, "problems") else []
    if problems:
        lines = _line_index(yaml.compose(text, Loader=yaml.SafeLoader))
        raise ConfigError("\n".join(_describe(path, {"loc": loc, "msg": msg}, lines)
                                     for loc, msg in problems))
    return result


def _describe(path: Path, err: dict[str, Any], lines: dict[tuple, int]) -> str:
    loc = tuple(err["loc"])
    # The deepest part of the location that exists in the file gives the line.
    line = next((lines[loc[:i]] for i in range(len(loc), -1, -1) if loc[:i] in lines), 1)
    field = ".".join(str(p) for p in loc) or "(top level)"
    return f"{path}: line {line}: {field}: {err['msg']}"


def _line_index(node: yaml.Node | None, prefix: tuple = ()) -> dict[tuple, int]:
    """Map every key path in the YAML document to its 1-based line number."""
    import yaml

    index: dict[tuple, int] = {}
    if node is None:
        return index
    index[prefix] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            index.update(_line_index(value, prefix + (key.value,)))
            index[prefix + (key.value,)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            index.update(_line_index(item, prefix + (i,)))
    return index


def form_rule_problems(workflow, form) -> list[tuple[tuple, str]]:
    """The workflow's sla.from_form rules against the ticket form: each names one of its
    fields, `at_least` an integer field, `equals` on a listed choice one of its values."""
    rules = workflow.sla.from_form if workflow.sla is not None else []
    fields = {spec.name: spec for spec in form.fields}
    problems = []
    for i, rule in enumerate(rules):
        here, spec = ("sla", "from_form", i, "field"), fields.get(rule.field)
        if spec is None:
            problems.append((here, f"'{rule.field}' is not a field of the ticket form"))
        elif rule.at_least is not None and spec.type != "integer":
            problems.append((here, f"'at_least' needs an integer field; "
                                   f"'{rule.field}' is {spec.type}"))
        elif rule.equals is not None and isinstance(spec.choices, list) and \
                rule.equals not in [c.value for c in spec.choices]:
            problems.append((("sla", "from_form", i, "equals"),
                             f"'{rule.equals}' is not a choice of '{rule.field}': one of "
                             + ", ".join(c.value for c in spec.choices)))
    return problems


def problem_at(path: Path, loc: tuple, message: str) -> ConfigError:
    """A ConfigError for `loc` in `path`, with its line, for checks across files."""
    import yaml

    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    return ConfigError(_describe(path, {"loc": loc, "msg": message}, _line_index(node)))


def load_portal_config(config_dir: Path, *, load_holidays: bool = False,
                       compiled: bool = True):
    """Load site_config/portal.yml, the ticket form and the workflow it names; validate all.

    The calendar's public holidays are loaded on first use (a fifth of a second, which
    a web request that never asks about working time should not pay); with
    `load_holidays` they are loaded and checked now, as `check-config`, `serve` and
    the sweeper do. A precompiled configuration (loket.config.compiled: the Lambda zip
    carries one) is used when it is there and was made from these very files;
    `compiled=False` reads the files whatever."""
    if compiled:
        from loket.config.compiled import load_compiled

        config = load_compiled(config_dir)
        if config is not None and _holidays_ok(config, load_holidays):
            return config
    return _load_files(config_dir, load_holidays)


def _holidays_ok(config, load_holidays: bool) -> bool:
    """False when the holidays are to be checked and fail: the files are then read
    again, for an error that names the workflow file and line."""
    if not load_holidays:
        return True
    try:
        config.workflow.calendar.closed_days.check()
    except ValueError:
        return False
    return True


def _load_files(config_dir: Path, load_holidays: bool):
    from loket.config.form_file import FormDefinition
    from loket.config.model import AccountsConfig, PortalConfig, PortalFile
    from loket.config.workflow import WorkflowFile

    portal_path = config_dir / "portal.yml"
    portal = load_yaml_model(portal_path, PortalFile)
    form_path = config_dir / portal.ticket_form
    form = load_yaml_model(form_path, FormDefinition)
    workflow_path = config_dir / portal.workflow
    workflow = load_yaml_model(workflow_path, WorkflowFile)
    told = workflow.review_board_news()
    for i, product in enumerate(portal.products):
        if told and not product.review_board:
            raise problem_at(portal_path, ("products", i), (
                f"product '{product.id}' needs a review_board address: "
                f"{workflow_path} tells the review board of {', '.join(told)}"))
    for loc, message in form_rule_problems(workflow, form):
        raise problem_at(workflow_path, loc, message)
    accounts = portal.accounts
    if isinstance(accounts, str):
        accounts = load_yaml_model(config_dir / accounts, AccountsConfig)
    built = workflow.build()
    if load_holidays:
        try:
            built.calendar.closed_days.check()
        except ValueError as exc:
            raise problem_at(workflow_path, ("calendar", "holidays"), str(exc)) from None
    try:
        config = PortalConfig.assemble(portal, form, built, accounts)
    except ValueError as exc:
        raise ConfigError(f"{form_path}: {exc}") from None
    from dataclasses import replace

    from loket.config.canned_replies import load_canned_replies

    return replace(config, canned_replies=load_canned_replies(config_dir / "replies"))
