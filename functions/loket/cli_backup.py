"""`loket backup FILE`: a consistent copy of the SQLite store while the server runs.

On AWS the table is kept by DynamoDB's point-in-time recovery instead (the stack turns
it on); README.md, "Backups", shows how to restore either.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace FILE when it exists.")
@click.option("--pages", default=256, show_default=True, type=click.IntRange(1, None),
              help="Pages copied a step; the server writes on between steps.")
def backup(file: Path, force: bool, pages: int) -> None:
    """Copy the SQLite store to FILE, consistently, while `loket serve` runs and writes.

    The copy is the store as it was when the backup began; it is written beside FILE
    and renamed only when complete and checked. Safe to run from cron.
    """
    from loket.cli import _settings
    from loket.storage.sqlite_backup import BackupRefused, backup_sqlite

    settings = _settings()
    if settings.store != "sqlite":
        raise click.ClickException(
            f"LOKET_STORE={settings.store}: `loket backup` copies the SQLite store only. "
            f"The DynamoDB table {settings.dynamodb_table!r} is backed up by point-in-time "
            "recovery (on in the stack); restore it with "
            "`aws dynamodb restore-table-to-point-in-time` (README.md, Backups).")
    try:
        report = backup_sqlite(settings.sqlite_path, file, force=force, pages=pages)
    except (BackupRefused, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(report.summary())


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.confirmation_option(prompt="Is `loket serve` (and every other user of the store) "
                                  "stopped?", help="Confirm that the store is not in use.")
def restore(file: Path) -> None:
    """Put a copy made by `loket backup` in the place of the SQLite store.

    Stop `loket serve` first. The copy is checked before anything changes; the store
    it replaces is moved to a replaced-<moment> folder beside it, not deleted.
    """
    from loket.cli import _settings
    from loket.storage.sqlite import MIGRATIONS
    from loket.storage.sqlite_backup import BackupRefused, restore_sqlite

    settings = _settings()
    if settings.store != "sqlite":
        raise click.ClickException(f"LOKET_STORE={settings.store}: restore the DynamoDB "
                                   "table with point-in-time recovery (README.md, Backups)")
    try:
        aside = restore_sqlite(file, settings.sqlite_path, latest_schema=len(MIGRATIONS))
    except (BackupRefused, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{settings.sqlite_path}: restored from {file}"
               + (f"; the replaced store is in {aside}/" if aside else ""))
