"""Health score: every band, every feature, renormalisation, presets, a hand-computed total,
and as-of reproducibility. Expectations are worked out by hand in the comments."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from retention_tui.engine.features import compute_features
from retention_tui.engine.health import (
    NO_SCORE,
    SIGNALS,
    band,
    score_accounts,
    tier_distribution,
)
from retention_tui.engine.run import score_run
from tests.engine_data import (
    AS_OF,
    account,
    cfg,
    days_ago,
    events,
    make_tables,
    spread,
    subscription,
)

CFG = cfg()


@pytest.mark.parametrize(
    ("name", "value", "points"),
    [
        # login frequency vs baseline: >=90% 10, 70-89 7, 50-69 4, <50 1
        ("login_frequency", 1.5, 10),
        ("login_frequency", 0.9, 10),
        ("login_frequency", 0.89, 7),
        ("login_frequency", 0.7, 7),
        ("login_frequency", 0.69, 4),
        ("login_frequency", 0.5, 4),
        ("login_frequency", 0.49, 1),
        ("login_frequency", 0.0, 1),
        # core features: 4+ 10, 3 7, 2 4, <=1 1
        ("core_features", 5, 10),
        ("core_features", 4, 10),
        ("core_features", 3, 7),
        ("core_features", 2, 4),
        ("core_features", 1, 1),
        ("core_features", 0, 1),
        ("depth", "advanced", 10),
        ("depth", "intermediate", 6),
        ("depth", "basic", 3),
        # reply time in days: same day 10, 1-2 7, 3-5 4, 5+ 1
        ("reply_time", 0.2, 10),
        ("reply_time", 1.0, 10),
        ("reply_time", 1.5, 7),
        ("reply_time", 3.0, 7),
        ("reply_time", 4.0, 4),
        ("reply_time", 5.0, 4),
        ("reply_time", 5.5, 1),
        # attendance: always 10, usually 7, sometimes 4, never 1
        ("checkin_attendance", 1.0, 10),
        ("checkin_attendance", 0.8, 7),
        ("checkin_attendance", 0.75, 7),
        ("checkin_attendance", 0.5, 4),
        ("checkin_attendance", 0.25, 4),
        ("checkin_attendance", 0.2, 1),
        ("checkin_attendance", 0.0, 1),
        ("customer_requests", "monthly", 10),
        ("customer_requests", "quarterly", 6),
        ("customer_requests", "rarely", 3),
        ("customer_requests", "never", 1),
        ("payments", "on_time", 10),
        ("payments", "one_late", 7),
        ("payments", "two_plus_late", 3),
        ("payments", "failed_unresolved", 0),
        # billing-page visits in 30 days: none 10, 1-2 6, 3+ 2
        ("billing_visits", 0, 10),
        ("billing_visits", 1, 6),
        ("billing_visits", 2, 6),
        ("billing_visits", 3, 2),
        ("billing_visits", 9, 2),
        ("champion", "strong", 10),
        ("champion", "moderate", 6),
        ("champion", "weak_or_unknown", 3),
        ("champion", "left_company", 0),
        # stakeholder breadth: 3+ 10, 2 6, single-threaded 2
        ("stakeholder_breadth", 4, 10),
        ("stakeholder_breadth", 3, 10),
        ("stakeholder_breadth", 2, 6),
        ("stakeholder_breadth", 1, 2),
        ("stakeholder_breadth", 0, 2),
        ("sentiment", "positive", 10),
        ("sentiment", "neutral", 6),
        ("sentiment", "negative", 2),
        ("goals", "exceeding", 10),
        ("goals", "on_track", 7),
        ("goals", "behind", 3),
        ("goals", "unclear", 2),
        ("roi", "clear_positive", 10),
        ("roi", "probable", 6),
        ("roi", "unclear", 3),
        ("roi", "negative", 0),
        ("ticket_load", 0.5, 10),
        ("ticket_load", 1.0, 10),
        ("ticket_load", 2.0, 6),
        ("ticket_load", 3.0, 3),
        ("ticket_load", 3.1, 0),
        ("csat", 4.8, 10),
        ("csat", 4.5, 10),
        ("csat", 4.2, 7),
        ("csat", 3.0, 4),
        ("csat", 2.9, 1),
        ("nps", 10, 10),
        ("nps", 9, 10),
        ("nps", 8, 6),
        ("nps", 7, 6),
        ("nps", 6, 2),
        ("nps", 0, 2),
    ],
)
def test_every_band(name: str, value: object, points: float) -> None:
    got = pl.select(band(pl.lit(value), CFG["bands"][name]).alias("p")).item()
    assert got == points


@pytest.mark.parametrize(
    ("change", "points"),
    [(0.1, 10), (0.021, 10), (0.02, 6), (0.0, 6), (-0.02, 6), (-0.021, 2), (-0.5, 2)],
)
def test_contract_trend_bands(change: float, points: float) -> None:
    frame = pl.DataFrame({"mrr_change": [change]})
    assert frame.select(SIGNALS["contract_trend"].points(CFG)).item() == points


def _features(**rows: list[dict]) -> dict:
    tables = make_tables(**rows)
    f = compute_features(tables, AS_OF, CFG)
    return {r["account_id"]: r for r in f.iter_rows(named=True)}


def _points(**rows: list[dict]) -> dict[tuple[str, str], float | None]:
    f = compute_features(make_tables(**rows), AS_OF, CFG)
    signals, _ = score_accounts(f, CFG)
    return {(r["account_id"], r["signal"]): r["points"] for r in signals.iter_rows(named=True)}


# Usage: the baseline is the 90 days before the last 30; 90 logins there = 30 expected.
BASELINE_LOGINS = events("a", "login", spread(90, 115, 35))


@pytest.mark.parametrize(
    ("recent", "ratio", "points"),
    [(27, 0.9, 10), (21, 0.7, 7), (20, 20 / 30, 4), (14, 14 / 30, 1), (45, 1.5, 10)],
)
def test_login_frequency_against_the_accounts_own_baseline(
    recent: int, ratio: float, points: int
) -> None:
    rows = BASELINE_LOGINS + events("a", "login", spread(recent, 28, 1))
    f = _features(accounts=[account("a")], usage_events=rows)["a"]
    assert f["logins_recent"] == recent
    assert f["logins_expected"] == pytest.approx(30.0)
    assert f["login_ratio"] == pytest.approx(ratio)
    assert _points(accounts=[account("a")], usage_events=rows)[("a", "login_frequency")] == points


def test_new_account_has_no_login_baseline_yet() -> None:
    rows = events("a", "login", spread(10, 10, 1))
    f = _features(accounts=[account("a", created_at=date(2026, 6, 10))], usage_events=rows)["a"]
    assert f["login_ratio"] is None  # fewer than 14 days of baseline: left out, not "1 point"


def test_usage_before_the_windows_still_counts_as_having_usage() -> None:
    rows = events("old", "login", [days_ago(200)]) + events("later", "login", [days_ago(-2)])
    f = _features(accounts=[account("old"), account("later"), account("none")], usage_events=rows)
    assert (f["old"]["has_usage"], f["old"]["events_recent"], f["old"]["events_baseline"]) == (
        True,
        0,
        0,
    )
    # Events after the as-of day are not known yet; no events at all: no usage.
    assert (f["later"]["has_usage"], f["none"]["has_usage"]) == (False, False)


def test_baseline_counts_only_days_the_account_existed() -> None:
    # Created 2 May: 30 days of baseline (to 1 June), so 15 logins there = 15 expected.
    created = date(2026, 5, 2)
    rows = events("a", "login", spread(15, 58, 31)) + events("a", "login", spread(15, 28, 1))
    f = _features(accounts=[account("a", created_at=created)], usage_events=rows)["a"]
    assert f["logins_expected"] == pytest.approx(15.0)
    assert f["login_ratio"] == pytest.approx(1.0)


def test_core_features_and_depth() -> None:
    recent = [days_ago(3)]
    rows = (
        events("a", "report_created", recent)
        + events("a", "dashboard_viewed", recent)
        + events("a", "data_imported", recent)
        + events("a", "api_call", recent)
        + events("b", "report_created", recent)
        + events("b", "dashboard_viewed", recent)
        + events("c", "workflow_created", recent)
        + events("c", "alert_configured", recent)
        + events("c", "report_created", [days_ago(45)])
    )  # too old to count
    f = _features(accounts=[account(x) for x in "abc"], usage_events=rows)
    assert (f["a"]["core_features"], f["a"]["depth"]) == (3, "intermediate")
    assert (f["b"]["core_features"], f["b"]["depth"]) == (2, "basic")
    assert (f["c"]["core_features"], f["c"]["depth"]) == (0, "advanced")


def _email(account_id: str, sent_days_ago: float, reply_after: float | None) -> dict:
    sent = days_ago(sent_days_ago)
    from datetime import timedelta

    return {
        "account_id": account_id,
        "kind": "email",
        "direction": "outbound",
        "occurred_at": sent,
        "replied_at": None if reply_after is None else sent + timedelta(days=reply_after),
    }


def test_reply_time_counts_unanswered_emails_as_waiting() -> None:
    tp = [
        _email("a", 10, 0.5),
        _email("a", 20, 2.0),  # answered: 0.5 and 2 days
        _email("b", 10, 0.5),
        _email("b", 20, 2.0),
        _email("b", 8, None),  # waiting 8.5 days
        _email("b", 2, None),  # too young to count as unanswered
        _email("c", 30, None),
        _email("c", 40, None),
    ]
    f = _features(accounts=[account(x) for x in "abc"], touchpoints=tp)
    assert f["a"]["reply_days"] == pytest.approx(1.25)  # -> 7 points
    assert f["b"]["reply_days"] == pytest.approx((0.5 + 2 + 8.5) / 3)  # 3.67 -> 4 points
    assert f["b"]["emails_timed"] == 3
    p = _points(accounts=[account(x) for x in "abc"], touchpoints=tp)
    assert (p[("a", "reply_time")], p[("b", "reply_time")], p[("c", "reply_time")]) == (7, 4, 1)
    # what the breakdown shows: the wait counts the unanswered ones' wait so far
    signals, _ = score_accounts(
        compute_features(
            make_tables(accounts=[account(x) for x in "abc"], touchpoints=tp), AS_OF, CFG
        ),
        CFG,
    )
    raw = dict(
        signals.filter(pl.col("signal") == "reply_time").select("account_id", "raw").iter_rows()
    )
    assert raw["b"] == "2 of 3 emails answered, 3.7 days' wait on average (unanswered: so far)"


def test_the_breakdown_says_one_of_a_thing_in_the_singular() -> None:
    tables = make_tables(
        accounts=[account("a")],
        touchpoints=[_email("a", 10, None)],
        invoices=[_invoice("a", "a1", 10)],
        payment_attempts=[_attempt("a", "a1", 10, "succeeded")],
        contacts=[_contact("a", 1)],
        usage_events=events("a", "login", [days_ago(3)]),
    )
    signals, _ = score_accounts(compute_features(tables, AS_OF, CFG), CFG)
    raw = dict(signals.select("signal", "raw").iter_rows())
    assert raw["reply_time"] == (
        "0 of 1 email answered, 10.5 days' wait on average (unanswered: so far)"
    )
    assert raw["payments"] == "on time (1 invoice, 0 late, 0 failed unresolved)"  # in words
    assert raw["stakeholder_breadth"] == "1 current contact"
    assert raw["billing_visits"] == "0 billing-page views in 30 d"


def _touch(account_id: str, ago: float, **kw: object) -> dict:
    return {
        "account_id": account_id,
        "kind": "email",
        "direction": "outbound",
        "occurred_at": days_ago(ago),
        **kw,
    }


def test_checkin_attendance_and_customer_requests() -> None:
    tp = [
        _touch("a", d, kind="checkin", attended=a) for d, a in [(10, 1), (40, 1), (70, 1), (100, 0)]
    ]
    tp += [_touch("a", d, kind="chat", direction="inbound") for d in (5, 30, 60)]  # monthly
    tp += [_touch("b", 50, kind="call", direction="inbound")]  # quarterly
    tp += [_touch("c", 120, kind="email", direction="inbound")]  # rarely
    tp += [_touch("d", 20)]  # we wrote, they never asked for anything: never
    tp += [_touch("a", 200, kind="qbr", attended=0)]  # outside the 180-day window
    p = _points(accounts=[account(x) for x in "abcd"], touchpoints=tp)
    assert p[("a", "checkin_attendance")] == 7  # 3 of 4
    assert p[("b", "checkin_attendance")] is None  # nothing scheduled: no data
    assert [p[(x, "customer_requests")] for x in "abcd"] == [10, 6, 3, 1]


def _invoice(account_id: str, inv: str, issued_ago: float) -> dict:
    return {
        "source": "canonical",
        "source_id": inv,
        "account_id": account_id,
        "amount_minor": 10000,
        "currency": "USD",
        "status": "paid",
        "issued_at": days_ago(issued_ago, 0),
        "due_at": days_ago(issued_ago).date(),
    }


def _attempt(account_id: str, inv: str, ago: float, outcome: str) -> dict:
    return {
        "source": "canonical",
        "invoice_id": inv,
        "account_id": account_id,
        "attempted_at": days_ago(ago, 1),
        "amount_minor": 10000,
        "outcome": outcome,
    }


def test_payment_history() -> None:
    invoices = [
        _invoice("a", "a1", 40),
        _invoice("a", "a2", 10),
        _invoice("b", "b1", 40),
        _invoice("b", "b2", 10),
        _invoice("c", "c1", 40),
        _invoice("c", "c2", 10),
        _invoice("d", "d1", 400),
    ]  # older than 6 months: no data
    attempts = [
        _attempt("a", "a1", 40, "succeeded"),
        _attempt("a", "a2", 10, "succeeded"),
        _attempt("b", "b1", 40, "failed"),
        _attempt("b", "b1", 39, "succeeded"),
        _attempt("b", "b2", 10, "succeeded"),
        _attempt("c", "c1", 40, "succeeded"),
        _attempt("c", "c2", 10, "failed"),
        _attempt("c", "c2", 9, "failed"),
    ]
    f = _features(
        accounts=[account(x) for x in "abcd"], invoices=invoices, payment_attempts=attempts
    )
    assert [f[x]["payment_history"] for x in "abc"] == ["on_time", "one_late", "failed_unresolved"]
    p = _points(accounts=[account(x) for x in "abcd"], invoices=invoices, payment_attempts=attempts)
    assert [p[(x, "payments")] for x in "abcd"] == [10, 7, 0, None]


def test_contract_trend_compares_mrr_with_90_days_ago() -> None:
    periods = [
        subscription("a", 10000, "2025-01-01", "2026-05-01"),
        subscription("a", 11000, "2026-05-01"),
        subscription("b", 10000, "2025-01-01"),
        subscription("c", 10000, "2025-01-01", "2026-05-01"),
        subscription("c", 9000, "2026-05-01"),
        subscription("d", 10000, "2026-05-15"),  # too new to have a trend
    ]
    f = _features(accounts=[account(x) for x in "abcd"], subscription_periods=periods)
    assert f["a"]["mrr_change"] == pytest.approx(0.10)
    p = _points(accounts=[account(x) for x in "abcd"], subscription_periods=periods)
    assert [p[(x, "contract_trend")] for x in "abcd"] == [10, 6, 2, None]


def test_contract_trend_reads_as_money_in_whole_units() -> None:
    periods = [
        subscription("a", 125_000_060, "2025-01-01", "2026-05-01"),
        subscription("a", 137_500_000, "2026-05-01"),
    ]
    tables = make_tables(accounts=[account("a")], subscription_periods=periods)
    signals, _scores = score_accounts(compute_features(tables, AS_OF, CFG), CFG, "B")
    raw = signals.filter(pl.col("signal") == "contract_trend")["raw"].item()
    assert raw == "MRR 1,375,000 USD now vs 1,250,001 USD then (10.0%)"  # not 1375000.0
    # a currency without minor units: its amounts as they are, not a hundredth of them
    yen = [{**p, "currency": "JPY"} for p in periods]
    tables = make_tables(accounts=[account("a")], subscription_periods=yen)
    signals, _scores = score_accounts(compute_features(tables, AS_OF, CFG), CFG, "B")
    raw = signals.filter(pl.col("signal") == "contract_trend")["raw"].item()
    assert raw == "MRR 137,500,000 JPY now vs 125,000,060 JPY then (10.0%)"


def _contact(account_id: str, n: int, **kw: object) -> dict:
    return {
        "account_id": account_id,
        "name": f"P{n}",
        "email": f"p{n}@{account_id}.com",
        "is_champion": 0,
        "is_decision_maker": 0,
        **kw,
    }


def test_champion_and_stakeholder_breadth() -> None:
    contacts = [
        _contact("a", 1, is_champion=1, champion_strength="strong"),
        _contact("a", 2),
        _contact("a", 3),
        _contact("b", 1, is_champion=1, left_company_at=date(2026, 5, 1)),
        _contact("b", 2),
        _contact("c", 1),  # nobody flagged as champion
        _contact("d", 1, is_champion=1, champion_strength="moderate"),
        _contact("d", 2, left_company_at=date(2026, 7, 15)),  # leaves after the as-of date
    ]
    f = _features(accounts=[account(x) for x in "abcd"], contacts=contacts)
    assert [f[x]["champion_state"] for x in "abcd"] == [
        "strong",
        "left_company",
        "weak_or_unknown",
        "moderate",
    ]
    assert [f[x]["contacts_current"] for x in "abcd"] == [3, 1, 1, 2]
    p = _points(accounts=[account(x) for x in "abcd"], contacts=contacts)
    assert [p[(x, "champion")] for x in "abcd"] == [10, 0, 3, 6]
    assert [p[(x, "stakeholder_breadth")] for x in "abcd"] == [10, 2, 2, 6]


def test_sentiment_is_the_latest_and_goals_average() -> None:
    tp = [
        _touch("a", 30, sentiment="negative"),
        _touch("a", 3, sentiment="positive"),
        _touch("a", 1),
        _touch("b", 2),
    ]  # no sentiment recorded: does not count
    goals = [
        {"account_id": "a", "status": "on_track", "roi": "probable"},
        {"account_id": "a", "status": "behind", "roi": None},
        {"account_id": "a", "status": "exceeding", "updated_at": date(2026, 8, 1)},
    ]  # future
    p = _points(accounts=[account("a"), account("b")], touchpoints=tp, goals=goals)
    assert p[("a", "sentiment")] == 10
    assert p[("b", "sentiment")] is None  # touchpoints, none with a sentiment: no points
    f = _features(accounts=[account("a"), account("b")], touchpoints=tp)
    assert (f["a"]["last_sentiment"], f["b"]["last_sentiment"]) == ("positive", None)
    assert p[("a", "goals")] == 5.0  # (7 + 3) / 2
    assert p[("a", "roi")] == 6.0


def _gold_rows() -> dict[str, list[dict]]:
    """An account with data for every preset-B signal; the expected total is worked below."""
    usage = (
        events("g", "login", spread(90, 115, 35))
        + events("g", "login", spread(27, 28, 1))  # ratio 0.9 -> 10
        + events("g", "report_created", [days_ago(2)])
        + events("g", "dashboard_viewed", [days_ago(2)])
        + events("g", "data_imported", [days_ago(2)])  # 3 core -> 7
        + events("g", "api_call", [days_ago(2)])  # 1 advanced -> intermediate -> 6
        + events("g", "billing_page_viewed", [days_ago(4), days_ago(5)])  # 2 -> 6
    )
    touchpoints = [
        _email("g", 10, 0.5),
        _email("g", 20, 2.0),  # 1.25 days -> 7
        *[
            _touch("g", d, kind="checkin", attended=a)
            for d, a in [(15, 1), (45, 1), (75, 1), (95, 0)]
        ],
        *[_touch("g", d, kind="chat", direction="inbound") for d in (6, 36, 66)],  # monthly -> 10
        _touch("g", 1, kind="call", sentiment="negative"),  # -> 2
    ]
    return {
        "accounts": [account("g")],
        "usage_events": usage,
        "touchpoints": touchpoints,
        "invoices": [_invoice("g", "g1", 40), _invoice("g", "g2", 10)],
        "payment_attempts": [
            _attempt("g", "g1", 40, "failed"),
            _attempt("g", "g1", 38, "succeeded"),
            _attempt("g", "g2", 10, "succeeded"),
        ],  # one late -> 7
        "subscription_periods": [
            subscription("g", 10000, "2025-01-01", "2026-05-01"),
            subscription("g", 12000, "2026-05-01"),
        ],  # expanding -> 10
        "contacts": [
            _contact("g", 1, is_champion=1, champion_strength="moderate"),  # -> 6
            _contact("g", 2),
        ],  # 2 contacts -> 6
        "goals": [
            {"account_id": "g", "status": "exceeding", "roi": "clear_positive"},
            {"account_id": "g", "status": "behind"},
        ],  # goals 6.5, roi 10
    }


def test_golden_account_total_computed_by_hand() -> None:
    run = score_run(make_tables(**_gold_rows()), AS_OF, CFG)
    s = run.scores.row(0, named=True)
    dims = {d["dimension"]: round(d["score"], 3) for d in s["dimensions"]}
    assert dims == {
        "usage": round((10 + 7 + 6) / 3 * 10, 3),  # 76.667
        "engagement": round((7 + 7 + 10) / 3 * 10, 3),  # 80
        "financial": round((7 + 10 + 6) / 3 * 10, 3),  # 76.667
        "relationship": round((6 + 6 + 2) / 3 * 10, 3),  # 46.667
        "outcome": round((6.5 + 10) / 2 * 10, 3),  # 82.5
    }
    # (30*76.667 + 25*80 + 20*76.667 + 15*46.667 + 10*82.5) / 100 = 73.58
    assert s["total"] == 73.6
    assert s["tier"] == "monitor"
    assert s["coverage"] == 1.0


def test_preset_a_with_enterprise_weights_and_labels() -> None:
    rows = _gold_rows()
    rows["accounts"] = [account("g", segment="enterprise")]
    run = score_run(make_tables(**rows), AS_OF, CFG, preset="A")
    s = run.scores.row(0, named=True)
    # Enterprise: usage 25, engagement 25, support 15 (no tickets, no NPS: left out),
    # outcomes 20, relationship 15, financial 0.
    # (25*76.667 + 25*80 + 20*82.5 + 15*46.667) / 85 = 73.73
    assert s["total"] == 73.7
    assert (s["label"], s["tier"]) == ("healthy", "healthy")
    # Support has no data and the relationship dimension misses NPS: coverage below 1.
    assert s["coverage"] == pytest.approx((25 + 25 + 0 + 20 + 15 * 3 / 4 + 0) / 100)


def test_missing_signals_renormalise_and_coverage_shows_it() -> None:
    usage = (
        events("u", "login", spread(90, 115, 35))
        + events("u", "login", spread(30, 28, 1))
        + events("u", "report_created", [days_ago(2)])
        + events("u", "dashboard_viewed", [days_ago(2)])
        + events("u", "integration_connected", [days_ago(2)])
        + events("u", "data_imported", [days_ago(2)])
        + events("u", "workflow_created", [days_ago(2)])
        + events("u", "api_call", [days_ago(2)])
        + events("u", "billing_page_viewed", [days_ago(1), days_ago(2), days_ago(3)])
    )
    run = score_run(
        make_tables(accounts=[account("u"), account("empty")], usage_events=usage), AS_OF, CFG
    )
    scores = {r["account_id"]: r for r in run.scores.iter_rows(named=True)}
    # Only usage (100) and billing visits (3 -> 2 points, financial 20) have data:
    # (30*100 + 20*20) / (30 + 20) = 68.0; coverage (30*3/3 + 20*1/3) / 100.
    assert scores["u"]["total"] == 68.0
    assert scores["u"]["coverage"] == pytest.approx((30 + 20 / 3) / 100)
    assert scores["empty"]["total"] is None and scores["empty"]["tier"] is None
    assert scores["empty"]["coverage"] == 0


def test_the_tier_distribution_shares_leave_out_accounts_without_a_score() -> None:
    """An account with no data for any signal has no tier: it is counted on its own row,
    and the tiers' shares are of the accounts that have one (they add up to 100 %)."""
    scores = pl.DataFrame(
        {
            "account_id": ["h1", "h2", "m1", "x1", "x2"],
            "tier": ["healthy", "healthy", "monitor", None, None],
        }
    )
    mrr = pl.DataFrame({"account_id": ["h1", "h2", "m1", "x1"], "mrr": [100, 50, 30, 7]})
    rows = tier_distribution(scores, mrr).rows()
    assert rows == [
        ("healthy", 2, pytest.approx(2 / 3), 150),
        ("monitor", 1, pytest.approx(1 / 3), 30),
        ("at_risk", 0, 0.0, 0),
        ("critical", 0, 0.0, 0),
        (NO_SCORE, 2, None, 7),
    ]
    # every account scored: no such row; none scored: no share to give
    assert NO_SCORE not in tier_distribution(scores.head(3), mrr)["tier"].to_list()
    unscored = tier_distribution(scores.tail(2), mrr)
    assert unscored["share"].to_list() == [None] * 5 and unscored["accounts"].sum() == 2


def test_churned_and_future_accounts_are_not_scored() -> None:
    tables = make_tables(
        accounts=[account("live"), account("gone"), account("later", created_at=date(2026, 8, 1))],
        subscription_periods=[
            subscription("live", 100),
            subscription("gone", 100, end="2026-03-01"),
        ],
    )
    run = score_run(tables, AS_OF, CFG)
    assert run.scores["account_id"].to_list() == ["live"]


def test_scoring_a_past_date_ignores_everything_after_it() -> None:
    from datetime import datetime, timedelta

    rows = _gold_rows()
    before = score_run(make_tables(**rows), AS_OF, CFG)
    later = datetime(2026, 7, 1, 0, 0, 1)
    rows["usage_events"] += events(
        "g", "billing_page_viewed", [later + timedelta(hours=h) for h in range(9)]
    )
    rows["usage_events"] += events("g", "login", [later] * 50)
    rows["touchpoints"] += [
        {
            "account_id": "g",
            "kind": "email",
            "direction": "outbound",
            "occurred_at": later,
            "sentiment": "positive",
            "tags": "competitor",
        }
    ]
    rows["invoices"] += [_invoice("g", "g3", -3)]
    rows["payment_attempts"] += [
        _attempt("g", "g3", -3, "failed"),
        _attempt("g", "g2", -2, "failed"),
    ]
    rows["contacts"] += [_contact("g", 9, created_at=date(2026, 7, 2))]  # joined later
    rows["contacts"][0]["left_company_at"] = date(2026, 7, 3)  # the champion leaves later
    rows["nps_responses"] = [{"account_id": "g", "score": 1, "responded_at": later}]
    rows["tickets"] = [{"account_id": "g", "status": "open", "created_at": later}] * 5
    rows["goals"] += [{"account_id": "g", "status": "unclear", "updated_at": date(2026, 7, 2)}]
    rows["subscription_periods"] += [subscription("g", 1, "2026-07-05")]
    after = score_run(make_tables(**rows), AS_OF, CFG)
    assert after.scores.equals(before.scores)
    assert after.signals.equals(before.signals)
    assert after.risks.equals(before.risks)


def test_signals_frame_has_every_signal_of_every_account_in_order() -> None:
    rows = _gold_rows()
    rows["accounts"] = [account("g", segment="enterprise"), account("b"), account("a")]
    for preset in ("A", "B"):
        run = score_run(make_tables(**rows), AS_OF, CFG, preset=preset)
        wanted = sorted(
            (a, d, s)
            for a in ("a", "b", "g")
            for d, names in CFG["presets"][preset]["signals"].items()
            for s in names
        )
        assert run.signals.select("account_id", "dimension", "signal").rows() == wanted
        assert run.scores["account_id"].to_list() == ["a", "b", "g"]
        # Each dimension's score is the mean of its signals' points (x 10) in that frame.
        means = run.signals.group_by("account_id", "dimension").agg(
            (pl.col("points").mean() * 10).alias("score")
        )
        dims = (
            run.scores.select("account_id", "dimensions").explode("dimensions").unnest("dimensions")
        )
        joined = dims.join(means, on=["account_id", "dimension"], suffix="_signals")
        assert joined.height == dims.height
        # a dimension with no data is null in both, and only then
        assert joined["score"].is_null().to_list() == joined["score_signals"].is_null().to_list()
        assert (joined["score"] - joined["score_signals"]).abs().fill_null(0).max() < 1e-9


@pytest.mark.parametrize("day", ["2026-03-01", "2026-08-15", "2026-11-20"])
def test_the_books_mrr_is_what_the_features_mrr_adds_up_to(sample_db, day: str) -> None:
    """The dashboard's headline MRR (book_mrr, shown before the book is scored) is the
    scoring run's: the known accounts' MRR, churned and not yet created ones left out."""
    from db import connect
    from db.frames import load_all
    from retention_tui.engine.features import book_mrr

    conn = connect(sample_db)
    tables = load_all(conn)
    conn.close()
    as_of = date.fromisoformat(day)
    total = int(compute_features(tables, as_of, CFG)["mrr"].sum())
    assert total > 0
    assert book_mrr(tables, as_of, CFG) == total


def test_the_books_mrr_leaves_out_accounts_not_known_on_the_day() -> None:
    """An account created after the day (its subscription dated before it, as a backdated
    import has it) is no customer yet: neither the features nor the headline count it."""
    from retention_tui.engine.features import book_mrr

    tables = make_tables(
        accounts=[account("a1"), account("later", created_at=date(2026, 7, 15))],
        subscription_periods=[subscription("a1", 10_000), subscription("later", 50_000)],
    )
    assert int(compute_features(tables, AS_OF, CFG)["mrr"].sum()) == 10_000
    assert book_mrr(tables, AS_OF, CFG) == 10_000
