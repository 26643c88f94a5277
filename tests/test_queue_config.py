"""Queues defined in retention.toml: filters, sorts, columns, keys, and clear errors."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from textual.widgets import DataTable

from db.errors import RetentionError
from retention_tui.app import RetentionApp
from retention_tui.config import config_path, defaults, load
from retention_tui.queue_filters import FilterError, apply_filters, parse_filter, parse_sort
from retention_tui.queue_views import BUILTIN, configured_queues
from tests.conftest import SAMPLE_AS_OF

AS_OF = date.fromisoformat(SAMPLE_AS_OF)

ROWS = pl.DataFrame(
    {
        "account": ["Acme", "Globex", "Initech", "Umbrella"],
        "owner": ["Dana Lee", "Sam Ortiz", "dana lee", None],
        "mrr_minor": [120_000, 50_000, 99_999, 300_000],
        "signals": ["payment_failed_2, usage_drop", "usage_drop", "", "competitor"],
        "respond_by": ["2026-11-20", "2026-11-25", None, "2026-12-01"],
    }
)


@pytest.mark.parametrize(
    ("filters", "accounts"),
    [
        (["owner = Dana Lee"], ["Acme", "Initech"]),  # any case
        (["owner != dana lee"], ["Globex"]),  # a missing value passes no filter
        (["mrr_minor >= 100000"], ["Acme", "Umbrella"]),  # numbers compare as numbers
        (["mrr_minor < 99999.5"], ["Globex", "Initech"]),
        (["signals ~ USAGE"], ["Acme", "Globex"]),
        (["respond_by <= 2026-11-25"], ["Acme", "Globex"]),  # ISO dates compare as text
        (["owner = 'Dana Lee'", "mrr_minor > 100000"], ["Acme"]),  # all must pass
        ([], ["Acme", "Globex", "Initech", "Umbrella"]),
    ],
)
def test_filters(filters: list[str], accounts: list[str]) -> None:
    parsed = tuple(parse_filter(f) for f in filters)
    assert apply_filters(ROWS, parsed)["account"].to_list() == accounts


@pytest.mark.parametrize("text", ["owner", "owner Dana", "= x", "owner =", "1x = 2"])
def test_unreadable_filters_say_what_is_expected(text: str) -> None:
    with pytest.raises(FilterError, match="expected 'field op value' with op one of"):
        parse_filter(text)


def test_sorts() -> None:
    assert parse_sort("mrr_minor desc") == ("mrr_minor", True)
    assert parse_sort("renewal_date") == ("renewal_date", False)
    with pytest.raises(FilterError, match="expected 'field' or 'field desc'"):
        parse_sort("mrr_minor sideways")


def test_the_defaults_are_the_eight_work_lists_keyed_1_to_8() -> None:
    queues = configured_queues(defaults())
    work = BUILTIN[:8]  # the advocates list is there to add, not a default
    assert [(q.name, q.key, q.source) for q in queues] == [
        (b.name, str(i + 1), b.name) for i, b in enumerate(work)
    ]
    assert [q.columns for q in queues] == [b.columns for b in work]
    assert [b.name for b in BUILTIN[8:]] == ["advocates"]


def test_an_advocates_queue_can_be_added(sample_db: Path) -> None:
    from retention_tui.workspace import Workspace

    config_path(sample_db).write_text(
        '[queues.advocates]\ntitle = "Advocates"\nfrom = "advocates"\n'
        'filters = ["tier = supporter"]\nsort = "mrr_minor desc"\n',
        encoding="utf-8",
    )
    queues = configured_queues(load(sample_db))
    [adv] = [q for q in queues if q.name == "advocates"]
    assert adv.key == "9"
    s = Workspace(sample_db, date.fromisoformat(SAMPLE_AS_OF)).get(1)
    rows = adv.build(s, date.fromisoformat(SAMPLE_AS_OF))
    assert rows.height > 0 and set(rows["tier"]) == {"supporter"}


def _config(tmp_path: Path, text: str) -> Path:
    db = tmp_path / "retention.db"
    config_path(db).write_text(text, encoding="utf-8")
    return db


MY_QUEUES = """
[queues.expansion]
hidden = true

[queues.dana]
title = "Dana's big at-risk accounts"
from = "risk"
filters = ["owner ~ a", "mrr_minor >= 50000"]
sort = "mrr_minor desc"
columns = ["account", "owner", "mrr_minor", "action"]
"""


def test_a_queue_of_ones_own_is_added_after_the_defaults(tmp_path: Path) -> None:
    queues = configured_queues(load(_config(tmp_path, MY_QUEUES)))
    assert [(q.name, q.key) for q in queues] == [
        ("risk", "1"),
        ("renewals", "2"),
        ("winback", "3"),
        ("reactivation", "4"),
        ("payments", "5"),
        ("onboarding", "6"),
        ("alerts", "7"),
        ("dana", "8"),
    ]
    dana = queues[-1]
    assert dana.source == "risk"
    assert [c[1] for c in dana.columns] == ["account", "owner", "mrr_minor", "action"]
    assert dana.sorts[0] == ("MRR (desc)", "mrr_minor", True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[queues.x]\ntitle = "X"\nfrom = "risky"\n',
            "config 'queues.x.from': unknown list 'risky'; expected one of risk, renewals, "
            "expansion, winback, reactivation, payments, onboarding, alerts, advocates",
        ),
        (
            '[queues.x]\ntitle = "X"\nfrom = "risk"\nfilters = ["colour = red"]\n',
            "config 'queues.x.filters': risk rows have no field 'colour'; expected one of "
            "tier, account, owner, score, mrr_minor, action, respond_by, signals, account_id, "
            "coverage",
        ),
        (
            '[queues.x]\ntitle = "X"\nfrom = "risk"\nfilters = ["owner is Dana"]\n',
            "config 'queues.x': cannot read filter 'owner is Dana'; expected 'field op value' "
            "with op one of = != < <= > >= ~",
        ),
        (
            '[queues.x]\ntitle = "X"\nfrom = "renewals"\nsort = "arr desc"\n',
            "config 'queues.x.sort': renewals rows have no field 'arr'",
        ),
    ],
)
def test_a_bad_queue_is_an_error_naming_it(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RetentionError) as err:
        configured_queues(load(_config(tmp_path, text)))
    assert str(err.value).startswith(message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[queues.x]\nfrom = "risk"\n', "'queues.x.title' is missing"),
        ('[queues.x]\ntitle = "X"\nfrom = "risk"\nfilters = "a = b"\n', "must be a list"),
        (
            '[queues.x]\ntitle = "X"\nfrom = "risk"\ncolour = "red"\n',
            "unknown key 'queues.x.colour'",
        ),
        ("[queues.risk]\nfilters = [1]\n", "'queues.risk.filters' must be a list of text"),
    ],
)
def test_a_malformed_queue_table_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RetentionError, match=message.replace("(", r"\(")):
        load(_config(tmp_path, text))


def test_the_app_shows_a_configured_queue_on_its_key(scored_db: Path) -> None:
    config_path(scored_db).write_text(MY_QUEUES, encoding="utf-8")

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=(130, 36)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("8")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.screen.view.name == "dana"
            table = app.screen.query_one(DataTable)
            assert [str(c.label) for c in table.columns.values()] == [
                "Account",
                "Owner",
                "MRR",
                "Action",
            ]
            frame = app.screen.frame
            assert frame.height == table.row_count > 0
            assert frame["mrr_minor"].min() >= 50000
            assert all("a" in o.lower() for o in frame["owner"])
            shown = [int(str(table.get_row_at(i)[2]).strip("$").replace(",", "")) for i in range(3)]
            assert shown == sorted(shown, reverse=True)
            # the expansion queue is hidden: key 3 is now win-back
            await pilot.press("3")
            await app.workers.wait_for_complete()
            assert app.screen.view.name == "winback"

    asyncio.run(scenario())


def test_config_show_refuses_a_queue_the_dashboard_could_not_show(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from retention_tui.cli import cli

    db = _config(tmp_path, '[queues.x]\ntitle = "X"\nfrom = "risky"\n')
    result = CliRunner().invoke(cli, ["config", "show", "--db", str(db)])
    assert result.exit_code == 2
    assert "config 'queues.x.from': unknown list 'risky'" in result.output


def test_a_list_is_built_once_per_snapshot_and_date() -> None:
    from retention_tui.queue_views import QueueView, list_rows
    from retention_tui.workspace import Book, Snapshot

    built: list[date] = []

    def build(_s, day: date) -> pl.DataFrame:
        built.append(day)
        return ROWS

    view = QueueView("x", "X", "1", build, (), ())
    snapshot = Snapshot(Book({}, {}), run=None, done=ROWS)  # type: ignore[arg-type]
    assert list_rows(view, snapshot, AS_OF) is list_rows(view, snapshot, AS_OF)
    list_rows(view, snapshot, date(2026, 1, 1))
    assert built == [AS_OF, date(2026, 1, 1)]
    fresh = Snapshot(Book({}, {}), run=None, done=ROWS)  # type: ignore[arg-type]
    list_rows(view, fresh, AS_OF)  # a new version of the database builds again
    assert built == [AS_OF, date(2026, 1, 1), AS_OF]


def test_a_long_text_cell_is_cut_with_an_ellipsis_the_rest_shown_whole() -> None:
    """An action or a list of signals longer than a queue's text cell is cut so the
    columns after it stay on the screen."""
    from retention_tui.queue_views import TEXT_CELL, cell

    action = "Usage fell sharply: re-engage with a personal check-in"
    shown = cell(action, "text")
    assert len(shown) == TEXT_CELL < len(action)
    assert shown == action[: TEXT_CELL - 1].rstrip() + "…"
    assert cell("Second failed payment", "text") == "Second failed payment"
