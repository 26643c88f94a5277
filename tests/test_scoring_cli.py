"""`retention score`, `config show`, `account NAME score` and `report risk` end to end on the
sample database."""

from __future__ import annotations

import json
import sqlite3
import tomllib
from pathlib import Path

from click.testing import CliRunner

from retention_tui.cli import cli
from retention_tui.config import defaults
from tests.conftest import SAMPLE_AS_OF


def run(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.output


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_score_stores_a_snapshot_per_customer(runner: CliRunner, sample_db: Path) -> None:
    code, out = run(runner, "score", "--db", str(sample_db), "--as-of", SAMPLE_AS_OF)
    assert code == 0, out
    assert out.startswith(f"Scored 250 accounts as of {SAMPLE_AS_OF} (preset B): healthy ")
    [(n, dates, preset, hashes)] = rows(
        sample_db,
        "SELECT COUNT(*), COUNT(DISTINCT as_of), "
        "MIN(preset), COUNT(DISTINCT config_hash) FROM score_snapshots",
    )
    assert (n, dates, preset, hashes) == (250, 1, "B", 1)
    [(dims, signals, coverage, tier)] = rows(
        sample_db, "SELECT dimensions, signals, coverage, tier FROM score_snapshots LIMIT 1"
    )
    assert set(json.loads(dims)) == {"usage", "engagement", "financial", "relationship", "outcome"}
    first = json.loads(signals)[0]
    assert set(first) == {"dimension", "signal", "raw", "points"}
    assert 0 <= coverage <= 1 and tier in ("healthy", "monitor", "at_risk", "critical")
    assert rows(sample_db, "SELECT COUNT(*) FROM risk_signals")[0][0] > 50
    # Each snapshot holds its account's run exactly: every dimension's score, every signal.
    from datetime import date

    from retention_tui.workspace import Workspace

    live = Workspace(sample_db, date.fromisoformat(SAMPLE_AS_OF)).get(1).run
    stored = {
        aid: (total, json.loads(d), json.loads(sig))
        for aid, total, d, sig in rows(
            sample_db, "SELECT account_id, total, dimensions, signals FROM score_snapshots"
        )
    }
    assert len(stored) == live.scores.height
    for r in live.scores.iter_rows(named=True):
        total, d, sig = stored[r["account_id"]]
        assert total == r["total"]
        assert d == {x["dimension"]: x["score"] for x in r["dimensions"]}
        mine = live.signals.filter(live.signals["account_id"] == r["account_id"])
        assert sig == mine.select("dimension", "signal", "raw", "points").to_dicts()
    # Scoring the same date again replaces it.
    run(runner, "score", "--db", str(sample_db), "--as-of", SAMPLE_AS_OF)
    assert rows(sample_db, "SELECT COUNT(*) FROM score_snapshots")[0][0] == 250


def test_weekly_history_backfills_trends_and_alerts(runner: CliRunner, sample_db: Path) -> None:
    code, out = run(
        runner,
        "score",
        "--db",
        str(sample_db),
        "--as-of",
        SAMPLE_AS_OF,
        "--history",
        "weekly",
        "--since",
        "2026-09-01",
    )
    assert code == 0, out
    assert out.splitlines()[0] == "Scored 12 weekly dates from 2026-09-04 to 2026-11-20."
    dates = [r[0] for r in rows(sample_db, "SELECT DISTINCT as_of FROM score_snapshots ORDER BY 1")]
    assert len(dates) == 12 and dates[-1] == SAMPLE_AS_OF
    # Weeks after the first compare with the week before: some scores move enough to alert.
    codes = {r[0] for r in rows(sample_db, "SELECT DISTINCT code FROM score_alerts")}
    assert {"score_drop", "entered_at_risk", "rose_to_healthy"} <= codes


def test_history_needs_since(runner: CliRunner, sample_db: Path) -> None:
    code, out = run(runner, "score", "--db", str(sample_db), "--history", "weekly")
    assert code == 2 and "--history needs --since DATE" in out


def test_config_show_prints_the_effective_toml(runner: CliRunner, db_path: Path) -> None:
    code, out = run(runner, "config", "show", "--db", str(db_path))
    assert code == 0
    assert out.startswith("# effective config: defaults (no ")
    assert tomllib.loads(out) == defaults()


def test_retention_toml_overrides_and_is_used(runner: CliRunner, sample_db: Path) -> None:
    (sample_db.parent / "retention.toml").write_text(
        '[scoring]\npreset = "A"\n\n[tiers]\nhealthy = 80\n'
    )
    code, out = run(runner, "config", "show", "--db", str(sample_db))
    assert code == 0
    shown = tomllib.loads(out)
    assert shown["scoring"]["preset"] == "A" and shown["tiers"]["healthy"] == 80
    assert "defaults + " in out.splitlines()[0]
    code, out = run(runner, "score", "--db", str(sample_db), "--as-of", SAMPLE_AS_OF)
    assert code == 0 and "(preset A)" in out
    assert rows(sample_db, "SELECT DISTINCT preset FROM score_snapshots") == [("A",)]


def test_invalid_config_names_the_key(runner: CliRunner, db_path: Path) -> None:
    toml = db_path.parent / "retention.toml"
    cases = {
        "[tiers]\nhealty = 70\n": "unknown key 'tiers.healty'",
        '[presets.B.weights]\nusage = "thirty"\n': "'presets.B.weights.usage' must be a number",
        '[scoring]\npreset = "C"\n': "'scoring.preset' must be one of A, B",
        "[tiers]\nhealthy = 40\n": "'tiers' must satisfy 0 < at_risk < monitor < healthy",
        '[presets.B.signals]\nusage = ["logins"]\n': "names unknown signal 'logins'",
        "[scoring\n": "not valid TOML",
        '[currency]\nbase = "usd"\n': "'currency.base' must be a three-letter ISO code",
        '[currency.rates]\nEUR = "1.08"\n': "'currency.rates.EUR' must be a number above 0",
        "[currency.rates]\nEUR = 0\n": "'currency.rates.EUR' must be a number above 0",
        "[currency.rates]\neuro = 1.1\n": "'currency.rates.euro' must be named by a three",
        "[revenue_tiers]\nmid_market = 9000\n": "'revenue_tiers' must satisfy 0 <= mid_market",
        "[capacity]\nsmb = 30000\n": "'capacity' must satisfy 0 <= smb <= mid_market",
        '[metrics]\npricing_model = "seats"\n': "'metrics.pricing_model' must be one of seat,",
    }
    for text, message in cases.items():
        toml.write_text(text)
        code, out = run(runner, "config", "show", "--db", str(db_path))
        assert code == 2, text
        assert out.startswith(f"Error: {toml}: ") and message in out, out
        assert "Traceback" not in out


def test_account_score_breakdown(runner: CliRunner, sample_db: Path) -> None:
    code, out = run(
        runner,
        "account",
        "acc_0002",
        "score",
        "--db",
        str(sample_db),
        "--as-of",
        SAMPLE_AS_OF,
        "--format",
        "json",
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["account_id"] == "acc_0002" and data["preset"] == "B"
    assert {s["signal"] for s in data["signals"]} >= {"login_frequency", "payments", "champion"}
    for s in data["signals"]:
        assert (s["points"] is None) == (s["raw"] == "no data")
    code, table = run(
        runner, "account", data["name"], "score", "--db", str(sample_db), "--as-of", SAMPLE_AS_OF
    )
    assert table.splitlines()[0].startswith(f"{data['name']} (acc_0002) as of {SAMPLE_AS_OF}: ")


def test_account_alone_prints_its_score(runner: CliRunner, sample_db: Path) -> None:
    """`retention account NAME` with no command answers "score of <account>" (it said
    'Missing command' and exited with 2)."""
    db = ["--db", str(sample_db)]
    alone = runner.invoke(cli, ["account", "acc_0002", *db])
    scored = runner.invoke(cli, ["account", "acc_0002", "score", *db])
    assert alone.exit_code == scored.exit_code == 0, alone.output
    assert alone.stdout.startswith("Auroraforge Capital GmbH (acc_0002) as of ")
    assert alone.stdout == scored.stdout and alone.stderr == scored.stderr
    # options after NAME with no command are the score's
    day = ["--as-of", SAMPLE_AS_OF, "--format", "json"]
    options = runner.invoke(cli, ["account", "acc_0002", *db, *day])
    assert options.exit_code == 0, options.output
    assert options.stdout == runner.invoke(cli, ["account", "acc_0002", "score", *db, *day]).stdout
    assert json.loads(options.stdout)["as_of"] == SAMPLE_AS_OF
    wrong = runner.invoke(cli, ["account", "acc_0002", *db, "--nope"])
    assert wrong.exit_code == 2 and "No such option '--nope'" in wrong.output
    helped = runner.invoke(cli, ["account", "acc_0002", "--help"])
    assert helped.exit_code == 0 and "Commands:" in helped.output  # the group's help


def test_accounts_shows_this_dates_scores_without_a_stored_run(
    runner: CliRunner, sample_db: Path
) -> None:
    """`retention accounts` shows the scores every report shows for the date; it showed
    none until 'retention score' had stored a run."""
    assert rows(sample_db, "SELECT COUNT(*) FROM score_snapshots") == [(0,)]
    day = ["--db", str(sample_db), "--as-of", SAMPLE_AS_OF, "--format", "json"]
    listed = json.loads(runner.invoke(cli, ["accounts", *day]).stdout)
    by_id = {r["account_id"]: r for r in listed}
    for account_id in ("acc_0002", "acc_0119"):
        scored = json.loads(runner.invoke(cli, ["account", account_id, "score", *day]).stdout)
        assert by_id[account_id]["score"] == scored["total"]
        assert by_id[account_id]["tier"] == scored["tier"]


def test_account_lookup_errors(runner: CliRunner, sample_db: Path) -> None:
    code, out = run(runner, "account", "no-such-company", "score", "--db", str(sample_db))
    assert code == 2 and "no account matches 'no-such-company'" in out
    code, out = run(runner, "account", "a", "score", "--db", str(sample_db))
    assert code == 2 and "matches 20+ accounts" in out


def test_risk_report(runner: CliRunner, sample_db: Path) -> None:
    code, out = run(
        runner,
        "report",
        "risk",
        "--db",
        str(sample_db),
        "--as-of",
        SAMPLE_AS_OF,
        "--format",
        "json",
    )
    assert code == 0, out
    data = json.loads(out)
    assert len(data) == 250
    order = ["critical", "at_risk", "monitor", "healthy"]
    tiers = [r["tier"] for r in data]
    assert tiers == sorted(tiers, key=order.index)
    assert all(r["action"] for r in data)
    code, table = run(runner, "report", "risk", "--db", str(sample_db), "--as-of", SAMPLE_AS_OF)
    lines = table.splitlines()
    assert lines[0] == f"Churn risk report as of {SAMPLE_AS_OF} (preset B)"
    at_risk = sum(r["mrr_minor"] for r in data if r["tier"] in ("at_risk", "critical"))
    assert lines[1].endswith(f"MRR at risk ${at_risk / 100:,.0f}")


def test_alerts_report_lists_the_stored_alerts(runner: CliRunner, scored_db: Path) -> None:
    code, out = run(
        runner,
        "report",
        "alerts",
        "--db",
        str(scored_db),
        "--as-of",
        SAMPLE_AS_OF,
        "--format",
        "json",
    )
    assert code == 0, out
    data = json.loads(out)
    stored = rows(scored_db, f"SELECT COUNT(*) FROM score_alerts WHERE as_of = '{SAMPLE_AS_OF}'")
    assert len(data) == stored[0][0] > 0
    assert [r["due_at"] for r in data] == sorted(r["due_at"] for r in data)
    assert {"account", "code", "detail", "action"} <= set(data[0])


def test_alerts_report_before_any_scoring(runner: CliRunner, sample_db: Path) -> None:
    code, out = run(runner, "report", "alerts", "--db", str(sample_db))
    assert code == 2 and "no scores stored yet: run 'retention score' first" in out


def test_accounts_list_shows_score_tier_and_coverage(runner: CliRunner, scored_db: Path) -> None:
    code, out = run(
        runner, "accounts", "--db", str(scored_db), "--as-of", SAMPLE_AS_OF, "--format", "json"
    )
    assert code == 0, out
    data = {r["account_id"]: r for r in json.loads(out)}
    stored = dict(
        rows(
            scored_db,
            f"SELECT account_id, total FROM score_snapshots WHERE as_of = '{SAMPLE_AS_OF}'",
        )
    )
    assert {a: r["score"] for a, r in data.items() if r["score"] is not None} == stored
    churned = [r for r in data.values() if r["status"] == "churned"]
    assert churned and all(r["score"] is None and r["tier"] is None for r in churned)
    assert all(0 <= r["coverage"] <= 1 for r in data.values() if r["coverage"] is not None)


def test_an_account_without_a_score_or_events_says_so(
    runner: CliRunner, chargebee_db: Path
) -> None:
    day = ["--db", str(chargebee_db), "--as-of", "2024-12-01"]
    code, out = run(runner, "account", "Lena Vogel", "score", *day)
    assert code == 0, out
    assert out.splitlines()[0] == (
        "Lena Vogel (chargebee:AzZlGkTQ4) as of 2024-12-01: no score (no data for any "
        "signal yet); preset B, data coverage 0%"
    )
    code, out = run(runner, "account", "Lena Vogel", "timeline", *day)
    assert out.splitlines()[0] == "Lena Vogel (chargebee:AzZlGkTQ4): nothing recorded yet"
    code, out = run(runner, "account", "Acme", "timeline", *day)
    assert out.splitlines()[0] == "Acme Corp (chargebee:AzZlGkTQ1): the last 1 event"
