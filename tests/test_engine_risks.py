"""The churn-risk catalogue: each of the twenty signals fires on data that shows it, and
stays quiet on a near miss."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from retention_tui.engine.risks import DETECTORS
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
DOMAIN_CODES = {
    "data_export",
    "cancel_terms",
    "champion_left",
    "payment_failed_2",
    "competitor",
    "renewal_no_contact",
    "usage_drop",
    "tickets_spike",
    "nps_detractor",
    "payment_failed",
    "gone_silent",
    "missed_checkins",
    "champion_silent",
    "usage_plateau",
    "budget_cut",
    "stakeholder_change",
    "downgrade_ask",
    "tickets_then_silence",
    "billing_visits",
    "comms_declining",
}


def touch(ago: float, **kw: object) -> dict:
    return {
        "account_id": "a",
        "kind": "email",
        "direction": "outbound",
        "occurred_at": days_ago(ago),
        **kw,
    }


def tagged(tag: str, ago: float) -> dict:
    return touch(ago, kind="call", tags=tag, summary="they said something")


def contact(n: int, **kw: object) -> dict:
    return {
        "account_id": "a",
        "name": f"P{n}",
        "email": f"p{n}@a.com",
        "is_champion": 0,
        "is_decision_maker": 0,
        "role": "Ops",
        **kw,
    }


def invoice_with(*outcomes: str) -> dict:
    inv = {
        "source": "canonical",
        "source_id": "i1",
        "account_id": "a",
        "amount_minor": 4900,
        "currency": "USD",
        "status": "open",
        "issued_at": days_ago(6, 0),
        "due_at": days_ago(6).date(),
    }
    attempts = [
        {
            "source": "canonical",
            "invoice_id": "i1",
            "account_id": "a",
            "attempted_at": days_ago(6 - i, 1),
            "outcome": o,
        }
        for i, o in enumerate(outcomes)
    ]
    return {"invoices": [inv], "payment_attempts": attempts}


def tickets(n: int, ago: float) -> list[dict]:
    return [{"account_id": "a", "status": "open", "created_at": days_ago(ago)} for _ in range(n)]


def weekly(counts: list[int]) -> list[dict]:
    """Usage events: counts per week, oldest first, ending on the as-of day."""
    rows = []
    for i, n in enumerate(reversed(counts)):  # i = weeks back
        rows += events("a", "report_created", [days_ago(7 * i + 1.5)] * n)
    return rows


BASE_LOGINS = events("a", "login", spread(90, 115, 35))  # 30 expected in 30 days

# code -> (rows that fire it, rows that nearly do)
SCENARIOS: dict[str, tuple[dict, dict]] = {
    "data_export": (
        {"touchpoints": [tagged("data_export", 5)]},
        {"touchpoints": [tagged("data_export", 40)]},
    ),
    "cancel_terms": (
        {"usage_events": events("a", "cancel_page_viewed", [days_ago(2)])},
        {"touchpoints": [tagged("cancellation_terms", 31)]},
    ),
    "champion_left": (
        {"contacts": [contact(1, is_champion=1, left_company_at=AS_OF - timedelta(10))]},
        {"contacts": [contact(1, left_company_at=AS_OF - timedelta(10))]},
    ),
    "payment_failed_2": (invoice_with("failed", "failed"), invoice_with("failed")),
    "competitor": (
        {"touchpoints": [tagged("competitor", 50)]},
        {"touchpoints": [tagged("competitor", 70)]},
    ),
    "renewal_no_contact": (
        {
            "accounts": [account("a", renewal_date=AS_OF + timedelta(30))],
            "touchpoints": [touch(40)],
        },
        {
            "accounts": [account("a", renewal_date=AS_OF + timedelta(30))],
            "touchpoints": [touch(10)],
        },
    ),
    "usage_drop": (
        {"usage_events": BASE_LOGINS + events("a", "login", spread(12, 28, 1))},
        {"usage_events": BASE_LOGINS + events("a", "login", spread(25, 28, 1))},
    ),
    "tickets_spike": ({"tickets": tickets(4, 5)}, {"tickets": tickets(2, 5)}),
    "nps_detractor": (
        {"nps_responses": [{"account_id": "a", "score": 5, "responded_at": days_ago(20)}]},
        {"nps_responses": [{"account_id": "a", "score": 7, "responded_at": days_ago(20)}]},
    ),
    "payment_failed": (invoice_with("failed"), invoice_with("failed", "succeeded")),
    "gone_silent": (
        {"touchpoints": [touch(10), touch(20), touch(60, replied_at=days_ago(59))]},
        {"touchpoints": [touch(10), touch(20)]},
    ),
    "missed_checkins": (
        {"touchpoints": [touch(10, kind="checkin", attended=0), touch(40, kind="qbr", attended=0)]},
        {"touchpoints": [touch(10, kind="checkin", attended=0), touch(40, kind="qbr", attended=1)]},
    ),
    "champion_silent": (
        {
            "contacts": [contact(1, is_champion=1)],
            "touchpoints": [
                touch(5, contact_email="p1@a.com"),
                touch(30, direction="inbound", contact_email="p1@a.com"),
            ],
        },
        {
            "contacts": [contact(1, is_champion=1)],
            "touchpoints": [
                touch(5, contact_email="p1@a.com"),
                touch(3, direction="inbound", contact_email="p1@a.com"),
            ],
        },
    ),
    "usage_plateau": (
        {"usage_events": events("a", "report_created", spread(30, 59, 31) + spread(30, 28, 1))},
        {"usage_events": events("a", "report_created", spread(30, 59, 31) + spread(40, 28, 1))},
    ),
    "budget_cut": (
        {"touchpoints": [tagged("budget_cut", 10)]},
        {"touchpoints": [tagged("new_need", 10)]},
    ),
    "stakeholder_change": (
        {"contacts": [contact(2, is_decision_maker=1, left_company_at=AS_OF - timedelta(20))]},
        {"contacts": [contact(2, is_decision_maker=1, left_company_at=AS_OF - timedelta(100))]},
    ),
    "downgrade_ask": (
        {"touchpoints": [tagged("reduce_scope", 10)]},
        {"touchpoints": [tagged("downgrade", 61)]},
    ),
    "tickets_then_silence": (
        {"tickets": tickets(4, 40), "touchpoints": [touch(45, direction="inbound")]},
        {"tickets": tickets(4, 40), "touchpoints": [touch(10, direction="inbound")]},
    ),
    "billing_visits": (
        {"usage_events": events("a", "billing_page_viewed", [days_ago(d) for d in (2, 5, 9, 40)])},
        {
            "usage_events": events(
                "a", "billing_page_viewed", [days_ago(d) for d in (2, 5, 9, 40, 45, 50)]
            )
        },
    ),
    "comms_declining": (
        {"usage_events": weekly([8, 6, 4, 2])},
        {"usage_events": weekly([8, 6, 6, 2])},
    ),
}


def fired(rows: dict) -> dict[str, dict]:
    rows = {"accounts": [account("a")], **rows}
    run = score_run(make_tables(**rows), AS_OF, CFG)
    return {r["code"]: r for r in run.risks.iter_rows(named=True) if r["account_id"] == "a"}


def test_the_catalogue_has_every_signal_of_the_domain() -> None:
    assert set(DETECTORS) == DOMAIN_CODES == set(CFG["risks"]) == set(SCENARIOS)


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_signal_fires_with_evidence_severity_and_due_date(code: str) -> None:
    fire, _ = SCENARIOS[code]
    got = fired(fire)
    assert code in got, f"{code} did not fire; fired: {sorted(got)}"
    r = got[code]
    spec = CFG["risks"][code]
    assert r["severity"] == spec["severity"]
    assert r["action"] == spec["action"]
    assert r["respond_by"] == AS_OF + timedelta(hours=spec["respond_hours"])
    assert r["evidence"] and all(isinstance(e, str) and e for e in r["evidence"])


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_signal_stays_quiet_on_a_near_miss(code: str) -> None:
    _, miss = SCENARIOS[code]
    assert code not in fired(miss)


def test_evidence_names_the_rows() -> None:
    got = fired(
        {
            "contacts": [
                contact(
                    1,
                    is_champion=1,
                    name="Ana Ruiz",
                    role="VP Ops",
                    left_company_at=date(2026, 6, 20),
                )
            ]
        }
    )
    assert got["champion_left"]["evidence"] == ["champion Ana Ruiz (VP Ops) left on 2026-06-20"]
    got = fired(invoice_with("failed", "failed"))
    assert got["payment_failed_2"]["evidence"] == [
        "invoice i1: 2 failed attempts, last 2026-06-25, 49.00 USD unpaid"
    ]
    got = fired(invoice_with("failed"))
    assert got["payment_failed"]["evidence"] == [
        "invoice i1: 1 failed attempt, last 2026-06-24, 49.00 USD unpaid"
    ]
    got = fired({"usage_events": weekly([8, 6, 4, 2])})
    assert got["comms_declining"]["evidence"] == ["weekly activity, oldest first: 8 → 6 → 4 → 2"]


def test_a_cancellation_scheduled_in_billing_counts_from_the_day_asked_until_it_ends() -> None:
    """Stripe's Cancel At Period End: the customer asked on June 20 to end on July 15. As
    of AS_OF (June 30) that is cancel_terms, past the 30-day window of a tagged touchpoint
    too; before they asked (a backtest's earlier date) or once it has ended, it is not."""
    scheduled = {
        **subscription("a", 9800, start="2026-01-15"),
        "cancel_at": "2026-07-15",
        "cancel_requested_at": "2026-06-20",
    }
    got = fired({"subscription_periods": [scheduled]})
    assert got["cancel_terms"]["evidence"] == ["2026-06-20 set sub_a to cancel on 2026-07-15"]
    asked_later = {**scheduled, "cancel_requested_at": "2026-07-01"}
    assert "cancel_terms" not in fired({"subscription_periods": [asked_later]})
    ended = {**scheduled, "cancel_at": "2026-06-30"}
    assert "cancel_terms" not in fired({"subscription_periods": [ended]})
    long_ago = {**scheduled, "cancel_requested_at": "2026-04-01"}  # still running: still there
    assert "cancel_terms" in fired({"subscription_periods": [long_ago]})


def test_ticket_spike_over_five_times_normal_asks_for_the_manager() -> None:
    assert "alert the manager" in fired({"tickets": tickets(6, 3)})["tickets_spike"]["evidence"][0]
    assert "manager" not in fired({"tickets": tickets(4, 3)})["tickets_spike"]["evidence"][0]


@pytest.mark.parametrize(
    ("held", "heard"),
    [
        ({"kind": "call"}, True),  # a call we made is a conversation
        ({"kind": "call", "attended": 0}, False),  # ... unless only their voicemail took it
        ({"kind": "chat"}, True),
        ({"kind": "meeting"}, True),  # attendance not recorded: it took place
        ({"kind": "checkin", "attended": 1}, True),
        ({"kind": "qbr", "attended": 0}, False),  # they missed it
        ({"kind": "email"}, False),  # our email, unanswered
        ({"kind": "note"}, False),
    ],
)
def test_a_conversation_with_them_is_hearing_from_them(held: dict, heard: bool) -> None:
    """The champion we called, chatted or met with this week has not gone silent, nor has
    an account after a ticket spike (logged with `t`, or imported from a CRM's calls)."""
    champion = {
        "contacts": [contact(1, is_champion=1)],
        "touchpoints": [touch(5, contact_email="p1@a.com", **held)],
    }
    assert ("champion_silent" in fired(champion)) is not heard
    spike = {"tickets": tickets(4, 40), "touchpoints": [touch(10, **held)]}
    assert ("tickets_then_silence" in fired(spike)) is not heard


def test_most_severe_first() -> None:
    rows = {
        "touchpoints": [tagged("budget_cut", 3), tagged("data_export", 3)],
        "tickets": tickets(4, 3),
    }
    run = score_run(make_tables(accounts=[account("a")], **rows), AS_OF, CFG)
    assert run.risks["severity"].to_list() == ["critical", "high", "medium"]
