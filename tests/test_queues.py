"""Renewal, payment-recovery, reactivation and win-back queues on hand-built data."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from retention_tui.cli import cli
from retention_tui.config import defaults
from retention_tui.engine.features import failed_invoices, invoice_states
from retention_tui.engine.queues import (
    CADENCE_FINISHED,
    expiring_cards,
    payment_recovery,
    payments_queue,
    reactivation,
    renewals,
    winback,
)
from tests.engine_data import AS_OF, account, days_ago, make_tables, subscription

CFG = defaults()


def test_renewal_steps_due_next_and_overdue() -> None:
    tables = make_tables(
        accounts=[
            account("soon", renewal_date=AS_OF + timedelta(days=45)),
            account("far", renewal_date=AS_OF + timedelta(days=150)),
            account("later", renewal_date=AS_OF + timedelta(days=200)),
            account("gone", renewal_date=AS_OF + timedelta(days=20)),
        ],
        subscription_periods=[
            subscription("soon", 10_000),
            subscription("far", 20_000),
            subscription("gone", 5_000, end="2026-05-01"),
        ],
    )
    done = pl.DataFrame(  # the QBR ticked for this renewal; the proposal for last year's
        {
            "account_id": ["soon", "soon"],
            "step_id": ["qbr", "proposal"],
            "done_at": [
                f"{AS_OF - timedelta(days=20)}T10:00:00Z",
                f"{AS_OF - timedelta(days=330)}T10:00:00Z",
            ],
        }
    )
    scores = pl.DataFrame({"account_id": ["soon"], "tier": ["at_risk"]})
    risks = pl.DataFrame(
        {"account_id": ["soon", "far"], "code": ["renewal_no_contact", "competitor"]}
    )
    rows = {
        r["account_id"]: r for r in renewals(tables, AS_OF, CFG, scores, done, risks).to_dicts()
    }
    assert set(rows) == {"soon", "far"}  # beyond 180 days and churned accounts are out
    soon = rows["soon"]
    # 45 days left: the 60-day step (negotiation) is due, final terms (30) comes next.
    assert (soon["due_step"], soon["next_step"]) == ("negotiation", "final_terms")
    assert soon["due_on"] == AS_OF + timedelta(days=45 - 60)
    assert soon["next_on"] == AS_OF + timedelta(days=45 - 30)
    # the QBR was ticked; the proposal was, but for the renewal a year before
    assert soon["overdue_steps"] == "health_review, proposal"
    assert (soon["tier"], soon["arr_at_stake"]) == ("at_risk", 120_000)
    assert (rows["far"]["due_step"], rows["far"]["next_step"]) == ("health_review", "qbr")
    assert rows["far"]["overdue_steps"] == ""
    # "Renewal < 60 days and no contact" (the risk signal) is flagged critical on the row.
    assert (soon["no_contact_critical"], rows["far"]["no_contact_critical"]) == (True, False)


def _failed_invoice(aid: str, inv: str, fails: list[float], amount: int = 10_000) -> dict:
    invoice = {
        "source": "canonical",
        "source_id": inv,
        "account_id": aid,
        "amount_minor": amount,
        "currency": "USD",
        "status": "open",
        "issued_at": days_ago(max(fails), 0),
        "due_at": days_ago(max(fails)).date(),
    }
    attempts = [
        {
            "source": "canonical",
            "invoice_id": inv,
            "account_id": aid,
            "attempted_at": days_ago(d, 1),
            "outcome": "failed",
        }
        for d in fails
    ]
    return {"invoice": invoice, "attempts": attempts}


@pytest.mark.parametrize(
    ("fails", "stage", "next_in_days"),
    [
        ([0.0], "attempt 1 failed", 1),  # retry in 24 h
        ([1.0, 0.0], "attempt 2 failed", 2),  # retry in 48 h after the last failure
        ([4.0, 3.0, 1.0], "attempt 3 failed", 2),  # 72 h after the last one
        ([11.0, 10.0, 8.0, 5.0], "day 10: final retry", 3),  # pause at day 14 from the first
        ([16.0, 15.0, 13.0, 10.0, 6.0], "day 14: pause", -2),
    ],
)
def test_payment_recovery_stages(fails: list[float], stage: str, next_in_days: int) -> None:
    f = _failed_invoice("a", "i1", fails)
    tables = make_tables(
        accounts=[account("a")],
        invoices=[f["invoice"]],
        payment_attempts=f["attempts"],
        subscription_periods=[subscription("a", 60_000)],
    )
    [row] = payment_recovery(tables, AS_OF, CFG).to_dicts()
    assert row["stage"] == stage
    assert row["next_on"] == AS_OF + timedelta(days=next_in_days)
    assert row["overdue"] == (next_in_days < 0)
    assert (row["mrr_at_risk"], row["high_value"]) == (60_000, True)


def test_paid_and_old_failures_are_not_chased() -> None:
    paid = _failed_invoice("a", "i1", [3.0])
    paid["attempts"].append(
        {
            "source": "canonical",
            "invoice_id": "i1",
            "account_id": "a",
            "attempted_at": days_ago(2, 1),
            "outcome": "succeeded",
        }
    )
    old = _failed_invoice("a", "i2", [90.0])
    tables = make_tables(
        accounts=[account("a")],
        invoices=[paid["invoice"], old["invoice"]],
        payment_attempts=paid["attempts"] + old["attempts"],
    )
    assert payment_recovery(tables, AS_OF, CFG).height == 0


@pytest.mark.parametrize(
    ("days", "stage", "action", "next_in_days"),
    [
        (0, "collection failing, day 0", "Billing retries the card; no notice yet", 1),
        (2, "collection failing, day 2", "Friendly email (billing retries the card)", 1),
        (11, "day 10: final retry", "Final retry and a personal email (high-value)", 3),
    ],
)
def test_a_failure_only_the_billing_tool_tells_follows_the_days_since(
    days: int, stage: str, action: str, next_in_days: int
) -> None:
    invoice = {
        **_failed_invoice("a", "i1", [float(days)])["invoice"],
        "collection_failed_on": AS_OF - timedelta(days=days),
    }
    tables = make_tables(
        accounts=[account("a")],
        invoices=[invoice],
        subscription_periods=[subscription("a", 60_000)],
    )
    [row] = payment_recovery(tables, AS_OF, CFG).to_dicts()
    assert (row["stage"], row["next_action"]) == (stage, action)
    assert row["next_on"] == AS_OF + timedelta(days=next_in_days)


def test_an_invoice_its_billing_tool_failed_to_collect_counts_as_failed_from_that_day() -> None:
    """collection_failed_on (Chargebee's payment_due, no charges exported): one failed
    attempt on that day, not before it; its charges, where known, say more."""
    said = {
        **_failed_invoice("a", "i1", [5.0])["invoice"],
        "collection_failed_on": days_ago(5).date(),
    }
    both = _failed_invoice("a", "i2", [4.0, 2.0])
    both["invoice"]["collection_failed_on"] = days_ago(4).date()
    tables = make_tables(
        accounts=[account("a")],
        invoices=[said, both["invoice"]],
        payment_attempts=both["attempts"],
        subscription_periods=[subscription("a", 60_000)],
    )
    rows = {r["invoice_id"]: r for r in payment_recovery(tables, AS_OF, CFG).to_dicts()}
    assert (rows["i1"]["failures"], rows["i1"]["first_failed_on"]) == (1, days_ago(5).date())
    # the tool runs the retries: the steps follow the days since (day 5: past the third try)
    assert (rows["i1"]["stage"], rows["i1"]["next_action"], rows["i1"]["next_on"]) == (
        "collection failing, day 5",
        "Urgent email and in-app banner (billing retries the card)",
        days_ago(5).date() + timedelta(days=CFG["payments"]["final_retry_day"]),
    )
    assert (rows["i2"]["failures"], rows["i2"]["stage"]) == (2, "attempt 2 failed")
    before = failed_invoices(tables, AS_OF - timedelta(days=6))
    assert before.height == 0  # a backtest of the week before sees no failure yet
    states = invoice_states(tables, AS_OF)
    assert states.filter(pl.col("source_id") == "i1")["unresolved_failure"].to_list() == [True]


def test_failed_invoices_are_worked_out_once_for_the_same_frames_and_date() -> None:
    f = _failed_invoice("a", "i1", [3.0, 1.0])
    tables = make_tables(
        accounts=[account("a")], invoices=[f["invoice"]], payment_attempts=f["attempts"]
    )
    first = failed_invoices(tables, AS_OF)
    # Kept: the two failed-payment signals and the payments queue read the same frame.
    assert failed_invoices(tables, AS_OF) is first
    assert first["failures"].to_list() == [2]
    # Another date, or other frames (the book reloaded after a payment), is worked out anew.
    assert failed_invoices(tables, AS_OF - timedelta(days=2))["failures"].to_list() == [1]
    paid = {**f["attempts"][0], "attempted_at": days_ago(0.5, 1), "outcome": "succeeded"}
    reloaded = make_tables(
        accounts=[account("a")], invoices=[f["invoice"]], payment_attempts=[*f["attempts"], paid]
    )
    assert failed_invoices(reloaded, AS_OF)["unresolved_failure"].to_list() == [False]
    assert failed_invoices(tables, AS_OF)["unresolved_failure"].to_list() == [True]


def _charge(aid: str, days: float, card: date | None, outcome: str = "succeeded") -> dict:
    return {
        "source": "canonical",
        "invoice_id": f"i-{aid}-{days}",
        "account_id": aid,
        "attempted_at": days_ago(days, 1),
        "outcome": outcome,
        "card_expires_on": card,
    }


def test_a_renewal_whose_card_expires_before_it_says_so() -> None:
    """The renewal's charge goes to the card on file (the latest charge's): a card expired,
    or expiring before the renewal date, is shown on the renewal (it would fail)."""
    renews = AS_OF + timedelta(days=40)
    tables = make_tables(
        accounts=[account(a, renewal_date=renews) for a in ("lapses", "fine", "replaced", "none")],
        subscription_periods=[
            subscription(a, 10_000) for a in ("lapses", "fine", "replaced", "none")
        ],
        payment_attempts=[
            _charge("lapses", 20, renews - timedelta(days=9)),
            _charge("fine", 20, renews + timedelta(days=300)),
            _charge("replaced", 60, AS_OF - timedelta(days=5)),  # an old card...
            _charge("replaced", 10, renews + timedelta(days=400)),  # ...replaced since
        ],
    )
    rows = {r["account_id"]: r for r in renewals(tables, AS_OF, CFG).to_dicts()}
    assert rows["lapses"]["card_expires_on"] == renews - timedelta(days=9)
    assert [rows[a]["card_expires_on"] for a in ("fine", "replaced", "none")] == [None] * 3


def test_cards_expiring_within_30_days_or_expired_are_chased() -> None:
    soon, later, gone = date(2026, 7, 15), date(2026, 8, 31), date(2026, 3, 31)
    tables = make_tables(
        accounts=[account(a) for a in ("soon", "later", "gone", "renewed", "churned", "none")],
        subscription_periods=[
            subscription("soon", 60_000),
            subscription("later", 5_000),
            subscription("gone", 5_000, interval="year"),
            subscription("renewed", 5_000),
            subscription("churned", 5_000, end="2026-06-01", status="canceled"),
            subscription("none", 5_000),
        ],
        payment_attempts=[
            _charge("soon", 20, soon),
            _charge("later", 20, later),
            _charge("gone", 200, gone),
            _charge("renewed", 40, soon),  # the card of its latest charge is a new one
            _charge("renewed", 10, date(2029, 5, 31)),
            _charge("churned", 100, soon),
            _charge("none", 5, None),  # the tool gave no card
            _charge("none", 50, soon),  # the last charge naming a card
        ],
    )
    rows = {r["account_id"]: r for r in expiring_cards(tables, AS_OF, CFG).to_dicts()}
    assert sorted(rows) == ["gone", "none", "soon"]
    assert (rows["soon"]["stage"], rows["soon"]["next_on"], rows["soon"]["overdue"]) == (
        "card expires 2026-07-15",
        soon,
        False,
    )
    assert (rows["gone"]["stage"], rows["gone"]["next_on"], rows["gone"]["overdue"]) == (
        "card expired 2026-03-31",
        AS_OF,
        True,
    )
    assert rows["soon"]["next_action"].startswith("Remind them to update their card")
    assert (rows["soon"]["mrr_at_risk"], rows["soon"]["high_value"]) == (60_000, True)
    assert (rows["soon"]["invoice_id"], rows["soon"]["amount_minor"]) == (None, None)


def test_payments_queue_chases_a_failure_once_then_cards_by_date() -> None:
    failing = _failed_invoice("failing", "i1", [4.0, 3.0])  # retry due yesterday
    failing["attempts"] = [{**a, "card_expires_on": date(2026, 5, 31)} for a in failing["attempts"]]
    tables = make_tables(
        accounts=[account("failing"), account("soon"), account("gone")],
        invoices=[failing["invoice"]],
        payment_attempts=[
            *failing["attempts"],
            _charge("soon", 20, date(2026, 7, 10)),
            _charge("gone", 100, date(2026, 4, 30)),
        ],
        subscription_periods=[subscription(a, 5_000) for a in ("failing", "soon", "gone")],
    )
    queue = payments_queue(tables, AS_OF, CFG)
    # the failing account's expired card is its failure's business, not a second row
    assert queue["account_id"].to_list() == ["failing", "gone", "soon"]
    assert queue["stage"].to_list() == [
        "attempt 2 failed",
        "card expired 2026-04-30",
        "card expires 2026-07-10",
    ]
    assert queue.schema == payment_recovery(tables, AS_OF, CFG).schema


def test_queues_at_a_tie_list_accounts_in_the_same_order_every_time() -> None:
    """Equal dates and amounts are ordered by account (the rows come in reverse), so a
    refresh never reshuffles them."""
    names = ["d", "c", "b", "a"]
    renews = AS_OF + timedelta(days=40)
    tables = make_tables(
        accounts=[account(a, renewal_date=renews) for a in names],
        subscription_periods=[subscription(a, 5_000) for a in names],
        payment_attempts=[_charge(a, 20, date(2026, 7, 10)) for a in names],
    )
    assert payments_queue(tables, AS_OF, CFG)["account_id"].to_list() == sorted(names)
    assert renewals(tables, AS_OF, CFG)["account_id"].to_list() == sorted(names)


def test_no_renewals_due_is_an_empty_queue_of_the_same_columns() -> None:
    renews = AS_OF + timedelta(days=400)  # beyond the lookahead
    tables = make_tables(
        accounts=[account("far", renewal_date=renews)],
        subscription_periods=[subscription("far", 5_000)],
    )
    soon = make_tables(
        accounts=[account("soon", renewal_date=AS_OF + timedelta(days=20))],
        subscription_periods=[subscription("soon", 5_000)],
    )
    empty, one = renewals(tables, AS_OF, CFG), renewals(soon, AS_OF, CFG)
    assert empty.height == 0
    assert empty.schema == one.schema


def test_reactivation_sequence_and_data_expiry() -> None:
    tables = make_tables(
        accounts=[account("x"), account("y"), account("z")],
        subscription_periods=[
            subscription("x", 10_000, end=(AS_OF - timedelta(days=40)).isoformat()),
            subscription("y", 10_000, end=(AS_OF - timedelta(days=400)).isoformat()),  # too old
            subscription("z", 10_000),  # still a customer
        ],
    )
    [row] = reactivation(tables, AS_OF, CFG).to_dicts()
    assert row["account_id"] == "x"
    assert (row["last_step"], row["next_step"]) == ("what_you_miss", "personal_question")
    assert row["next_on"] == AS_OF + timedelta(days=20)  # day 60 after the churn
    # day 210: 30 days after the day-180 "your data is expiring" notice (seed B's words)
    assert row["data_expires_on"] == AS_OF + timedelta(days=170)


def test_reactivation_before_the_first_step_and_after_the_last() -> None:
    tables = make_tables(
        accounts=[account("new"), account("done")],
        subscription_periods=[
            subscription("new", 10_000, end=(AS_OF - timedelta(days=3)).isoformat()),
            subscription("done", 10_000, end=(AS_OF - timedelta(days=200)).isoformat()),
        ],
    )
    rows = {r["account_id"]: r for r in reactivation(tables, AS_OF, CFG).to_dicts()}
    new, done = rows["new"], rows["done"]
    assert (new["days_since"], new["last_step"], new["next_step"]) == (3, None, "saved_setup")
    assert new["next_action"] == '"We saved your setup" email'
    assert new["next_on"] == AS_OF + timedelta(days=4)  # day 7
    assert (done["last_step"], done["next_step"], done["next_on"]) == ("data_expiring", None, None)
    assert done["next_action"] == "Sequence finished"
    assert list(rows) == ["new", "done"]  # by next date, finished sequences last


def _deal(name: str, closed_days_ago: int, **kw: object) -> dict:
    return {
        "company_name": name,
        "stage": "closed_lost",
        "closed_at": AS_OF - timedelta(closed_days_ago),
        "amount_minor": 100_000,
        "currency": "USD",
        **kw,
    }


def test_winback_score_bands_and_touches() -> None:
    deals = [
        # enterprise 3 + proposal 3 + 4 contacts 3 + budget 3 + 90 days 3 + growing 3 = 18
        _deal(
            "Top",
            90,
            segment="enterprise",
            stage_reached="proposal",
            contacts_engaged=4,
            lost_reason="budget",
            company_trajectory="growing",
        ),
        # smb 1 + discovery 1 + no contacts 1 + competitor 1 + 200 days 1 + contracting 1 = 6
        _deal(
            "Bottom",
            200,
            segment="smb",
            stage_reached="discovery",
            contacts_engaged=0,
            lost_reason="competitor",
            company_trajectory="contracting",
        ),
        # mid 2 + demo 2 + 2 contacts 2 + product gap 2 + 45 days 2 + stable 2 = 12
        _deal(
            "Middle",
            45,
            segment="mid_market",
            stage_reached="demo",
            contacts_engaged=2,
            lost_reason="product_gap",
            company_trajectory="stable",
        ),
        _deal("Fresh", 10, segment="enterprise", stage_reached="proposal", lost_reason="budget"),
        {**_deal("Won", 90), "stage": "closed_won"},
    ]
    rows = {r["deal"]: r for r in winback(make_tables(deals=deals), AS_OF, CFG).to_dicts()}
    assert set(rows) == {"Top", "Bottom", "Middle", "Fresh"}
    assert (rows["Top"]["score"], rows["Top"]["band"]) == (18, "priority")
    assert (rows["Middle"]["score"], rows["Middle"]["band"]) == (12, "nurture")
    assert (rows["Bottom"]["score"], rows["Bottom"]["band"]) == (6, "low-touch")
    assert rows["Fresh"]["band"] == "cooling off"
    # Touches by lost reason: budget at day 90 is "New fiscal year outreach"; a product gap
    # lost 45 days ago gets the day-60 touch next.
    assert rows["Top"]["next_touch"] == "New fiscal year outreach"
    assert rows["Middle"]["next_touch"] == "Roadmap preview"
    assert rows["Middle"]["next_touch_on"] == AS_OF + timedelta(days=15)
    # past day 180: the cadence is over, and the queue says so
    assert rows["Bottom"]["next_touch"] == CADENCE_FINISHED
    assert rows["Bottom"]["next_touch_on"] is None
    assert list(rows) == ["Top", "Middle", "Bottom", "Fresh"]
    # touches whose day has passed unticked are shown as overdue, not skipped
    assert rows["Middle"]["overdue_touches"] == "day 30"
    assert rows["Top"]["overdue_touches"] == "day 30, day 60"  # day 90's touch is due today
    assert rows["Fresh"]["overdue_touches"] == ""


def test_a_ticked_winback_touch_is_not_overdue() -> None:
    deal = _deal("Mid", 100, segment="mid_market", lost_reason="budget")
    tables = make_tables(deals=[deal])
    [row] = winback(tables, AS_OF, CFG).to_dicts()
    assert row["overdue_touches"] == "day 30, day 60, day 90"
    done = pl.DataFrame({"account_id": [row["deal_id"]] * 2, "step_id": ["touch_30", "touch_90"]})
    [row] = winback(tables, AS_OF, CFG, done).to_dicts()
    assert (row["overdue_touches"], row["touches_done"]) == ("day 60", "2/4")


@pytest.mark.parametrize("queue", ["renewals", "payments", "reactivation", "winback"])
def test_queue_reports_on_the_sample(runner: CliRunner, sample_db: Path, queue: str) -> None:
    result = runner.invoke(
        cli, ["report", queue, "--db", str(sample_db), "--as-of", "2026-11-20", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows, f"the sample data should fill the {queue} queue"
    table = runner.invoke(
        cli, ["report", queue, "--db", str(sample_db), "--as-of", "2026-11-20"]
    ).stdout
    assert table.splitlines()[0].endswith(f"as of 2026-11-20: {len(rows)}")
