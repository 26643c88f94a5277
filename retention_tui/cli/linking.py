"""One company across tools: rows waiting for an account, links made by hand, merges."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import click

from db.queries import one_account
from retention_tui.cli.base import db_option, format_option, open_db
from retention_tui.cli.data import accounts
from retention_tui.output import render


@accounts.command()
@db_option
@format_option
def unmatched(db_path: Path | None, fmt: str) -> None:
    """Imported rows that match no account (or several), by source and key.

    Link a key to an account with 'retention accounts link SOURCE KEY ACCOUNT'.
    """
    from db.links import pending_groups

    with closing(open_db(db_path)) as conn:
        rows = pending_groups(conn).to_dicts()
    if not rows and fmt == "table":
        click.echo("Every imported row has its account.")
        return
    click.echo(render(rows, fmt))


@accounts.command()
@click.argument("source", required=False)
@click.argument("key", required=False)
@click.argument("account", required=False)
@click.option(
    "--map",
    "id_map",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A CSV of source, external_id, account_id: link many at once (all or none).",
)
@db_option
def link(
    source: str | None,
    key: str | None,
    account: str | None,
    id_map: Path | None,
    db_path: Path | None,
) -> None:
    """Link SOURCE's KEY (as 'accounts unmatched' shows it, e.g. name:acme or
    id:cus_123) to ACCOUNT (an id or name), or every row of an id map (--map). The rows
    that waited are imported, and later imports follow the links."""
    from importers.identity import is_key
    from importers.run import link_many, read_id_map

    with closing(open_db(db_path)) as conn:
        if id_map is not None:
            if source or key or account:
                raise click.UsageError("give either SOURCE KEY ACCOUNT or --map FILE")
            wanted = read_id_map(conn, id_map)
            what = f"{len(wanted)} links from {id_map.name}"
        else:
            if not (source and key and account):
                raise click.UsageError("give SOURCE KEY ACCOUNT, or --map FILE")
            if not is_key(key):
                raise click.BadParameter(
                    "expected a key like id:cus_123, domain:acme.com, name:acme or "
                    "email:ana@acme.com (see 'retention accounts unmatched')",
                    param_hint="KEY",
                )
            account_id, name = one_account(conn, account)
            wanted = [(source, key, account_id)]
            what = f"{source} {key} to {name} ({account_id})"
        linked = link_many(conn, wanted)
        before = [(s, k, *one_account(conn, a)) for s, k, a in linked.relinked]
    rows = sum(linked.written.values())
    detail = ", ".join(f"{n} {t}" for t, n in sorted(linked.written.items()))
    click.echo(
        f"Linked {what}; "
        + (f"imported {rows} waiting rows ({detail})." if rows else "no rows were waiting.")
    )
    for s, k, old_id, old_name in before:
        click.echo(
            f"  {s} {k} was linked to {old_name} ({old_id}): the rows imported through it "
            "stay there until you import their files again (imports follow the new link)"
        )


@accounts.command()
@db_option
@format_option
def links(db_path: Path | None, fmt: str) -> None:
    """Every saved link from a tool's key to an account (by hand, by import, by merge)."""
    from db.links import all_links

    with closing(open_db(db_path)) as conn:
        rows = all_links(conn).to_dicts()
    click.echo(render(rows, fmt))


@accounts.command()
@click.argument("duplicate")
@click.argument("keep")
@db_option
@click.option("--yes", is_flag=True, help="Do not ask first.")
def merge(duplicate: str, keep: str, db_path: Path | None, yes: bool) -> None:
    """Fold account DUPLICATE into KEEP (ids or names): its data, playbooks, ticks, notes
    and snoozes move to KEEP, and every tool's record of DUPLICATE lands on KEEP from now
    on. Scores are recomputed by the next 'retention score'. Asks first: a merge cannot
    be undone."""
    from db.links import check_mergeable, merge_accounts

    with closing(open_db(db_path)) as conn:
        from_id, from_name = one_account(conn, duplicate)
        into_id, into_name = one_account(conn, keep)
        check_mergeable(conn, from_id, into_id)
        if not yes:
            click.confirm(
                f"Merge {from_name} ({from_id}) into {into_name} ({into_id})? It cannot be undone",
                abort=True,
            )
        result = merge_accounts(conn, from_id, into_id)
    moved = ", ".join(f"{n} {t}" for t, n in sorted(result.moved.items())) or "no rows"
    click.echo(f"Merged {from_name} ({from_id}) into {into_name} ({into_id}): moved {moved}.")
