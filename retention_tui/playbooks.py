"""Playbook checklists: the steps of each playbook, from the seeds (DOMAIN.md §4, §6, §8,
§7, §9, §11). Step ids are stable: ticks are saved against them. The renewal steps use the
same ids as the renewal queue, so ticking one clears it from "overdue"."""

from __future__ import annotations

from retention_tui.engine.queues import (
    REACTIVATION_ACTIONS,
    RENEWAL_ACTIONS,
    WINBACK_TOUCH_DAYS,
    winback_touches,
)

PLAYBOOKS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "save": (
        "Save playbook",
        (
            ("detect", "Detect: alert owner and manager; pull usage, payments, last interactions"),
            ("reach_out", "Reach out personally (not templated), within the signal's window"),
            ("listen", 'Listen: "What would need to change for this to work for you?"'),
            (
                "intervene",
                "Intervene by the reason: value review, downgrade or pause, training, "
                "new champion, competitive comparison",
            ),
            (
                "outcome",
                "Outcome: saved (30/60/90-day checkpoints) or churned (exit interview, "
                "reactivation list)",
            ),
        ),
    ),
    "renewal": ("Renewal timeline", tuple(RENEWAL_ACTIONS.items())),
    "onboarding": (
        "Onboarding (90 days)",
        (
            ("day_0", "Day 0: personal welcome, access, kickoff call, record goals"),
            ("day_1", "Day 1-3: one visible quick win"),
            ("day_7", "Day 7: check-in, surface blockers, share progress"),
            ("day_14", "Day 14: first measurable result with numbers"),
            ("day_30", "Day 30: milestone review, ROI, next 60 days"),
            ("day_60", "Day 60: adoption review, train on unused features, meet more people"),
            ("day_90", "Day 90: graduation QBR, ongoing cadence, annual goals"),
        ),
    ),
    "dunning": (
        "Payment recovery",
        (
            ("card_reminder", "Card expiring: remind them to update it 30 days before"),
            ("attempt_1", "Attempt 1 failed: retry in 24 h, no notice"),
            ("attempt_2", "Attempt 2 failed: retry in 48 h, friendly email"),
            ("attempt_3", "Attempt 3 failed: retry in 72 h, urgent email and in-app banner"),
            ("day_10", "Day 10: final retry; personal email if high-value"),
            ("day_14", "Day 14: pause the account (never delete), keep data 90 days"),
        ),
    ),
    "reactivation": ("Reactivation", tuple(REACTIVATION_ACTIONS.items())),
    # Started on a lost deal (the win-back queue); each deal's screen shows the touch its
    # lost reason calls for on each of these days (engine.queues.winback_touches).
    "winback": (
        "Win-back cadence",
        tuple(
            (f"touch_{day}", f"Day {day} after the loss: the touch for its lost reason")
            for day in WINBACK_TOUCH_DAYS
        ),
    ),
    "qbr": (
        "QBR prep",
        (
            ("wins", "Celebrate wins: 3-5 headline metrics tied to their goals"),
            ("deep_dive", "Deep dive: one area, analysis they have not seen"),
            ("feedback", "Feedback: what works, what could be better, what changed"),
            ("roadmap", "Roadmap tied to their stated needs"),
            ("expansion", "One expansion idea, no pressure"),
            ("next_steps", "Next steps, next QBR date, written summary within 24 h"),
        ),
    ),
}


def steps_for(kind: str, lost_reason: str | None = None) -> tuple[tuple[str, str], ...]:
    """A playbook's steps; a win-back cadence names the touches of its deal's lost reason."""
    steps = PLAYBOOKS[kind][1]
    if kind != "winback":
        return steps
    touches = {step: f"Day {day}: {text}" for step, day, text in winback_touches(lost_reason)}
    return tuple((step, touches.get(step, text)) for step, text in steps)
