"""The work queues as the dashboard shows them: where each one's rows come from, its
columns, what ``/`` searches and what ``s`` sorts by.

The built-in lists (BUILTIN) are the sources; the queues a user sees are defined in the
config (``[queues.NAME]``: a source, filters, a sort, columns) with the first eight as
defaults, and keys 1-9 open them in order (configured_queues)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl

from db.errors import RetentionError
from retention_tui.engine.advocacy import advocates
from retention_tui.engine.expansion import expansion_queue, onboarding
from retention_tui.engine.queues import payments_queue, reactivation, renewals, winback
from retention_tui.formatting import clipped, money, segment_label, tier_label, words
from retention_tui.queue_filters import FilterError, apply_filters, parse_filter, parse_sort
from retention_tui.reports.risk import risk_frame
from retention_tui.workspace import Snapshot

Column = tuple[str, str, str]  # (label, field, kind: text | money | date | int | flag | score)
# A queue's text cells are cut to this many characters, so a long action or list of
# signals does not push the columns after it off the screen (enter opens the account,
# where they are whole; so are the reports).
TEXT_CELL = 32


@dataclass(frozen=True)
class QueueView:
    name: str
    title: str
    key: str
    build: Callable[[Snapshot, date], pl.DataFrame]
    columns: tuple[Column, ...]
    sorts: tuple[tuple[str, str, bool], ...]
    search: tuple[str, ...] = ("account", "owner")
    more: tuple[Column, ...] = ()  # fields a configured queue may filter on or show
    source: str = ""  # the built-in list it reads (snoozes are kept per list)
    key_field: str = "account_id"  # what a row is: enter opens it, z snoozes it

    @property
    def fields(self) -> dict[str, Column]:
        """Every field this list's rows have, by name."""
        return {c[1]: c for c in (*self.columns, *self.more)}


def _ordered(frame: pl.DataFrame) -> pl.DataFrame:
    """Keep the queue's own priority order as a sortable column."""
    return frame.with_row_index("order")


def _risk(s: Snapshot, as_of: date) -> pl.DataFrame:
    """Accounts at risk or critical, or with a critical or high risk signal, worst first."""
    urgent = s.run.risks.filter(pl.col("severity").is_in(["critical", "high"]))["account_id"]
    return _ordered(
        risk_frame(s.run, s.tables["accounts"], s.cfg).filter(
            pl.col("tier").is_in(["at_risk", "critical"])
            | pl.col("account_id").is_in(urgent.to_list())
        )
    )


def _alerts(s: Snapshot, as_of: date) -> pl.DataFrame:
    """The score-change alerts (DOMAIN.md §2) of the date's scores against the last run
    stored before it: soonest due first, then the most MRR."""
    accounts = s.tables["accounts"].select("account_id", pl.col("name").alias("account"), "owner")
    mrr = s.run.features.select("account_id", pl.col("mrr").alias("mrr_minor"))
    return _ordered(
        s.run.alerts.join(accounts, on="account_id", how="left")
        .join(mrr, on="account_id", how="left")
        .with_columns(pl.col("due_at").dt.strftime("%Y-%m-%d %H:%M").alias("due"))
        .sort(
            "due_at",
            pl.col("mrr_minor").fill_null(0),
            "account_id",
            descending=[False, True, False],
        )
        .drop("due_at")
    )


def _done(s: Snapshot, kind: str) -> pl.DataFrame:
    return s.done.filter(pl.col("kind") == kind)


_ACCOUNT_ID: Column = ("Account id", "account_id", "text")

BUILTIN: tuple[QueueView, ...] = (
    QueueView(
        "risk",
        "At risk",
        "1",
        _risk,
        (
            ("Tier", "tier", "tier"),
            ("Account", "account", "text"),
            ("Owner", "owner", "text"),
            ("Score", "score", "score"),
            ("MRR", "mrr_minor", "money"),
            ("Action", "action", "text"),  # what to do, by when; then why
            ("Respond by", "respond_by", "text"),
            ("Signals", "signals", "words"),
        ),
        (
            ("worst first", "order", False),
            ("MRR", "mrr_minor", True),
            ("respond by", "respond_by", False),
        ),
        more=(_ACCOUNT_ID, ("Coverage", "coverage", "text")),
    ),
    QueueView(
        "renewals",
        "Renewals",
        "2",
        lambda s, d: renewals(s.tables, d, s.cfg, s.run.scores, _done(s, "renewal"), s.run.risks),
        (
            ("Account", "account", "text"),
            ("Renews", "renewal_date", "date"),
            ("Days", "days_left", "int"),
            ("Card expires", "card_expires_on", "date"),
            ("Due step", "due_action", "text"),
            ("Due on", "due_on", "date"),
            ("Overdue", "overdue_steps", "words"),
            ("Tier", "tier", "tier"),
            ("ARR", "arr_at_stake", "money"),
            ("No contact", "no_contact_critical", "flag"),
        ),
        (("soonest", "days_left", False), ("ARR", "arr_at_stake", True)),
        more=(
            _ACCOUNT_ID,
            ("Owner", "owner", "text"),
            ("Step due", "due_step", "text"),
            ("Next step", "next_step", "text"),
            ("Next on", "next_on", "date"),
        ),
    ),
    QueueView(
        "expansion",
        "Expansion",
        "3",
        lambda s, d: _ordered(expansion_queue(s.tables, d, s.cfg, s.run.features, s.run.scores)),
        (
            ("Account", "account", "text"),
            ("Owner", "owner", "text"),
            ("Health", "health", "score"),
            ("PQA", "pqa", "int"),
            ("Band", "pqa_band", "text"),
            ("Triggers", "triggers", "words"),
            ("Action", "action", "text"),
            ("Within", "respond_within", "text"),
        ),
        (("most triggers", "order", False), ("PQA", "pqa", True)),
        more=(_ACCOUNT_ID, ("Why", "why", "text")),
    ),
    QueueView(
        "winback",
        "Win-back",
        "4",
        lambda s, d: winback(s.tables, d, s.cfg, _done(s, "winback")),
        (
            ("Deal", "deal", "text"),
            ("Segment", "segment", "segment"),
            ("Lost reason", "lost_reason", "words"),
            ("Lost on", "closed_at", "date"),
            ("Score", "score", "int"),
            ("Band", "band", "text"),
            ("Next touch", "next_touch", "text"),
            ("On", "next_touch_on", "date"),
            ("Overdue", "overdue_touches", "text"),
            ("Amount", "amount_minor", "money"),
            ("Done", "touches_done", "text"),
        ),
        (("priority", "score", True), ("next touch", "next_touch_on", False)),
        search=("deal", "lost_reason", "owner"),
        key_field="deal_id",
        more=(
            ("Deal id", "deal_id", "text"),
            _ACCOUNT_ID,
            ("Owner", "owner", "text"),
            ("Days since", "days_since_loss", "int"),
            ("Currency", "currency", "text"),
            ("Factors", "factors", "text"),
        ),
    ),
    QueueView(
        "reactivation",
        "Reactivation",
        "5",
        lambda s, d: reactivation(s.tables, d, s.cfg),
        (
            ("Account", "account", "text"),
            ("Owner", "owner", "text"),
            ("Churned", "churned_on", "date"),
            ("Days", "days_since", "int"),
            ("Next", "next_action", "text"),
            ("On", "next_on", "date"),
            ("Data expires", "data_expires_on", "date"),
        ),
        (("next due", "next_on", False), ("most recent", "days_since", False)),
        more=(_ACCOUNT_ID, ("Last step", "last_step", "text"), ("Next step", "next_step", "text")),
    ),
    QueueView(
        "payments",
        "Payments",
        "6",
        lambda s, d: payments_queue(s.tables, d, s.cfg),
        (
            ("Account", "account", "text"),
            ("Invoice", "invoice_id", "text"),
            ("Amount", "amount_minor", "money"),
            ("Stage", "stage", "text"),
            ("Next action", "next_action", "text"),
            ("On", "next_on", "date"),
            ("Overdue", "overdue", "flag"),
            ("MRR at risk", "mrr_at_risk", "money"),
            ("High value", "high_value", "flag"),
        ),
        (("next due", "next_on", False), ("MRR at risk", "mrr_at_risk", True)),
        more=(
            _ACCOUNT_ID,
            ("Owner", "owner", "text"),
            ("Failures", "failures", "int"),
            ("First failed", "first_failed_on", "date"),
            ("Days failing", "days_failing", "int"),
        ),
    ),
    QueueView(
        "onboarding",
        "Onboarding",
        "7",
        lambda s, d: onboarding(s.tables, d, s.cfg),
        (
            ("Account", "account", "text"),
            ("Day", "day", "int"),
            ("Quality", "quality", "int"),
            ("First value", "first_value", "text"),
            ("Data", "data_connected", "text"),
            ("Team", "team_invited", "text"),
            ("Habit", "habit", "text"),
            ("ROI", "roi_visible", "text"),
            ("Expansion", "expansion_ready", "text"),
            ("Missed", "missed", "int"),
        ),
        (("most missed", "missed", True), ("newest", "day", False)),
        more=(
            _ACCOUNT_ID,
            ("Owner", "owner", "text"),
            ("Created", "created_at", "date"),
            ("Hit", "hit", "int"),
            ("Next due", "next_due", "text"),
        ),
    ),
    QueueView(
        "alerts",
        "Alerts",
        "8",
        _alerts,
        (
            ("Account", "account", "text"),
            ("Owner", "owner", "text"),
            ("Alert", "code", "words"),
            ("What changed", "detail", "text"),
            ("Action", "action", "text"),
            ("Due", "due", "text"),
            ("MRR", "mrr_minor", "money"),
        ),
        (("soonest due", "order", False), ("MRR", "mrr_minor", True)),
        search=("account", "owner", "code"),
        more=(_ACCOUNT_ID,),
    ),
    QueueView(  # not among the default queues: add [queues.advocates] from = "advocates"
        "advocates",
        "Advocates",
        "",
        lambda s, d: _ordered(advocates(s.tables, s.run.features, d, s.cfg)),
        (
            ("Account", "account", "text"),
            ("Tier", "tier", "tier"),
            ("NPS", "nps", "int"),
            ("Why", "why", "text"),
            ("Ask for", "asks", "text"),
            ("Reward", "rewards", "text"),
            ("MRR", "mrr_minor", "money"),
        ),
        (("tier", "order", False), ("MRR", "mrr_minor", True)),
        more=(_ACCOUNT_ID, ("Owner", "owner", "text")),
    ),
)
SOURCES = {q.name: q for q in BUILTIN}
MAX_KEYED = 9  # queues 1-9 get a number key


def configured_queues(cfg: dict) -> tuple[QueueView, ...]:
    """The queues the config defines (``[queues.NAME]``), in order, keyed 1-9."""
    shown = [(name, spec) for name, spec in cfg["queues"].items() if not spec["hidden"]]
    return tuple(
        _queue(name, spec, str(i + 1) if i < MAX_KEYED else "")
        for i, (name, spec) in enumerate(shown)
    )


def _queue(name: str, spec: dict, key: str) -> QueueView:
    """One configured queue. A list, field, filter or sort that cannot be used is an
    error naming the queue and what was expected."""
    where = f"queues.{name}"
    source = SOURCES.get(spec["from"])
    if source is None:
        raise RetentionError(
            f"config '{where}.from': unknown list {spec['from']!r}; expected one of "
            + ", ".join(SOURCES)
        )
    known = source.fields

    def check(field: str, what: str, pool: dict[str, Column]) -> None:
        if field not in pool:
            raise RetentionError(
                f"config '{where}.{what}': {source.name} rows have no field {field!r}; "
                f"expected one of {', '.join(pool)}"
            )

    try:
        filters = tuple(parse_filter(f) for f in spec["filters"])
        sort = parse_sort(spec["sort"]) if spec["sort"].strip() else None
    except FilterError as exc:
        raise RetentionError(f"config '{where}': {exc}") from exc
    for f in filters:
        check(f.field, "filters", known)
    for c in spec["columns"]:
        check(c, "columns", known)
    sorts = source.sorts
    if sort:
        check(sort[0], "sort", {**known, "order": ("Priority", "order", "int")})
        label = known[sort[0]][0] if sort[0] in known else "priority"
        sorts = ((f"{label}{' (desc)' if sort[1] else ''}", sort[0], sort[1]), *sorts)
    return QueueView(
        name=name,
        title=spec["title"],
        key=key,
        build=_filtered(source, filters),
        columns=tuple(known[c] for c in spec["columns"]) or source.columns,
        sorts=sorts,
        search=source.search,
        more=source.more,
        source=source.name,
        key_field=source.key_field,
    )


def list_rows(source: QueueView, s: Snapshot, as_of: date) -> pl.DataFrame:
    """A built-in list's rows for this snapshot and date, built once."""
    key = (source.name, as_of)
    if key not in s.lists:
        s.lists[key] = source.build(s, as_of)
    return s.lists[key]


def _filtered(source: QueueView, filters: tuple) -> Callable[[Snapshot, date], pl.DataFrame]:
    def build(s: Snapshot, as_of: date) -> pl.DataFrame:
        return apply_filters(list_rows(source, s, as_of), filters)

    return build


def plain(value: object, kind: str, currency: str = "USD") -> str:
    """A value as an exported list writes it: as the queue shows it, whole, and nothing
    for no value; money in ``currency`` (formatting.row_currency)."""
    if value is None or value == "":
        return ""
    if kind == "money":
        return money(int(value), currency)  # type: ignore[call-overload]
    if kind == "score":
        return f"{float(value):.0f}"  # type: ignore[arg-type]
    if kind == "flag":
        return "yes" if value else ""
    if kind == "tier":
        return tier_label(str(value))
    if kind == "segment":
        return segment_label(str(value))
    if kind == "words":  # codes as people write them: 'no decision', 'usage drop'
        return words(str(value))
    return str(value)


def snoozed_ids(s: Snapshot, view: QueueView, as_of: date) -> pl.Series:
    """The accounts (deals) snoozed in ``view``'s queue on ``as_of``: left out of its rows
    and of its count on the dashboard."""
    z = s.snoozes
    return z.filter((pl.col("queue") == view.source) & (pl.col("until") > as_of.isoformat()))[
        "account_id"
    ]


def cell(value: object, kind: str, currency: str = "USD") -> str:
    """A value as the queue shows it: a dash for no value, long text clipped."""
    if value is None or value == "":
        return "—"
    return clipped(plain(value, kind, currency), TEXT_CELL)
