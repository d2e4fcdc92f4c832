"""`loket export DIR`, `loket import DIR` and `loket migrate --to dynamodb`: the store's
whole content out to a folder, into a store of either kind, and from the local SQLite
store into a DynamoDB table (services/export.py, services/migrate.py; README.md,
"Export, import and moving to AWS"). Also `loket accounts erase ADDRESS`, which reads
the store through the same port (services/erase.py)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click


def _store_and_blobs():
    from loket.cli import _settings
    from loket.config import ConfigError, load_portal_config
    from loket.wiring import build_blobs, build_store

    settings = _settings()
    try:
        config = load_portal_config(settings.config_dir)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    return settings, build_store(settings, config.first_ticket_number), build_blobs(settings)


def _progress(kind: str, count: int) -> None:
    click.echo(f"  {kind}: {count}", err=True)


def _scan_notice(settings, port) -> None:
    if settings.store == "dynamodb":
        click.echo(f"reading table {settings.dynamodb_table} with a parallel Scan "
                   f"({port.scan_segments} segments)", err=True)


@click.command("export")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--with-secrets", is_flag=True,
              help="Keep password hashes and second-factor secrets (left out otherwise).")
def export_command(folder: Path, with_secrets: bool) -> None:
    """Write everything in the store, and its attachment files, to FOLDER (new or empty):
    JSON Lines per kind, blobs/, and manifest.json with counts and digests, last."""
    from loket.services.export import export_data
    from loket.services.export_format import ExportFormatError
    from loket.storage.data_port import data_port

    settings, store, blobs = _store_and_blobs()
    port = data_port(store)
    _scan_notice(settings, port)
    started = time.perf_counter()
    try:
        manifest = export_data(port, blobs, folder, source=settings.store,
                               with_secrets=with_secrets, progress=_progress)
    except (ExportFormatError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    seconds = time.perf_counter() - started
    tickets = manifest.count("tickets.jsonl")
    click.echo(f"{folder}: exported " + ", ".join(
        f"{name.removesuffix('.jsonl')} {f['count']}" for name, f in manifest.files.items()))
    click.echo(f"{tickets} tickets in {seconds:.1f} s ({tickets / max(seconds, 1e-9):.0f}/s)")


@click.command("import")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--merge", is_flag=True,
              help="Import into a store that has data: what it has stays, the rest is added.")
def import_command(folder: Path, merge: bool) -> None:
    """Load an export from FOLDER into the store the settings name (SQLite or DynamoDB).
    Ticket numbers, access keys and accounts are kept; sessions are not. Run it again
    after a crash: it goes on, and nothing doubles."""
    from loket.services.export import ImportRefused, import_data
    from loket.services.export_format import ExportFormatError
    from loket.storage.data_port import data_port

    settings, store, blobs = _store_and_blobs()
    started = time.perf_counter()
    try:
        report = import_data(store, data_port(store), blobs, folder, merge=merge,
                             progress=_progress)
    except (ImportRefused, ExportFormatError) as exc:
        raise click.ClickException(str(exc)) from None
    seconds = time.perf_counter() - started
    tickets = report.counts.get("tickets", 0)
    click.echo(f"{folder}: imported into {settings.store}: " + ", ".join(
        f"{kind} {report.written[kind]} of {report.counts[kind]}" for kind in report.counts))
    click.echo(f"{tickets} tickets in {seconds:.1f} s ({tickets / max(seconds, 1e-9):.0f}/s)")


@click.command("migrate")
@click.option("--to", "target", type=click.Choice(["dynamodb"]), required=True,
              help="The kind of store to move to.")
@click.option("--table", required=True, help="The DynamoDB table (made if missing).")
@click.option("--bucket", required=True, help="The S3 bucket for attachments (must exist).")
@click.option("--dry-run", is_flag=True,
              help="Print what would be written and the write units it costs; change nothing.")
@click.option("--work-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where the export and the check go (kept); a temporary folder otherwise.")
def migrate_command(target: str, table: str, bucket: str, dry_run: bool,
                    work_dir: Path | None) -> None:
    """Move the local SQLite store and its attachment files to DynamoDB and S3, through
    an export and an import, and check the result (LOKET_AWS_REGION and
    LOKET_AWS_ENDPOINT_URL say where)."""
    from loket.services.migrate import estimate
    from loket.storage.data_port import data_port

    settings, store, blobs = _store_and_blobs()
    if settings.store != "sqlite":
        raise click.ClickException(f"LOKET_STORE={settings.store}: migrate moves the local "
                                   "SQLite store (LOKET_STORE=sqlite, LOKET_SQLITE_PATH)")
    if dry_run:
        for line in estimate(data_port(store), blobs).lines(table, bucket):
            click.echo(line)
        return
    if work_dir is None:
        with tempfile.TemporaryDirectory(prefix="loket-migrate-") as temporary:
            _migrate(settings, store, blobs, table, bucket, Path(temporary))
    else:
        _migrate(settings, store, blobs, table, bucket, work_dir)


def _migrate(settings, store, blobs, table: str, bucket: str, work_dir: Path) -> None:
    from loket.blobs.s3 import S3Blobs
    from loket.services.export import ImportRefused
    from loket.services.export_format import ExportFormatError
    from loket.services.migrate import migrate
    from loket.storage.dynamodb import DynamoDBStore

    target = DynamoDBStore(table, region=settings.aws_region,
                           endpoint_url=settings.aws_endpoint_url)
    target_blobs = S3Blobs(bucket, region=settings.aws_region,
                           endpoint_url=settings.aws_endpoint_url)
    _check_bucket(target_blobs, bucket)
    if _ensure_table(target.client, table):
        click.echo(f"created table {table} (keys and indexes of storage/dynamodb_table.yml)")
    started = time.perf_counter()
    try:
        report = migrate(store, blobs, target, target_blobs, work_dir, progress=_progress)
    except (ImportRefused, ExportFormatError) as exc:
        raise click.ClickException(str(exc)) from None
    seconds = time.perf_counter() - started
    click.echo(f"moved to {table} and {bucket} in {seconds:.1f} s: " + ", ".join(
        f"{name.removesuffix('.jsonl')} {n}" for name, n in report.counts.items()))
    if report.mismatched:
        raise click.ClickException("check failed: the table's export differs from the "
                                   f"store's in {', '.join(report.mismatched)}")
    click.echo("check: the table's export has the same counts and digests as the store's")


def _ensure_table(client, table: str) -> bool:
    """Make the table when it is not there; True when made."""
    from loket.storage.dynamodb import create_table

    try:
        client.describe_table(TableName=table)
        return False
    except client.exceptions.ResourceNotFoundException:
        create_table(client, table)
        return True


def _check_bucket(blobs, bucket: str) -> None:
    from botocore.exceptions import ClientError

    try:
        blobs.client.head_bucket(Bucket=bucket)
    except ClientError as exc:
        raise click.ClickException(f"--bucket {bucket}: not reachable "
                                   f"({exc.response.get('Error', {}).get('Code')})") from None


def _add_erase_command() -> None:
    """`loket accounts erase` joins the accounts group (cli_accounts.py)."""
    from loket.cli_accounts import accounts

    @accounts.command("erase")
    @click.argument("address")
    @click.option("--messages", is_flag=True,
                  help="Remove the text of their messages and rating comments too.")
    @click.confirmation_option(prompt="Erase this person for good (no undo)?",
                               help="Confirm without being asked.")
    def accounts_erase(address: str, messages: bool) -> None:
        """Erase ADDRESS on request: their account, sessions, links, mail to them,
        refused mail and the files of their messages go; on tickets and messages they
        become a placeholder, so tickets stay countable. README.md, "Erasing a person"."""
        from loket.services.erase import erase_person
        from loket.storage.data_port import data_port

        _, store, blobs = _store_and_blobs()
        erasure = erase_person(store, data_port(store), blobs, address, messages=messages)
        click.echo(erasure.summary())


_add_erase_command()

COMMANDS = [export_command, import_command, migrate_command]
