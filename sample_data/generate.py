"""Generate the bundled sample data: a plausible B2B SaaS customer base, as canonical CSVs.

Deterministic (fixed seed): running it again writes byte-identical files. Run with
``python -m sample_data.generate [OUT_DIR]`` (default: this folder).

The story it tells, loosely: ~320 companies on four plans across SMB, mid-market and
enterprise, 20 months of history. Each account has a hidden engagement level that drifts
over time; most churners fade first (fewer logins, slower replies, more tickets, a look at
the billing page, a data export), but some leave abruptly and some fade and stay. Growing
accounts invite teammates, hit plan limits and upgrade. Payments fail now and then; most
are recovered. Nothing here mirrors the scoring rules one to one.
"""

from __future__ import annotations

import csv
import json
import math
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

SEED = 20261120
AS_OF = date(2026, 11, 20)
START = date(2025, 3, 1)
N_ACCOUNTS = 320
N_LOST_DEALS = 140

PLANS = {
    # plan: (monthly list price per seat-bundle in cents, segment default)
    "starter": 4900,
    "growth": 29900,
    "scale": 149900,
    "enterprise": 600000,
}
PLAN_ORDER = ["starter", "growth", "scale", "enterprise"]
LIMITS = {
    "starter": {"seats": 5, "api_call": 2000, "data_imported": 10000},
    "growth": {"seats": 20, "api_call": 20000, "data_imported": 100000},
    "scale": {"seats": 100, "api_call": 200000, "data_imported": 1000000},
    "enterprise": {"seats": 1000, "api_call": 2000000, "data_imported": 10000000},
}
CSMS = ["Dana Lee", "Marco Rossi", "Priya Shah", "Tom Becker", "Aiko Tanaka"]
INDUSTRIES = [
    "Logistics",
    "Healthcare",
    "Fintech",
    "Retail",
    "Manufacturing",
    "Education",
    "Media",
    "Real estate",
    "Hospitality",
    "Legal",
    "Construction",
    "Energy",
]
FIRST = [
    "North",
    "Blue",
    "Silver",
    "Bright",
    "Iron",
    "Cedar",
    "Summit",
    "Harbor",
    "Nova",
    "Atlas",
    "Pine",
    "Granite",
    "Lumen",
    "Vertex",
    "Orbit",
    "Maple",
    "Falcon",
    "Coral",
    "Quartz",
    "Echo",
    "Apex",
    "Willow",
    "Crimson",
    "Delta",
    "Sterling",
    "Aurora",
    "Beacon",
    "Cobalt",
    "Juniper",
    "Meridian",
    "Oak",
    "Prairie",
    "Redwood",
    "Sable",
    "Tidal",
    "Union",
    "Vantage",
    "Zenith",
]
SECOND = [
    "wind",
    "peak",
    "line",
    "works",
    "field",
    "stone",
    "gate",
    "bridge",
    "path",
    "point",
    "wave",
    "forge",
    "light",
    "crest",
    "ridge",
    "port",
    "spring",
    "vale",
    "mark",
    "shore",
]
KIND = [
    "Labs",
    "Logistics",
    "Health",
    "Systems",
    "Group",
    "Partners",
    "Analytics",
    "Foods",
    "Freight",
    "Studio",
    "Capital",
    "Retail",
    "Energy",
    "Clinics",
    "Learning",
    "Homes",
]
SUFFIX = ["", "", "", " Inc", " LLC", " Ltd", " GmbH", " Corp"]
PEOPLE_FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farah",
    "Gabe",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Mateo",
    "Nina",
    "Omar",
    "Paula",
    "Quinn",
    "Rosa",
    "Sami",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
]
PEOPLE_LAST = [
    "Adams",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Murphy",
    "Nguyen",
    "Okafor",
    "Patel",
    "Quist",
    "Reyes",
    "Silva",
    "Turner",
    "Ueda",
    "Vargas",
    "Weber",
    "Xu",
    "Young",
    "Zimmer",
]
ROLES_CHAMPION = ["Head of Operations", "VP Operations", "Director of Analytics", "Ops Manager"]
ROLES_OTHER = [
    "CFO",
    "CEO",
    "Analyst",
    "Engineer",
    "Team Lead",
    "IT Admin",
    "Controller",
    "Product Manager",
    "Sales Ops",
]
CORE = ["report_created", "dashboard_viewed", "integration_connected", "data_imported"]
ADVANCED = ["workflow_created", "alert_configured", "api_call"]
TICKET_SUBJECTS = [
    "Export times out",
    "Cannot connect integration",
    "Question about invoices",
    "Dashboard shows wrong totals",
    "SSO setup",
    "How do I add a teammate?",
    "Report scheduling fails",
    "Data import stuck",
    "Permission error",
    "Feature request",
]
NPS_COMMENTS = {
    "low": [
        "Too expensive for what we use",
        "Support is slow",
        "Missing features we need",
        "Hard to get the team to use it",
        "",
    ],
    "mid": ["Does the job", "Fine, a few rough edges", "OK so far", ""],
    "high": [
        "Saves us hours every week",
        "Great support team",
        "Our ops team lives in it",
        "Could not go back to spreadsheets",
        "",
    ],
}


@dataclass
class Account:
    id: str
    name: str
    domain: str
    segment: str
    plan: str
    owner: str
    industry: str
    employees: int
    created: date
    annual: bool
    seats: int
    engagement: float  # 0..1 hidden level at the start
    churn_on: date | None = None
    fade_days: int = 0  # how long usage fades before churn (0 = abrupt)
    reactivate_on: date | None = None
    fades_but_stays: bool = False
    grows: bool = False
    contracts: bool = False
    champion_leaves_on: date | None = None
    users: list[str] = field(default_factory=list)
    periods: list[dict[str, object]] = field(default_factory=list)


def iso(d: date) -> str:
    return d.isoformat()


def stamp(d: date, rng: random.Random, lo: int = 8, hi: int = 18) -> str:
    t = datetime(
        d.year,
        d.month,
        d.day,
        rng.randint(lo, hi),
        rng.randint(0, 59),
        rng.randint(0, 59),
        tzinfo=UTC,
    )
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    days = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return date(year, month, min(d.day, days))


def level(a: Account, day: date) -> float:
    """The account's engagement on ``day`` (0 = gone, 1 = thriving)."""
    e = a.engagement
    age = (day - a.created).days
    if age < 45:  # ramp-up during onboarding
        e *= 0.5 + age / 90
    if a.grows:
        e = min(1.0, e + 0.25 * min(1.0, max(0, (day - a.created).days - 120) / 240))
    if a.churn_on and a.fade_days and day < a.churn_on:
        left = (a.churn_on - day).days
        if left < a.fade_days:
            e *= 0.15 + 0.85 * left / a.fade_days
    if a.fades_but_stays:
        mid = AS_OF - timedelta(days=120)
        if day > mid:
            dip = min(1.0, (day - mid).days / 60)
            e *= 1 - 0.55 * dip * (1 if day < AS_OF - timedelta(days=20) else 0.6)
    return max(0.0, min(1.0, e))


def alive(a: Account, day: date) -> bool:
    if day < a.created:
        return False
    if a.churn_on and a.churn_on <= day:
        return bool(a.reactivate_on and a.reactivate_on <= day)
    return True


class Builder:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.accounts: list[Account] = []
        self.rows: dict[str, list[dict[str, object]]] = {}
        self.counters: dict[str, int] = {}

    def next_id(self, prefix: str, width: int = 5) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}_{n:0{width}d}"

    def add(self, table: str, row: dict[str, object]) -> None:
        self.rows.setdefault(table, []).append(row)

    # -- accounts ------------------------------------------------------------------------
    def make_accounts(self) -> None:
        rng = self.rng
        names: set[str] = set()
        span = (AS_OF - START).days
        for i in range(N_ACCOUNTS):
            while True:
                base = rng.choice(FIRST) + rng.choice(SECOND)
                name = f"{base} {rng.choice(KIND)}{rng.choice(SUFFIX)}"
                if base not in names:
                    names.add(base)
                    break
            r = rng.random()
            segment = "smb" if r < 0.6 else "mid_market" if r < 0.9 else "enterprise"
            plan = {
                "smb": rng.choice(["starter", "starter", "growth"]),
                "mid_market": rng.choice(["growth", "growth", "scale"]),
                "enterprise": rng.choice(["scale", "enterprise", "enterprise"]),
            }[segment]
            # 45% were customers before the window starts; the rest join during it.
            if rng.random() < 0.45:
                created = START - timedelta(days=rng.randint(30, 900))
            else:
                created = START + timedelta(days=int(span * rng.random() ** 0.9))
            if i < 18:  # a cohort inside onboarding right now
                created = AS_OF - timedelta(days=rng.randint(2, 85))
            employees = {
                "smb": rng.randint(5, 80),
                "mid_market": rng.randint(80, 900),
                "enterprise": rng.randint(1000, 20000),
            }[segment]
            seats = {
                "starter": rng.randint(2, 5),
                "growth": rng.randint(5, 18),
                "scale": rng.randint(15, 60),
                "enterprise": rng.randint(40, 120),
            }[plan]
            a = Account(
                id=f"acc_{i + 1:04d}",
                name=name,
                domain=f"{base.lower()}.com",
                segment=segment,
                plan=plan,
                owner=CSMS[i % len(CSMS)],
                industry=rng.choice(INDUSTRIES),
                employees=employees,
                created=created,
                annual=segment == "enterprise" or (segment == "mid_market" and rng.random() < 0.5),
                seats=seats,
                engagement=min(1.0, max(0.1, rng.gauss(0.68, 0.18))),
            )
            self.plan_fate(a)
            self.accounts.append(a)

    def plan_fate(self, a: Account) -> None:
        rng = self.rng
        monthly_churn = {"smb": 0.032, "mid_market": 0.015, "enterprise": 0.008}[a.segment]
        # Low engagement raises the odds of leaving; it does not decide it.
        monthly_churn *= 0.5 + 1.6 * (1 - a.engagement)
        first = max(a.created, START) + timedelta(days=30)
        day = first
        while day < AS_OF and not a.churn_on:
            if rng.random() < monthly_churn:
                a.churn_on = day + timedelta(days=rng.randint(0, 29))
                if a.annual:  # annual contracts end at a renewal
                    years = max(1, math.ceil((a.churn_on - a.created).days / 365))
                    a.churn_on = add_months(a.created, 12 * years)
                if a.churn_on >= AS_OF + timedelta(days=75):
                    a.churn_on = None
                    break
                # A churn date after AS_OF is a customer fading right now: still paying.
                a.fade_days = 0 if rng.random() < 0.25 else rng.randint(45, 120)
                if rng.random() < 0.12:
                    a.reactivate_on = a.churn_on + timedelta(days=rng.randint(40, 200))
                    if a.reactivate_on >= AS_OF or a.churn_on >= AS_OF:
                        a.reactivate_on = None
            day = add_months(day, 1)
        if not a.churn_on:
            r = rng.random()
            a.fades_but_stays = r < 0.12
            a.grows = 0.12 <= r < 0.32
            a.contracts = 0.32 <= r < 0.48
        if rng.random() < 0.18:
            lo = max(a.created, START)
            end = a.churn_on or AS_OF
            if (end - lo).days > 60:
                a.champion_leaves_on = lo + timedelta(days=rng.randint(30, (end - lo).days - 1))

    # -- subscriptions, invoices, payments ------------------------------------------------
    def price(self, plan: str, seats: int, annual: bool) -> int:
        base = PLANS[plan]
        per_seat = {"starter": 0, "growth": 1500, "scale": 4000, "enterprise": 5000}[plan]
        monthly = base + per_seat * seats
        return monthly * 10 if annual else monthly  # annual: two months free

    def make_subscriptions(self) -> None:
        for a in self.accounts:
            self.subscription(a, a.created, a.churn_on, first=True)
            if a.reactivate_on:
                self.subscription(a, a.reactivate_on, None, first=False)

    def subscription(self, a: Account, start: date, end: date | None, first: bool) -> None:
        rng = self.rng
        sub_id = f"sub_{a.id[4:]}" + ("" if first else "_r")
        plan, seats = a.plan, a.seats
        changes: list[tuple[date, str, int, str]] = []  # (from, plan, seats, status)
        day = start
        if first and a.segment == "smb" and start > START:
            changes.append((day, plan, seats, "trialing"))
            day += timedelta(days=14)
        changes.append((day, plan, seats, "active"))
        stop = end or AS_OF
        if a.grows:
            t = day + timedelta(days=rng.randint(150, 320))
            top = {"smb": "growth", "mid_market": "scale", "enterprise": "enterprise"}[a.segment]
            while t < stop:
                seats = min(int(seats * rng.uniform(1.3, 1.8)) + 1, 4 * a.seats)
                if seats > LIMITS[plan]["seats"] and plan != top:
                    plan = PLAN_ORDER[PLAN_ORDER.index(plan) + 1]
                changes.append((t, plan, seats, "active"))
                t += timedelta(days=rng.randint(120, 240))
        if a.contracts:
            t = max(day, START) + timedelta(days=rng.randint(60, 300))
            if t < stop:
                seats = max(1, int(seats * rng.uniform(0.4, 0.7)))
                if plan != "starter" and rng.random() < 0.4:
                    plan = PLAN_ORDER[PLAN_ORDER.index(plan) - 1]
                changes.append((t, plan, seats, "active"))
        if a.annual:  # annual plans change price only at a renewal: move changes there
            snapped: dict[date, tuple[date, str, int, str]] = {}
            for c in changes:
                years = math.ceil((c[0] - day).days / 365)
                at = add_months(day, 12 * years)
                snapped[at] = (at, *c[1:])
            changes = sorted(snapped.values())
        periods = []
        for i, (frm, p, s, status) in enumerate(changes):
            to = changes[i + 1][0] if i + 1 < len(changes) else end
            if to is not None and to >= AS_OF:
                to = None  # the change is still to come: as of today the period goes on
            if to is not None and to <= frm:
                continue
            if frm >= AS_OF:
                break
            periods.append({"from": frm, "to": to, "plan": p, "seats": s, "status": status})
        a.plan, a.seats = periods[-1]["plan"], periods[-1]["seats"]  # type: ignore[assignment]
        for per in periods:
            amount = self.price(per["plan"], per["seats"], a.annual)  # type: ignore[arg-type]
            if per["status"] == "trialing":
                amount = 0
            self.add(
                "subscriptions",
                {
                    "subscription_id": sub_id,
                    "account_id": a.id,
                    "plan": per["plan"],
                    "status": per["status"],
                    "interval": "year" if a.annual else "month",
                    "amount": f"{amount / 100:.2f}",
                    "quantity": per["seats"],
                    "currency": "USD",
                    "period_start": iso(per["from"]),  # type: ignore[arg-type]
                    "period_end": iso(per["to"]) if per["to"] else "",  # type: ignore[arg-type]
                },
            )
            a.periods.append({**per, "amount": amount, "sub": sub_id})

    def make_invoices(self) -> None:
        rng = self.rng
        for a in self.accounts:
            for per in a.periods:
                if per["status"] != "active":
                    continue
                step = 12 if a.annual else 1
                frm: date = per["from"]  # type: ignore[assignment]
                to: date = per["to"] or AS_OF  # type: ignore[assignment]
                k = 0
                while True:
                    bill = add_months(frm, k * step)
                    if bill >= to or bill > AS_OF:
                        break
                    k += 1
                    if bill < START - timedelta(days=60):
                        continue
                    self.invoice(a, per, bill, rng)

    def invoice(self, a: Account, per: dict[str, object], bill: date, rng: random.Random) -> None:
        inv = self.next_id("inv", 6)
        amount = int(per["amount"])  # type: ignore[call-overload]
        near_churn = a.churn_on and 0 <= (a.churn_on - bill).days < 45
        fail_odds = 0.05 + (0.25 if near_churn else 0) + (0.04 if a.segment == "smb" else 0)
        recent = (AS_OF - bill).days
        attempts: list[tuple[date, bool, str]] = []
        if rng.random() < fail_odds:
            reason = rng.choice(
                [
                    "card_declined",
                    "insufficient_funds",
                    "expired_card",
                    "card_declined",
                    "processing_error",
                ]
            )
            recovered_on = (
                rng.choice([1, 2, 3, 4, None, None])
                if near_churn
                else rng.choice([1, 1, 2, 2, 3, 4, None])
            )
            offsets = [0, 1, 3, 6, 10]  # Smart-retry style: day 0, +1, +3, +6, +10
            for n, off in enumerate(offsets):
                when = bill + timedelta(days=off)
                if when > AS_OF:
                    break
                ok = recovered_on is not None and n == recovered_on
                attempts.append((when, ok, "" if ok else reason))
                if ok:
                    break
        else:
            attempts.append((bill, True, ""))
        paid = attempts and attempts[-1][1]
        if paid:
            status = "paid"
        elif recent <= 14:
            status = "open"
        else:
            status = "uncollectible"
        self.add(
            "invoices",
            {
                "invoice_id": inv,
                "account_id": a.id,
                "subscription_id": per["sub"],
                "amount": f"{amount / 100:.2f}",
                "currency": "USD",
                "status": status,
                "issued_at": f"{iso(bill)}T00:00:00Z",
                "due_at": iso(bill),
                "paid_at": stamp(attempts[-1][0], rng, 0, 6) if paid else "",
            },
        )
        for when, ok, reason in attempts:
            card = self.card_on(a, when)
            self.add(
                "payments",
                {
                    "payment_id": self.next_id("pay", 6),
                    "invoice_id": inv,
                    "account_id": a.id,
                    "attempted_at": stamp(when, rng, 0, 6),
                    "amount": f"{amount / 100:.2f}",
                    "currency": "USD",
                    "outcome": "succeeded" if ok else "failed",
                    "failure_reason": reason,
                    "card_expires": f"{card.year}-{card.month:02d}",
                },
            )

    def card_on(self, a: Account, day: date) -> date:
        """The expiry month of the account's card on ``day``: its first card runs out 6-48
        months after sign-up, and each is replaced by one valid 3 years more once it has
        expired (so a few customers' cards run out around the as-of date). A random
        stream of its own, so the other files do not change with it."""
        first = random.Random(f"{SEED}-card-{a.id}").randint(6, 48)
        expires = add_months(a.created.replace(day=1), first)
        while expires < day.replace(day=1):
            expires = add_months(expires, 36)
        return expires

    # -- people --------------------------------------------------------------------------
    def make_contacts(self) -> None:
        rng = self.rng
        for a in self.accounts:
            n = {
                "smb": rng.randint(1, 3),
                "mid_market": rng.randint(2, 5),
                "enterprise": rng.randint(3, 7),
            }[a.segment]
            if rng.random() < 0.15:
                n = 1  # single-threaded
            used: set[str] = set()
            for k in range(n):
                while True:
                    first, last = rng.choice(PEOPLE_FIRST), rng.choice(PEOPLE_LAST)
                    if (first, last) not in used:
                        used.add((first, last))
                        break
                champion = k == 0 and rng.random() < 0.85
                strength = ""
                if champion:
                    strength = (
                        "strong"
                        if a.engagement > 0.7
                        else "moderate"
                        if a.engagement > 0.45
                        else "weak"
                    )
                left = ""
                if champion and a.champion_leaves_on:
                    left = iso(a.champion_leaves_on)
                elif not champion and rng.random() < 0.07:
                    left = iso(max(a.created, START) + timedelta(days=rng.randint(20, 400)))
                    if left >= iso(AS_OF):
                        left = ""
                self.add(
                    "contacts",
                    {
                        "contact_id": f"con_{a.id[4:]}_{k + 1}",
                        "account_id": a.id,
                        "name": f"{first} {last}",
                        "email": f"{first.lower()}.{last.lower()}@{a.domain}",
                        "role": rng.choice(ROLES_CHAMPION) if champion else rng.choice(ROLES_OTHER),
                        "is_champion": "true" if champion else "false",
                        "champion_strength": strength,
                        "is_decision_maker": "true" if (k == 1 or n == 1) else "false",
                        "created_at": iso(a.created + timedelta(days=rng.randint(0, 20))),
                        "left_company_at": left,
                    },
                )
            # A successor appears a few weeks after a champion leaves, sometimes.
            if a.champion_leaves_on and rng.random() < 0.5:
                self.add(
                    "contacts",
                    {
                        "contact_id": f"con_{a.id[4:]}_{n + 1}",
                        "account_id": a.id,
                        "name": f"{rng.choice(PEOPLE_FIRST)} {rng.choice(PEOPLE_LAST)}",
                        "email": f"ops.lead{n + 1}@{a.domain}",
                        "role": "Ops Manager",
                        "is_champion": "false",
                        "champion_strength": "",
                        "is_decision_maker": "false",
                        "created_at": iso(min(AS_OF, a.champion_leaves_on + timedelta(days=21))),
                        "left_company_at": "",
                    },
                )
            users = max(1, min(a.seats, {"smb": 4, "mid_market": 9, "enterprise": 16}[a.segment]))
            a.users = [f"usr_{a.id[4:]}_{u + 1:02d}" for u in range(users)]

    # -- product usage -------------------------------------------------------------------
    def make_usage(self) -> None:
        rng = self.rng
        weekly = {"smb": 8.5, "mid_market": 16.0, "enterprise": 24.0}
        for a in self.accounts:
            week = max(a.created, START)
            while week < AS_OF:
                days = [week + timedelta(days=d) for d in range(7)]
                mid = days[3]
                if not alive(a, mid):
                    week += timedelta(days=7)
                    continue
                lv = level(a, mid)
                expected = weekly[a.segment] * (0.15 + 1.3 * lv)
                n = self.poisson(expected)
                active_users = a.users[: max(1, round(len(a.users) * (0.3 + 0.7 * lv)))]
                for _ in range(n):
                    day = rng.choice(days)
                    if day >= AS_OF or not alive(a, day):
                        continue
                    self.event(a, day, rng.choice(active_users), lv)
                # Signals that some fading accounts show before they leave.
                if a.churn_on and 0 < (a.churn_on - mid).days < 35 and rng.random() < 0.5:
                    self.event(a, mid, a.users[0], lv, name="billing_page_viewed")
                    if rng.random() < 0.5:
                        self.event(a, mid, a.users[0], lv, name="export_csv")
                week += timedelta(days=7)

    def event(self, a: Account, day: date, user: str, lv: float, name: str | None = None) -> None:
        rng = self.rng
        value = 1
        if name is None:
            r = rng.random()
            if r < 0.42:
                name = "login"
            elif r < 0.72:
                name = rng.choice(CORE[:2]) if lv < 0.5 else rng.choice(CORE)
            elif r < 0.80:
                name = rng.choice(ADVANCED) if lv > 0.55 else "dashboard_viewed"
            elif r < 0.84:
                name = "export_csv"
            elif r < 0.87:
                name = "invite_sent" if a.grows or rng.random() < 0.3 else "settings_changed"
            elif r < 0.90:
                name = "feature_gate_hit" if a.plan in ("starter", "growth") else "report_created"
            elif r < 0.915:
                name = "billing_page_viewed"
            else:
                name = "settings_changed" if rng.random() < 0.4 else "login"
        if name == "api_call":
            cap = LIMITS[a.plan]["api_call"]
            value = max(1, int(cap / 30 * rng.uniform(0.1, 1.4 if a.grows else 0.7)))
        elif name == "data_imported":
            value = rng.randint(100, 5000)
        self.add(
            "usage_events",
            {
                "event_id": self.next_id("evt", 7),
                "account_id": a.id,
                "user_id": user,
                "event": name,
                "occurred_at": stamp(day, rng, 7, 20),
                "value": value,
            },
        )

    def poisson(self, lam: float) -> int:
        # Knuth's method is fine for the small rates used here.
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    # -- conversations -------------------------------------------------------------------
    def make_touchpoints(self) -> None:
        rng = self.rng
        for a in self.accounts:
            contacts = [c for c in self.rows["contacts"] if c["account_id"] == a.id]
            day = max(a.created, START) + timedelta(days=rng.randint(1, 10))
            while day < AS_OF:
                if not alive(a, day):
                    day += timedelta(days=14)
                    continue
                lv = level(a, day)
                who = rng.choice(contacts)["email"]
                tags: list[str] = []
                to_churn = (a.churn_on - day).days if a.churn_on and a.churn_on > day else None
                if to_churn is not None and to_churn < 75 and a.fade_days:
                    if rng.random() < 0.45:
                        tags.append(
                            rng.choice(
                                [
                                    "competitor",
                                    "budget_cut",
                                    "cancellation_terms",
                                    "data_export",
                                    "downgrade",
                                ]
                            )
                        )
                elif rng.random() < 0.03:
                    tags.append(rng.choice(["competitor", "budget_cut", "stakeholder_change"]))
                if a.grows and rng.random() < 0.15:
                    tags.append(rng.choice(["new_need", "team_growth", "milestone"]))
                sentiment = (
                    "positive"
                    if lv > 0.7 and rng.random() < 0.8
                    else "negative"
                    if lv < 0.35
                    or (tags and tags[0] in ("competitor", "cancellation_terms", "budget_cut"))
                    else "neutral"
                )
                r = rng.random()
                if r < 0.5:  # outbound email, maybe replied
                    delay = None
                    if rng.random() < 0.2 + 0.75 * lv:
                        delay = max(0.05, rng.expovariate(1 / (0.5 + 6 * (1 - lv))))
                    self.touch(
                        a,
                        "email",
                        "outbound",
                        day,
                        who,
                        delay,
                        "",
                        sentiment if delay is not None else "",
                        tags,
                    )
                elif r < 0.72:  # scheduled check-in
                    attended = "true" if rng.random() < 0.25 + 0.7 * lv else "false"
                    self.touch(a, "checkin", "outbound", day, who, None, attended, sentiment, tags)
                elif r < 0.9 and rng.random() < 0.3 + 0.6 * lv:  # customer reaches out
                    self.touch(
                        a,
                        rng.choice(["email", "chat", "call"]),
                        "inbound",
                        day,
                        who,
                        None,
                        "",
                        sentiment,
                        tags,
                    )
                else:
                    self.touch(a, "call", "outbound", day, who, None, "true", sentiment, tags)
                if a.segment != "smb" and day.month in (1, 4, 7, 10) and day.day <= 14:
                    attended = "true" if rng.random() < 0.3 + 0.7 * lv else "false"
                    self.touch(
                        a,
                        "qbr",
                        "outbound",
                        day + timedelta(days=2),
                        who,
                        None,
                        attended,
                        sentiment,
                        [],
                    )
                day += timedelta(days=int(rng.uniform(10, 32)))

    def touch(
        self,
        a: Account,
        kind: str,
        direction: str,
        day: date,
        who: object,
        reply_delay: float | None,
        attended: str,
        sentiment: str,
        tags: list[str],
    ) -> None:
        rng = self.rng
        summary = {
            "email": "Follow-up on usage review",
            "checkin": "Monthly check-in",
            "call": "Call about their roadmap",
            "chat": "Question in chat",
            "qbr": "Quarterly review",
        }[kind]
        if "competitor" in tags:
            summary = "Mentioned they are looking at another tool"
        elif "budget_cut" in tags:
            summary = "Budget review announced for next quarter"
        elif "cancellation_terms" in tags:
            summary = "Asked how to cancel and about notice period"
        elif "data_export" in tags:
            summary = "Asked for a full export of their data"
        elif "team_growth" in tags:
            summary = "Hiring another team that could use it"
        sent = stamp(day, rng)
        replied = ""
        if reply_delay is not None:
            at = datetime.strptime(sent, "%Y-%m-%dT%H:%M:%SZ") + timedelta(days=reply_delay)
            if at.date() < AS_OF:
                replied = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.add(
            "touchpoints",
            {
                "touchpoint_id": self.next_id("tp", 6),
                "account_id": a.id,
                "contact_email": who,
                "kind": kind,
                "direction": direction,
                "occurred_at": sent,
                "replied_at": replied,
                "attended": attended,
                "sentiment": sentiment,
                "tags": ";".join(tags),
                "summary": summary,
            },
        )

    def make_tickets(self) -> None:
        rng = self.rng
        for a in self.accounts:
            contacts = [c["email"] for c in self.rows["contacts"] if c["account_id"] == a.id]
            base = {"smb": 0.25, "mid_market": 0.7, "enterprise": 1.4}[a.segment]
            spike_month = None
            if rng.random() < 0.12 or (a.churn_on and a.fade_days and rng.random() < 0.5):
                end = (a.churn_on or AS_OF) - timedelta(days=rng.randint(10, 60))
                spike_month = (end.year, end.month)
            month = date(max(a.created, START).year, max(a.created, START).month, 1)
            while month < AS_OF:
                if alive(a, month + timedelta(days=14)):
                    lam = base * (4 if spike_month == (month.year, month.month) else 1)
                    for _ in range(self.poisson(lam)):
                        day = month + timedelta(days=rng.randint(0, 27))
                        if day >= AS_OF:
                            continue
                        self.ticket(a, day, rng.choice(contacts), level(a, day))
                month = add_months(month, 1)

    def ticket(self, a: Account, day: date, who: object, lv: float) -> None:
        rng = self.rng
        age = (AS_OF - day).days
        solved = age > 10 or rng.random() < 0.4
        solved_day = day + timedelta(days=rng.randint(0, 6))
        if solved_day >= AS_OF:
            solved = False
        status = (
            rng.choice(["solved", "closed"]) if solved else rng.choice(["new", "open", "pending"])
        )
        csat = ""
        if solved and rng.random() < 0.45:
            csat = str(max(1, min(5, round(rng.gauss(2 + 3 * lv, 1)))))
        self.add(
            "tickets",
            {
                "ticket_id": self.next_id("tkt", 5),
                "account_id": a.id,
                "requester_email": who,
                "subject": rng.choice(TICKET_SUBJECTS),
                "priority": rng.choices(["low", "normal", "high", "urgent"], [2, 6, 2, 0.5])[0],
                "status": status,
                "created_at": stamp(day, rng),
                "solved_at": stamp(solved_day, rng) if solved else "",
                "csat": csat,
            },
        )

    def make_nps(self) -> None:
        rng = self.rng
        survey = date(2025, 4, 15)
        while survey < AS_OF:
            for a in self.accounts:
                if not alive(a, survey) or (survey - a.created).days < 30 or rng.random() < 0.35:
                    continue
                contacts = [c for c in self.rows["contacts"] if c["account_id"] == a.id]
                for c in rng.sample(contacts, k=min(len(contacts), rng.randint(1, 2))):
                    lv = level(a, survey)
                    score = max(0, min(10, round(rng.gauss(3 + 7 * lv, 1.8))))
                    bucket = "low" if score <= 6 else "mid" if score <= 8 else "high"
                    day = survey + timedelta(days=rng.randint(0, 12))
                    if day >= AS_OF:
                        continue
                    self.add(
                        "nps",
                        {
                            "response_id": self.next_id("nps", 5),
                            "account_id": a.id,
                            "email": c["email"],
                            "score": score,
                            "comment": rng.choice(NPS_COMMENTS[bucket]),
                            "responded_at": stamp(day, rng),
                        },
                    )
            survey = add_months(survey, 6)

    # -- pipeline, goals, limits, account rows --------------------------------------------
    def make_deals(self) -> None:
        rng = self.rng
        for a in self.accounts:
            if a.created >= START - timedelta(days=60):
                self.add(
                    "deals",
                    {
                        "deal_id": self.next_id("deal", 5),
                        "account_id": a.id,
                        "company_name": a.name,
                        "domain": a.domain,
                        "segment": a.segment,
                        "stage": "closed_won",
                        "stage_reached": "negotiation",
                        "amount": f"{self.price(a.plan, a.seats, True) / 100:.2f}",
                        "currency": "USD",
                        "created_at": iso(a.created - timedelta(days=rng.randint(14, 90))),
                        "closed_at": iso(a.created),
                        "lost_reason": "",
                        "contacts_engaged": rng.randint(1, 5),
                        "company_trajectory": "",
                        "owner": rng.choice(["Sam Park", "Ines Moreau", "Leo Grant"]),
                    },
                )
        names = {a.name for a in self.accounts}
        for _ in range(N_LOST_DEALS):
            while True:
                base = rng.choice(FIRST) + rng.choice(SECOND)
                name = f"{base} {rng.choice(KIND)}"
                if name not in names:
                    names.add(name)
                    break
            r = rng.random()
            segment = "smb" if r < 0.5 else "mid_market" if r < 0.85 else "enterprise"
            closed = AS_OF - timedelta(days=rng.randint(5, 420))
            amount = {
                "smb": rng.randint(6, 30),
                "mid_market": rng.randint(30, 150),
                "enterprise": rng.randint(150, 600),
            }[segment] * 100000
            self.add(
                "deals",
                {
                    "deal_id": self.next_id("deal", 5),
                    "account_id": "",
                    "company_name": name,
                    "domain": f"{base.lower()}.io",
                    "segment": segment,
                    "stage": "closed_lost",
                    "stage_reached": rng.choices(
                        ["discovery", "demo", "proposal", "negotiation"], [3, 4, 3, 1.5]
                    )[0],
                    "amount": f"{amount / 100:.2f}",
                    "currency": "USD",
                    "created_at": iso(closed - timedelta(days=rng.randint(20, 120))),
                    "closed_at": iso(closed),
                    "lost_reason": rng.choices(
                        ["timing", "budget", "product_gap", "competitor", "no_decision", "other"],
                        [3, 3, 2, 2.5, 2, 0.5],
                    )[0],
                    "contacts_engaged": rng.choices([1, 2, 3, 4, 5], [4, 3, 2, 1, 0.5])[0],
                    "company_trajectory": rng.choices(
                        ["growing", "stable", "contracting"], [3, 4, 1.5]
                    )[0],
                    "owner": rng.choice(["Sam Park", "Ines Moreau", "Leo Grant"]),
                },
            )

    def make_goals(self) -> None:
        rng = self.rng
        titles = [
            "Cut month-end close to 3 days",
            "Replace spreadsheets for ops reporting",
            "Give every manager a live dashboard",
            "Automate weekly client reports",
            "Reduce manual data entry by half",
            "Onboard the regional teams",
        ]
        for a in self.accounts:
            if a.segment == "smb" and rng.random() < 0.6:
                continue
            lv = level(a, min(AS_OF, a.churn_on or AS_OF) - timedelta(days=1))
            for title in rng.sample(titles, k=rng.randint(1, 3)):
                status = (
                    "exceeding"
                    if lv > 0.85
                    else "on_track"
                    if lv > 0.6
                    else "behind"
                    if lv > 0.3
                    else "unclear"
                )
                if rng.random() < 0.2:
                    status = rng.choice(["on_track", "behind", "unclear"])
                roi = {
                    "exceeding": "clear_positive",
                    "on_track": "probable",
                    "behind": "unclear",
                    "unclear": rng.choice(["unclear", "negative"]),
                }[status]
                self.add(
                    "goals",
                    {
                        "goal_id": self.next_id("goal", 4),
                        "account_id": a.id,
                        "title": title,
                        "status": status,
                        "roi": roi,
                        "target_date": iso(
                            max(a.created, START) + timedelta(days=rng.randint(90, 400))
                        ),
                        "updated_at": iso(
                            min(AS_OF, a.churn_on or AS_OF) - timedelta(days=rng.randint(1, 60))
                        ),
                    },
                )

    def make_limits(self) -> None:
        for plan in PLAN_ORDER:
            for metric, limit in LIMITS[plan].items():
                self.add(
                    "plan_limits",
                    {
                        "plan": plan,
                        "metric": metric,
                        "limit": limit,
                        "per": "total" if metric == "seats" else "month",
                    },
                )

    def make_account_rows(self) -> None:
        for a in self.accounts:
            current = [p for p in a.periods if p["to"] is None]
            last = current[-1] if current else a.periods[-1]
            renewal = ""
            contract = ""
            if a.annual and current:
                years = max(1, math.ceil((AS_OF - a.created).days / 365))
                renewal_day = add_months(a.created, 12 * years)
                if renewal_day <= AS_OF:
                    renewal_day = add_months(renewal_day, 12)
                renewal = iso(renewal_day)
            if current:
                yearly = int(last["amount"]) * (1 if a.annual else 12)  # type: ignore[call-overload]
                contract = f"{yearly / 100:.2f}"
            self.add(
                "accounts",
                {
                    "account_id": a.id,
                    "name": a.name,
                    "domain": a.domain,
                    "segment": a.segment,
                    "plan": last["plan"],
                    "owner": a.owner,
                    "industry": a.industry,
                    "employees": a.employees,
                    "created_at": iso(a.created),
                    "renewal_date": renewal,
                    "contract_value": contract,
                    "currency": "USD",
                },
            )

    def build(self) -> dict[str, list[dict[str, object]]]:
        self.make_accounts()
        self.make_subscriptions()
        self.make_contacts()
        self.make_invoices()
        self.make_usage()
        self.make_touchpoints()
        self.make_tickets()
        self.make_nps()
        self.make_deals()
        self.make_goals()
        self.make_limits()
        self.make_account_rows()
        self.mark_advocates()
        return self.rows

    def mark_advocates(self) -> None:
        """Some promoters agreed to a case study, and some of the most enthusiastic referred
        peers: their positive touchpoints of the last year are tagged so (case_study,
        referral), as a CSM notes it. No row is added, and the stream of random numbers is
        its own, so the other files (and every score) stay as they are."""
        rng = random.Random(f"{SEED}-advocates")
        latest: dict[str, tuple[str, int]] = {}
        for r in self.rows["nps"]:
            at = str(r["responded_at"])
            if r["account_id"] not in latest or at > latest[str(r["account_id"])][0]:
                latest[str(r["account_id"])] = (at, int(r["score"]))  # type: ignore[call-overload]
        since = (AS_OF - timedelta(days=365)).isoformat()
        warm: dict[str, list[dict[str, object]]] = {}
        for t in self.rows["touchpoints"]:
            if t["sentiment"] == "positive" and not t["tags"] and str(t["occurred_at"]) >= since:
                warm.setdefault(str(t["account_id"]), []).append(t)
        for account_id, (_, score) in sorted(latest.items()):
            touches = warm.get(account_id, [])
            if score < 9 or not touches:
                continue
            if rng.random() < 0.5:
                t = rng.choice(touches)
                t["tags"], t["summary"] = "case_study", "Happy to do a case study with us"
            if score == 10 and len(touches) >= 3 and rng.random() < 0.5:
                for t in rng.sample([t for t in touches if not t["tags"]], k=2):
                    t["tags"], t["summary"] = "referral", "Introduced us to a peer company"


def write(out: Path) -> dict[str, int]:
    rows = Builder().build()
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table, records in sorted(rows.items()):
        if table == "usage_events":
            records.sort(key=lambda r: (str(r["occurred_at"]), str(r["event_id"])))
        with (out / f"{table}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(records[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)
        counts[table] = len(records)
    manifest = {
        "as_of": AS_OF.isoformat(),
        "history_from": START.isoformat(),
        "seed": SEED,
        "rows": counts,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return counts


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent
    for table, n in write(out).items():
        print(f"{table:16} {n:>8,}")


if __name__ == "__main__":
    main(sys.argv)
