"""Documents about one account from seed B's templates: its standing (tier by revenue,
lifecycle stage), the monthly value report, QBR prep, save plan and onboarding checklist
(a ``Document`` each)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from retention_tui.engine.advocacy import advocates
from retention_tui.engine.expansion import expansion_triggers, onboarding
from retention_tui.engine.features import Tables, end_of, within
from retention_tui.engine.lifecycle import (
    ADVOCACY_STAGE,
    REVENUE_TIERS,
    lifecycle_stage,
    revenue_tier,
)
from retention_tui.engine.metrics import next_month
from retention_tui.engine.money import periods_fx
from retention_tui.engine.onboarding_quality import (
    NOT_IN_DATA,
    RUBRIC,
    data_start,
    onboarding_quality,
    verdict,
)
from retention_tui.engine.run import ScoreRun
from retention_tui.formatting import money, plural, tier_label
from retention_tui.reports.documents import Document, base_currency, month_label


def standing(
    t: Tables, account_id: str, as_of: date, cfg: dict, run: ScoreRun
) -> tuple[str | None, str | None]:
    """Two lines: the account's tier by revenue (with seed B's cadence, team and save
    budget) and its lifecycle stage (with its focus); None where the data cannot say."""
    fx = periods_fx(t["subscription_periods"], cfg["currency"])
    features = run.features.filter(pl.col("account_id") == account_id)
    mrr = features["mrr"][0] if features.height else None
    tier = revenue_tier(mrr, fx, cfg)
    by_revenue = lifecycle = None
    if tier:
        r, how = cfg["revenue_tiers"], REVENUE_TIERS[tier]
        bounds = {
            "enterprise": f"over {money(fx.minor(r['enterprise']), fx.base)}/mo",
            "mid_market": f"{money(fx.minor(r['mid_market']), fx.base)}-"
            f"{money(fx.minor(r['enterprise']), fx.base)}/mo",
            "smb": f"under {money(fx.minor(r['mid_market']), fx.base)}/mo",
        }[tier]
        by_revenue = (
            f"{how.name[0].upper()}{how.name[1:]} by revenue ({bounds}): {how.cadence} · "
            f"{how.team} · save budget: {how.save_budget}"
        )
    acc = t["accounts"].filter(pl.col("account_id") == account_id)
    # a prospect (its CRM's word, and no customer on the day) has no customer's stage
    prospect = acc.height and acc["prospect"][0] == 1 and not features.height
    stage = (
        None if prospect else lifecycle_stage(acc["created_at"][0] if acc.height else None, as_of)
    )
    if stage:
        days, name, focus = stage
        if name == ADVOCACY_STAGE:
            focus = _advocacy_focus(t, features, as_of, cfg)
        lifecycle = f"Day {days}, {name} stage — {focus}"
    return by_revenue, lifecycle


def _advocacy_focus(t: Tables, features: pl.DataFrame, as_of: date, cfg: dict) -> str:
    """The loyalty stage asks for reviews and referrals: of a customer in an advocacy tier
    (engine.advocacy), what its tier asks; of any other, not yet, and why. ``features``:
    the account's row of the run, if it was scored."""
    if not features.height:
        return "not a customer on this date: nothing to ask"
    # its own touchpoints only (the tags of 1.2M touchpoints at 100k accounts: 0.04 s)
    mine_only = pl.col("account_id") == features["account_id"][0]
    own = {**t, "touchpoints": t["touchpoints"].filter(mine_only)}
    mine = advocates(own, features, as_of, cfg)
    if mine.height:
        a = mine.row(0, named=True)
        article = "an" if a["tier"][0] in "aeiou" else "a"
        return f"{article} {a['tier']} ({a['why']}): ask for {a['asks']}"
    nps, at = features["nps_latest"][0], features["nps_at"][0]
    days = cfg["windows"]["nps"]
    recent = nps is not None and at is not None and at >= end_of(as_of) - timedelta(days=days)
    if not recent:
        return f"no NPS in {days} days: ask how likely they are to recommend you first"
    return f"not an advocate yet (latest NPS {nps}): earn it before asking for referrals"


def _usage_month(t: Tables, account_id: str, month: date, core: list[str]) -> dict[str, int]:
    ev = t["usage_events"].filter(
        (pl.col("account_id") == account_id)
        & (pl.col("occurred_at") >= pl.lit(month).cast(pl.Datetime("us")))
        & (pl.col("occurred_at") < pl.lit(next_month(month)).cast(pl.Datetime("us")))
    )
    core_events = ev.filter(pl.col("event").is_in(core))
    return {
        "Active users": ev["user_id"].n_unique(),
        "Logins": ev.filter(pl.col("event") == "login").height,
        "Core actions": core_events.height,
        "Reports created": ev.filter(pl.col("event") == "report_created").height,
    }


def _change(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "—"
    return f"{(now - before) / before * 100:+.0f}%"


def monthly_report(t: Tables, account_id: str, month: date, cfg: dict, run: ScoreRun) -> Document:
    """Seed B's monthly value report for one account."""
    acc = t["accounts"].filter(pl.col("account_id") == account_id).row(0, named=True)
    prior = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    core = cfg["events"]["core"]
    now, before = _usage_month(t, account_id, month, core), _usage_month(t, account_id, prior, core)
    doc = Document(f"{month_label(month)} Performance Report — {acc['name']}")
    lines = ["| Metric | This Month | Last Month | Change |", "|---|---|---|---|"]
    lines += [f"| {k} | {now[k]} | {before[k]} | {_change(now[k], before[k])} |" for k in now]
    doc.add("Key Metrics", lines)
    tp = (
        t["touchpoints"]
        .filter(
            (pl.col("account_id") == account_id)
            & (pl.col("direction") == "outbound")
            & (pl.col("occurred_at") >= pl.lit(month).cast(pl.Datetime("us")))
            & (pl.col("occurred_at") < pl.lit(next_month(month)).cast(pl.Datetime("us")))
        )
        .sort("occurred_at")
    )
    solved = t["tickets"].filter(
        (pl.col("account_id") == account_id)
        & pl.col("solved_at").is_not_null()
        & (pl.col("solved_at") >= pl.lit(month).cast(pl.Datetime("us")))
        & (pl.col("solved_at") < pl.lit(next_month(month)).cast(pl.Datetime("us")))
    )
    did = [
        f"- {r['occurred_at']:%b %d}: {r['kind']} — {r['summary'] or 'no notes'}"
        for r in tp.head(4).iter_rows(named=True)
    ]
    if solved.height:
        did.append(f"- Solved {solved.height} support ticket{'s' if solved.height != 1 else ''}")
    doc.add("What We Did", did or ["- No recorded outreach or solved tickets this month"])
    features = run.features.filter(pl.col("account_id") == account_id)
    mrr = int(features["mrr"][0]) if features.height else 0
    goals = t["goals"].filter(pl.col("account_id") == account_id)
    roi = [
        f"- {g['title']}: {g['status'].replace('_', ' ')}"
        + (f", ROI {g['roi'].replace('_', ' ')}" if g["roi"] else "")
        for g in goals.iter_rows(named=True)
    ]
    doc.add(
        "ROI Summary",
        [
            f"- Your investment: {money(mrr, base_currency(t, cfg))} a month",
            *(roi or ["- Value delivered: no goals or ROI recorded yet"]),
        ],
    )
    nxt = [
        f"- {g['title']}: {_target(g['target_date'], next_month(month))}"
        for g in goals.filter(pl.col("status") != "exceeding").iter_rows(named=True)
    ]
    if acc["renewal_date"]:
        nxt.append(f"- Renewal on {acc['renewal_date']}")
    doc.add("What's Next", nxt or ["- Agree the next goals together"])
    doc.add("Quick Question", [_question(now, before, goals)])
    doc.data = {
        "account_id": account_id,
        "month": month.isoformat()[:7],
        "metrics": now,
        "last_month": before,
        "mrr": mrr,
    }
    return doc


def _target(target: date | None, by: date) -> str:
    """A goal's target date as a plan reads it: one that passed before ``by`` (the end of
    the month reported, the day of the QBR) needs a new date, not work towards it."""
    if target is None:
        return "no target date yet: let's agree one"
    if target < by:
        return f"target {target.isoformat()} has passed: let's agree a new date"
    return f"target {target.isoformat()}"


def _question(now: dict[str, int], before: dict[str, int], goals: pl.DataFrame) -> str:
    if before["Logins"] and now["Logins"] < 0.7 * before["Logins"]:
        return "Logins were down this month — is anything getting in the way we could help with?"
    behind = goals.filter(pl.col("status") == "behind")
    if behind.height:
        return f'What would help most to get "{behind["title"][0]}" back on track?'
    if now["Active users"] > before["Active users"]:
        return "More of your team is using it — who else should we be helping get started?"
    return "What is the one thing you would like to see improve next month?"


def _rating(score: float | None) -> int:
    """A 0-100 dimension score as seed B's 1-5 QBR rating."""
    if score is None:
        return 3
    return max(1, min(5, 1 + int(score // 20)))


def qbr_prep(t: Tables, account_id: str, as_of: date, cfg: dict, run: ScoreRun) -> Document:
    """Seed B's QBR agenda for one account, with its QBR score (five 1-5 ratings)."""
    acc = t["accounts"].filter(pl.col("account_id") == account_id).row(0, named=True)
    s = run.scores.filter(pl.col("account_id") == account_id).row(0, named=True)
    dims = {d["dimension"]: d["score"] for d in s["dimensions"] or []}
    quarter = as_of - timedelta(days=90)
    end = end_of(as_of)
    ev = t["usage_events"].filter(pl.col("account_id") == account_id)
    now = ev.filter(within("occurred_at", end, 90))
    before = ev.filter(within("occurred_at", end, 90, offset=90))
    doc = Document(f"QBR prep — {acc['name']} — {as_of.isoformat()}")
    wins = [
        f"- Active users: {now['user_id'].n_unique()} (previous quarter "
        f"{before['user_id'].n_unique()})",
        f"- Product actions: {now.height} ({_change(now.height, before.height)} on the quarter "
        f"before)",
        f"- Health score: {s['total']:.0f} ({tier_label(s['tier'])})"
        if s["total"] is not None
        else "- Health score: no data",
    ]
    goals = t["goals"].filter(pl.col("account_id") == account_id)
    wins += [
        f'- Goal "{g["title"]}": {g["status"].replace("_", " ")}'
        for g in goals.iter_rows(named=True)
    ]
    wins.append('- Ask: "Does this match your perception?"')
    doc.add("1. Celebrate wins (10 min)", wins)
    weakest = min((d for d in dims.items() if d[1] is not None), key=lambda kv: kv[1], default=None)
    signals = run.signals.filter((pl.col("account_id") == account_id) & pl.col("present"))
    if weakest:
        low = signals.filter(pl.col("dimension") == weakest[0]).sort("points").head(2)
        doc.add(
            "2. Deep dive (15 min)",
            [f"- Focus: {weakest[0]} ({weakest[1]:.0f}/100)"]
            + [f"- {r['signal']}: {r['raw']}" for r in low.iter_rows(named=True)],
        )
    risks = run.risks.filter(pl.col("account_id") == account_id)
    doc.add(
        "3. Feedback loop (10 min)",
        [
            '- "What\'s working well?" "What could we do better?"',
            '- "Has anything changed in your business we should know about?"',
            *[
                f"- Listen for: {r['code']} ({'; '.join(r['evidence'][:1])})"
                for r in risks.iter_rows(named=True)
            ],
        ],
    )
    open_goals = goals.filter(pl.col("status") != "exceeding")
    doc.add(
        "4. Roadmap (10 min)",
        [
            f'- Tie next quarter\'s work to "{g["title"]}" ({_target(g["target_date"], as_of)})'
            for g in open_goals.iter_rows(named=True)
        ]
        or ["- Tie next quarter's work to the goals they state today"],
    )
    triggers = expansion_triggers(t, as_of, cfg, run.features).filter(
        pl.col("account_id") == account_id
    )
    idea = (
        f"- One idea: {triggers['trigger'][0].replace('_', ' ')} ({triggers['detail'][0]})"
        if triggers.height
        else "- No expansion signal this quarter: do not pitch"
    )
    doc.add("5. Expansion (5 min)", [idea])
    next_qbr = as_of + timedelta(days=90)
    doc.add(
        "6. Next steps (5 min)",
        [
            "- Summarise action items (yours and theirs); send a written summary within 24 hours",
            f"- Next QBR: {next_qbr.isoformat()}"
            + (f"; renewal on {acc['renewal_date']}" if acc["renewal_date"] else ""),
        ],
    )
    payments = signals.filter(pl.col("signal") == "payments")
    ratings = {
        "goal attainment": _rating(dims.get("outcome")),
        "engagement": _rating(dims.get("engagement")),
        "relationship depth": _rating(dims.get("relationship")),
        "growth signals": max(1, min(5, 1 + triggers.height)),
        "payment": _rating(payments["points"][0] * 10) if payments.height else 3,
    }
    total = sum(ratings.values())
    band = (
        "growth"
        if total >= 20
        else "good"
        if total >= 15
        else "at risk: more contact"
        if total >= 10
        else "critical: save now"
    )
    doc.add(
        "QBR score", [f"- {k}: {v}/5" for k, v in ratings.items()] + [f"- Total {total}/25: {band}"]
    )
    doc.data = {
        "account_id": account_id,
        "as_of": as_of.isoformat(),
        "ratings": ratings,
        "qbr_score": total,
        "band": band,
        "since": quarter.isoformat(),
    }
    return doc


SAVE_INTERVENTIONS = {
    "not seeing value": [
        "Emergency value review: show ROI with hard numbers",
        "Offer a dedicated optimisation session",
        "Set new measurable goals with a 30-day checkpoint",
    ],
    "too expensive": [
        "Tier adjustment (downgrade before cancel)",
        "Pause 1-2 months, keeping their data and setup",
        "Annual discount if they commit",
        "Last resort: a temporary price reduction with an expiry",
    ],
    "low usage": [
        "Personalised training session",
        "Assign an onboarding buddy",
        "Simplify their setup",
    ],
    "champion left": [
        "Ask for an intro to the successor within 48 hours",
        "Prepare a new-stakeholder briefing with full history and ROI",
        "Offer a fresh kickoff call with the new contact",
    ],
    "competitor": [
        "Understand the features or price they are comparing",
        "Build an honest competitive comparison",
        "If you genuinely cannot compete: let them go gracefully",
    ],
}
# Seed A's save plays: how often a save works, by reason, and who to escalate to.
SAVE_ODDS = {
    "too expensive": ("35-45%", "finance approval for custom pricing"),
    "low usage": ("40-50%", "a CSM-led adoption sprint"),
    "champion left": ("20-30%", "an executive alignment call"),
    "competitor": ("15-25%", "a CRO-level retention offer"),
}
# Seed B's pause-before-cancel options: (situation, offer, the signals that point to it).
PAUSE_OPTIONS = (
    ("budget cut (temporary)", "pause 1-3 months; data kept, price unchanged", ("budget_cut",)),
    (
        "seasonal low usage",
        "move down to a maintenance tier: less service, a lower price",
        ("usage_drop", "usage_plateau"),
    ),
    (
        "team change",
        "pause 1 month; free re-onboarding when the new team is ready",
        ("champion_left", "stakeholder_change"),
    ),
    ('"not a priority right now"', "pause with a monthly check-in", ()),
)
REASON_OF_SIGNAL = {
    "competitor": "competitor",
    "budget_cut": "too expensive",
    "downgrade_ask": "too expensive",
    "billing_visits": "too expensive",
    "usage_drop": "low usage",
    "usage_plateau": "low usage",
    "comms_declining": "low usage",
    "champion_left": "champion left",
    "champion_silent": "champion left",
    "stakeholder_change": "champion left",
    "nps_detractor": "not seeing value",
    "cancel_terms": "not seeing value",
    "data_export": "not seeing value",
}


def _save_option(reason: str) -> str:
    """One reason's interventions (seed B), with how often they save (seed A)."""
    line = f"- {reason}: " + "; ".join(SAVE_INTERVENTIONS[reason])
    if reason in SAVE_ODDS:
        odds, escalate = SAVE_ODDS[reason]
        line += f" (saves {odds} of such accounts; escalate: {escalate})"
    return line


def save_plan(t: Tables, account_id: str, as_of: date, cfg: dict, run: ScoreRun) -> Document:
    """Seed B's five-stage save playbook, filled for one account."""
    acc = t["accounts"].filter(pl.col("account_id") == account_id).row(0, named=True)
    s = run.scores.filter(pl.col("account_id") == account_id).row(0, named=True)
    risks = run.risks.filter(pl.col("account_id") == account_id)
    doc = Document(f"Save plan — {acc['name']} — {as_of.isoformat()}")
    detect = [
        f"- Health {s['total']:.0f} ({tier_label(s['tier'])})"
        if s["total"] is not None
        else "- Health: no data"
    ]
    detect += [
        f"- {r['severity']}: {r['code']} — {'; '.join(r['evidence'][:2])}"
        for r in risks.iter_rows(named=True)
    ]
    doc.add(
        "1. Detect",
        [
            *detect,
            "- Alert the account owner and their manager; pull usage, payments, last "
            "interactions and open issues",
        ],
    )
    champion = t["contacts"].filter(
        (pl.col("account_id") == account_id)
        & (pl.col("is_champion") == 1)
        & (pl.col("left_company_at").is_null() | (pl.col("left_company_at") > as_of))
    )
    who = (
        f"{champion['name'][0]} <{champion['email'][0]}>"
        if champion.height
        else "no champion on record: find the decision maker"
    )
    by = risks["respond_by"].min() if risks.height else as_of + timedelta(days=7)
    observation = "; ".join(risks["evidence"][0][:1]) if risks.height else "their recent usage"
    doc.add(
        "2. Reach out",
        [
            f"- To: {who}; by {by}; from {acc['owner'] or 'the account owner'}, personally",
            f'- "Hi, I noticed {observation}. Wanted to check in — is everything going well?"',
            "- Do not mention churn, be defensive, or offer discounts up front",
        ],
    )
    reasons = []
    for code in risks["code"].to_list():
        reason = REASON_OF_SIGNAL.get(code)
        if reason and reason not in reasons:
            reasons.append(reason)
    doc.add(
        "3. Listen",
        [
            '- Ask: "What would need to change for this to work for you?"',
            f"- Likely reasons from the data: {', '.join(reasons) or 'unclear'}",
        ],
    )
    options = [_save_option(reason) for reason in reasons]
    codes = set(risks["code"].to_list())
    pauses = [
        f"  - {situation}: {offer}"
        + (f" (fits: {', '.join(sorted(codes & set(signals)))})" if codes & set(signals) else "")
        for situation, offer, signals in PAUSE_OPTIONS
    ]
    by_revenue, _ = standing(t, account_id, as_of, cfg, run)
    doc.add(
        "4. Intervene",
        [
            *(options or ["- Choose by the reason you hear: " + ", ".join(SAVE_INTERVENTIONS)]),
            "- Before they cancel, offer a pause (40-60% of paused accounts come back; "
            "cancelled ones rarely do):",
            *pauses,
            *([f"- {by_revenue}"] if by_revenue else []),
        ],
    )
    doc.add(
        "5. Outcome",
        [
            f"- If saved: health checkpoints on {as_of + timedelta(days=30)}, "
            f"{as_of + timedelta(days=60)} and {as_of + timedelta(days=90)}; fix the root cause",
            "- If churned: exit interview, leave the door open, add to the reactivation list",
        ],
    )
    doc.data = {
        "account_id": account_id,
        "as_of": as_of.isoformat(),
        "tier": s["tier"],
        "signals": risks["code"].to_list(),
        "likely_reasons": reasons,
        "pause_fits": [
            situation for situation, _, signals in PAUSE_OPTIONS if codes & set(signals)
        ],
    }
    return doc


ONBOARDING_PLAN = (  # seed B's 90-day plan: (day, what to do)
    (
        0,
        "Personal welcome referencing their goals; access set up; 30-minute kickoff call; "
        "record goals and success criteria",
    ),
    (1, "Deliver one visible quick win (first workflow automated)"),
    (7, "Check-in: any questions or blockers? Share progress, even small"),
    (14, "First measurable result: [metric] went from [X] to [Y]; is this what you expected?"),
    (30, "Milestone review: ROI, success metrics, next 60 days; plant expansion seeds"),
    (60, "Deeper review: feature adoption, train on unused capabilities, meet more of the team"),
    (90, "Graduation: full QBR, ongoing cadence, annual goals"),
)


def onboarding_checklist(t: Tables, account_id: str, as_of: date, cfg: dict) -> Document:
    """Seed B's 90-day plan with dates, seed A's milestones as the data shows them, and
    seed B's onboarding quality rubric as far as the data rates it."""
    acc = t["accounts"].filter(pl.col("account_id") == account_id).row(0, named=True)
    created = acc["created_at"]
    doc = Document(f"Onboarding checklist — {acc['name']} (created {created})")
    plan = []
    for day, what in ONBOARDING_PLAN:
        when = created + timedelta(days=day)
        state = "passed" if when < as_of else "today" if when == as_of else "upcoming"
        plan.append(f"- [ ] Day {day} ({when}, {state}): {what}")
    doc.add("90-day plan", plan)
    # this account alone (its milestones and rubric), however long ago it was created
    mine = t["accounts"].filter(pl.col("account_id") == account_id)
    row = onboarding(
        {**t, "accounts": mine},
        as_of,
        {**cfg, "onboarding": {**cfg["onboarding"], "window_days": 100_000}},
    )
    milestones = []
    if row.height:
        r = row.row(0, named=True)
        milestones = [
            f"- {name.replace('_', ' ')} (day {day}): {r[name]}"
            for name, day in cfg["onboarding"]["milestones"].items()
        ]
    doc.add("Milestones", milestones or ["- No usage recorded yet"])
    quality = onboarding_quality(t, as_of, cfg, mine)
    rubric = quality.row(0, named=True) if quality.height else None
    doc.add("Onboarding quality (seed B's rubric)", _rubric_lines(rubric, data_start(t)))
    doc.data = {
        "account_id": account_id,
        "created_at": created.isoformat(),
        "milestones": {m.split(" (")[0][2:]: m.split(": ", 1)[1] for m in milestones},
        "quality": rubric
        and {
            "score": rubric["score"],
            "coverage": rubric["coverage"],
            **{name: rubric[name] for name, _ in RUBRIC if name not in NOT_IN_DATA},
        },
    }
    return doc


def _so_far(day: int, window: int) -> str:
    """' so far' while the account is still inside a rubric dimension's window."""
    return "" if day >= window else " so far"


def _rubric_lines(r: dict | None, start: date | None) -> list[str]:
    """The rubric's dimensions: what the data shows, the rating and the points; then the
    two the data cannot rate, and the score over the rated points."""
    if r is None:
        return [f"- Onboarded before the data starts ({start or 'no usage yet'}): not rated"]
    first, results = r["first_value_day"], r["first_results_day"]
    tickets = plural(r["tickets_first_30_days"], "ticket")
    touches = plural(r["outreach_first_14_days"], "touch", "touches")
    shown = {
        "time_to_first_value": (
            f"first core action on day {first}" if first is not None else "no core action yet"
        ),
        "customer_effort": f"{tickets} in the first 30 days{_so_far(r['day'], 30)}",
        "communication": f"{touches} from you in the first 14 days{_so_far(r['day'], 14)}",
        "early_results": (
            f"first report on day {results}" if results is not None else "no report yet"
        ),
    }
    lines = []
    for name, weight in RUBRIC:
        if name in NOT_IN_DATA:
            continue
        label = f"{name.replace('_', ' ').capitalize()} ({weight} points): {shown[name]}"
        rating = r[name]
        lines.append(
            f"- {label}: {rating}/10, {r[name + '_points']:g} points"
            if rating is not None
            else f"- {label}: not rated yet"
        )
    lines.append(
        "- Personalisation (15 points) and documentation (10 points): not in the data; "
        "rate them yourself (10: fully tailored / a complete knowledge base, 5: somewhat / "
        "basic docs, 1: generic / none)"
    )
    score = r["score"]
    lines.append(
        f"- Score {score:.0f}/100 over the {r['rated_points']} points rated: {verdict(score)}"
        if score is not None
        else "- Score: not rated yet"
    )
    return lines
