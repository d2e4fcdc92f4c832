"""`loket table-check [TABLE]`: is a DynamoDB table (by default LOKET_DYNAMODB_TABLE)
fit to be the store? Run it on a restored table before the stack is pointed at it
(README.md, "DynamoDB: point-in-time recovery")."""

from __future__ import annotations

import click


@click.command("table-check")
@click.argument("table", required=False)
def table_check(table: str | None) -> None:
    """Check TABLE's keys and indexes (storage/dynamodb_table.yml), time to live,
    point-in-time recovery and deletion protection; print the command for what is off.

    Exits 1 when anything is off, so a script can stop before the deploy.
    """
    import boto3

    from loket.cli import _settings
    from loket.storage.dynamodb_check import check_table

    settings = _settings()
    table = table or settings.dynamodb_table
    client = boto3.client("dynamodb", region_name=settings.aws_region,
                          endpoint_url=settings.aws_endpoint_url)
    try:
        findings = check_table(client, table)
    except client.exceptions.ResourceNotFoundException:
        raise click.ClickException(f"no table {table!r} in this account and region") from None
    for finding in findings:
        click.echo(f"{'ok' if finding.ok else 'OFF':3}  {finding.what}: {finding.detail}")
    off = [f.what for f in findings if not f.ok]
    if off:
        raise click.ClickException(f"{table}: {', '.join(off)} to put right first")
    click.echo(f"{table}: fit to be the store")
