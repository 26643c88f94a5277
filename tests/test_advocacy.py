"""Advocacy tiers (retention_tui/engine/advocacy.py): seed A's supporter / advocate /
champion, from NPS, activity and tagged touchpoints."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from retention_tui.cli import cli
from retention_tui.config import defaults
from retention_tui.engine.advocacy import advocates
from retention_tui.engine.run import score_run
from tests.conftest import SAMPLE_AS_OF
from tests.engine_data import AS_OF, account, days_ago, events, make_tables

CFG = defaults()


def _nps(account_id: str, score: int, ago: float = 10) -> dict:
    return {"account_id": account_id, "score": score, "responded_at": days_ago(ago)}


def _tagged(account_id: str, tag: str, ago: float = 20) -> dict:
    return {
        "account_id": account_id,
        "kind": "call",
        "direction": "inbound",
        "occurred_at": days_ago(ago),
        "tags": tag,
        "summary": "talked",
    }


def tiers(**rows: list[dict]) -> dict[str, dict]:
    tables = make_tables(**rows)
    run = score_run(tables, AS_OF, CFG)
    return {r["account_id"]: r for r in advocates(tables, run.features, AS_OF, CFG).to_dicts()}


def test_each_customer_gets_the_highest_tier_it_qualifies_for() -> None:
    ids = ("champ", "adv", "sup", "idle", "meh", "old", "one_ref")
    usage = [e for a in ids for e in events(a, "login", [days_ago(3)]) if a != "idle"]
    got = tiers(
        accounts=[account(a) for a in ids],
        usage_events=usage,
        nps_responses=[
            _nps("champ", 10),
            _nps("adv", 9),
            _nps("sup", 8),
            _nps("idle", 9),  # no event in 30 days: not active, no case study: no tier
            _nps("meh", 7),
            _nps("old", 10, ago=400),  # older than windows.nps (365 days): not counted
            _nps("one_ref", 10),
        ],
        touchpoints=[
            _tagged("champ", "referral", 60),
            _tagged("champ", "referral;upsell", 20),
            _tagged("adv", "case_study"),
            _tagged("one_ref", "referral"),  # one referral is not "multi-deal"
        ],
    )
    assert {a: r["tier"] for a, r in got.items()} == {
        "champ": "champion",
        "adv": "advocate",
        "sup": "supporter",
        "one_ref": "supporter",
    }
    assert got["champ"]["why"] == "NPS 10, 2 referrals, 1 event in 30 d"
    assert got["one_ref"]["why"] == "NPS 10, 1 referral, 1 event in 30 d"
    assert got["champ"]["asks"] == "co-selling, executive intros"
    assert got["adv"]["rewards"] == "conference passes, advisory board"
    assert list(got) == ["champ", "adv", "one_ref", "sup"]  # tier, then NPS


def test_advocates_report(runner: CliRunner, sample_db: Path) -> None:
    args = ["report", "advocates", "--db", str(sample_db), "--as-of", SAMPLE_AS_OF]
    rows = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    assert rows and all(r["nps"] >= 8 for r in rows)
    # the sample's promoters include some open to a case study and some who referred peers
    assert {r["tier"] for r in rows} == {"champion", "advocate", "supporter"}
    tiers = [r["tier"] for r in rows]
    assert tiers == sorted(tiers, key=["champion", "advocate", "supporter"].index)
    table = runner.invoke(cli, args).output
    assert table.startswith(f"Advocates as of {SAMPLE_AS_OF}: {len(rows)}")
