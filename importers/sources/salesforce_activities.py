"""Salesforce activities: the calls logged as tasks, the meetings on the calendar
(events) and the emails (email messages), as touchpoints the scores and risk signals
read (reply and check-in habits, silence, renewals without contact, what customers
raised).

Read from the Data Export service's Task.csv and Event.csv (or Data Loader exports of the
same objects), by their field API names. A task is a touchpoint when it is done (IsClosed)
and is a call (a logged call: TaskSubtype Call, or Type Call) or a meeting (Type Meeting);
an email logged as a task is left out, since it says neither who wrote it nor whether it
was answered (an unanswered email of ours counts against the account), and so is any
other to-do. An event is a meeting (a call, with Type Call; a QBR or check-in, by its
subject), on the day it starts. Neither says whether the customer came: attendance is
left unrecorded. The person (WhoId) is kept, and their email comes from the Salesforce
contacts imported, with the activities or later. '#words' in the subject or comments
become tags, as in the touchpoints logged in the app.

Emails come from EmailMessage.csv (Enhanced Email), which says what a task does not:
whether the customer wrote (Incoming), to whom, and which email answered which
(ReplyToEmailMessageId, else the next incoming email of the same ThreadIdentifier), so an
email of ours has its reply time.
"""

from __future__ import annotations

import polars as pl

from db.work import hashtags_of
from importers.sources.salesforce import SOURCE, deleted, left_out_if_set
from importers.spec import CONTACT_ID, LEFT_OUT, Field, FileFormat, Identity
from importers.values import BOOL, ID, LOWER, TEXT, TOOL_INSTANT, email

SOURCES = (
    "Salesforce Object Reference: Task (Id, AccountId, WhoId, Subject, Description, "
    "ActivityDate, CompletedDateTime, Status: Not Started, In Progress, Completed, Waiting "
    "on someone else, Deferred; IsClosed, Type, TaskSubtype: Task, Email, "
    "ListEmail, Cadence, Call, LinkedIn; CallType: Internal, Inbound, Outbound; IsDeleted, "
    "CreatedDate), Event (Id, AccountId, WhoId, Subject, Description, StartDateTime, "
    "ActivityDateTime, ActivityDate, IsAllDayEvent, Type, IsChild, IsDeleted, CreatedDate); "
    "Task and Event records are collectively called activities; AccountId is the account "
    "of the related record or contact",
    "Salesforce Object Reference: EmailMessage (Id, ParentId: the case, RelatedToId, "
    "Incoming, FromAddress, ToAddress, MessageDate, Status: 0 New, 1 Read, 2 Replied, 3 "
    "Sent, 4 Forwarded, 5 Draft; ReplyToEmailMessageId, ThreadIdentifier, Subject, "
    "IsDeleted); Salesforce IDs begin with their object's key prefix (001 Account)",
    "Salesforce Help, 'Export Backup Data from Salesforce' (the Data Export service: "
    "Task.csv, Event.csv and EmailMessage.csv among the objects' files)",
)

NOT_AN_ACCOUNT = "not about an account (on a lead, a campaign or nothing: no AccountId)"
EMAIL_TASK = (
    "an email logged as a task (it says neither who wrote it nor whether it was answered; "
    "EmailMessage.csv does)"
)
OPEN_TASK = "an open task (not done yet)"
# A call's result (CallDisposition: free text, as the telephony writes it) that says it
# did not reach the customer; one that says it connected did.
NOT_REACHED = (
    r"voice ?mail|no answer|not answered|busy|wrong number|left (a |live )?message|"
    r"not connected|unreachable|no response"
)
REACHED = r"\bconnected\b|\bspoke\b|\bspoken\b|\banswered\b"
# Task's standard Status picklist, less Completed (a picklist of yours may add more).
OPEN_STATUSES = ("not started", "in progress", "waiting on someone else", "deferred")
TODO = "a to-do, not a call or meeting (read: a logged call, Type Call or Meeting)"


def _account() -> Field:
    return Field(
        "AccountId",
        "ext_id",
        ID,
        skip={"": NOT_AN_ACCOUNT},
        doc="The account of the related record or contact (001...).",
    )


def _common() -> tuple[Field, ...]:
    return (
        Field("Id", "source_id", ID, required=True),
        _account(),
        Field(
            "WhoId",
            CONTACT_ID,
            ID,
            doc="The contact (003...): their email from the Salesforce contacts imported.",
        ),
        Field("Subject", "_subject", TEXT),
        Field("Description", "_description", TEXT, doc="Comments."),
        Field("Type", "_type", LOWER, doc="Call, Meeting, Email, ... (a picklist of yours)."),
        Field("CreatedDate", "_created", TOOL_INSTANT, required=True),
        deleted(),
    )


# What _what_and_who's columns are made of (FileFormat.made_of).
MADE_OF_WHAT_AND_WHO = {
    "summary": ("_subject", "_description"),
    "tags": ("_subject", "_description"),
    "contact_ref": (CONTACT_ID,),
}


def _what_and_who() -> list[pl.Expr]:
    """A task's or event's summary (subject: comments), tags (its #words) and contact."""
    subject, comments = pl.col("_subject"), pl.col("_description")
    both = pl.concat_str(subject, comments, separator=": ", ignore_nulls=True)
    return [
        pl.when(both != "").then(both).alias("summary"),
        hashtags_of(both).alias("tags"),
        (pl.lit(f"{SOURCE}:") + pl.col(CONTACT_ID)).alias("contact_ref"),
    ]


def _meeting_kind(subject: pl.Expr) -> pl.Expr:
    """A meeting whose subject names a QBR (or business review) is one, a check-in too."""
    text = subject.str.to_lowercase()
    return (
        pl.when(text.str.contains(r"\bqbr\b|business review"))
        .then(pl.lit("qbr"))
        .when(text.str.contains(r"check[- ]?in\b"))
        .then(pl.lit("checkin"))
        .otherwise(pl.lit("meeting"))
    )


def _task_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """A done task -> a touchpoint: a call (inbound when its CallType says so; attended,
    i.e. it reached them, as its CallDisposition says) or a meeting, on the day it was
    completed (else its due day, else the day it was made)."""
    subtype, kind = pl.col("_subtype"), pl.col("_type")
    call = (subtype == "call") | (kind == "call")
    emailed = subtype.is_in(["email", "listemail"]) | (kind == "email")
    result = pl.col("_disposition").str.to_lowercase()
    return frame.with_columns(
        pl.when(call & result.str.contains(NOT_REACHED))
        .then(pl.lit(0))
        .when(call & result.str.contains(REACHED))
        .then(pl.lit(1))
        .alias("attended"),
        pl.when(call)
        .then(pl.lit("call"))
        .when(kind == "meeting")
        .then(_meeting_kind(pl.col("_subject")))
        .alias("kind"),
        pl.when(pl.col("_call_type") == "inbound")
        .then(pl.lit("inbound"))
        .otherwise(pl.lit("outbound"))
        .alias("direction"),
        pl.coalesce("_completed", "_due", "_created").alias("occurred_at"),
        *_what_and_who(),
        pl.when(call | (kind == "meeting"))
        .then(pl.lit(None, pl.String))
        .when(emailed)
        .then(pl.lit(EMAIL_TASK))
        .otherwise(pl.lit(TODO))
        .alias(LEFT_OUT),
    )


def _event_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """An event -> a meeting (a call when its Type is Call) of ours, when it starts."""
    return frame.with_columns(
        pl.when(pl.col("_type") == "call")
        .then(pl.lit("call"))
        .otherwise(_meeting_kind(pl.col("_subject")))
        .alias("kind"),
        pl.lit("outbound").alias("direction"),
        pl.coalesce("_start", "_at", "_day", "_created").alias("occurred_at"),
        *_what_and_who(),
    )


TASKS = FileFormat(
    name="tasks",
    source=SOURCE,
    table="touchpoints",
    key=("source_id",),
    identity=Identity(),
    transform=_task_rows,
    made_of={
        "kind": ("_subtype", "_type"),
        "direction": ("_call_type",),
        "attended": ("_disposition",),
        **MADE_OF_WHAT_AND_WHO,
    },
    # Id, Status and CreatedDate are in every Campaign and Case too: the evidence tells
    signature=("Id", "Status", "CreatedDate"),
    evidence=("TaskSubtype", "CallType", "CompletedDateTime", "CallDurationInSeconds"),
    not_with=("CaseNumber",),
    sources=SOURCES,
    description="Salesforce tasks (Task.csv), as touchpoints: a done call (a logged call, or "
    "Type Call; inbound when its CallType says so; not reaching them when its CallDisposition "
    "says voicemail, no answer, busy or a wrong number) or meeting (Type Meeting; a QBR or "
    "check-in by its subject), on the day it was completed. Emails logged as tasks (who "
    "wrote, and whether they were answered, is not said), open tasks, internal calls and "
    "other to-dos are left out. The contact (WhoId) gets its email from the Salesforce "
    "contacts imported with it or later; '#words' in the subject or comments become tags.",
    fields=(
        *_common(),
        Field("TaskSubtype", "_subtype", LOWER, doc="Call, Email, ListEmail, Task, ..."),
        Field(
            "CallType",
            "_call_type",
            LOWER,
            values={"inbound": "inbound", "outbound": "outbound"},
            skip={"internal": "an internal call (with a colleague, not the customer)"},
        ),
        Field(
            "IsClosed",
            "_closed",
            BOOL,
            skip={"false": OPEN_TASK, "0": OPEN_TASK},
            doc="Done (true/false): open tasks are left out.",
        ),
        Field(
            "Status",
            "_status",
            LOWER,
            skip={w: OPEN_TASK for w in OPEN_STATUSES},
            doc="Where IsClosed is not exported: the standard open statuses are left out.",
        ),
        Field(
            "CallDisposition",
            "_disposition",
            TEXT,
            doc="The call's result: 'Left voicemail', 'No answer', 'Busy', 'Wrong number' "
            "... did not reach them (such a call is not hearing from them).",
        ),
        Field("CompletedDateTime", "_completed", TOOL_INSTANT),
        Field("ActivityDate", "_due", TOOL_INSTANT, doc="Due date."),
    ),
)

EVENTS = FileFormat(
    name="events",
    source=SOURCE,
    table="touchpoints",
    key=("source_id",),
    identity=Identity(),
    transform=_event_rows,
    made_of={
        "kind": ("_type", "_subject"),
        **MADE_OF_WHAT_AND_WHO,
    },
    signature=("Id", "CreatedDate"),  # every object has them: the evidence tells
    evidence=("EventSubtype", "ShowAs", "IsAllDayEvent", "DurationInMinutes", "StartDateTime"),
    sources=SOURCES,
    description="Salesforce events (Event.csv), as touchpoints: a meeting of ours (a call "
    "with Type Call; a QBR or check-in by its subject) when it starts; whether the customer "
    "came is not said, so it counts as held. An invitee's copy (IsChild) is left out; the "
    "contact and tags as for tasks.",
    fields=(
        *_common(),
        Field("StartDateTime", "_start", TOOL_INSTANT),
        Field("ActivityDateTime", "_at", TOOL_INSTANT),
        Field("ActivityDate", "_day", TOOL_INSTANT, doc="The day of an all-day event."),
        left_out_if_set(
            "IsChild", "_child", "an invitee's copy of an event (IsChild: the event itself is read)"
        ),
    ),
)

ACCOUNT_PREFIX = "001"  # the key prefix of an Account's id


def _first_address(addresses: pl.Expr) -> pl.Expr:
    """The first address of a ';'- or ','-separated list (or of one address)."""
    return email(addresses.str.extract(r"([^;,<>\s]+@[^;,<>\s]+)", 1))


def _email_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """An email -> a touchpoint with the customer's address (the sender of one they wrote,
    the first recipient of ours), the account it is related to when that is an account,
    and, for ours, when they replied: the first email of theirs that answers it, else the
    first of theirs later in the same thread."""
    incoming = pl.col("_incoming") == 1
    frame = frame.with_columns(
        _first_address(pl.when(incoming).then(pl.col("_from")).otherwise(pl.col("_to"))).alias(
            "ext_email"
        ),
        pl.when(pl.col("_related").str.starts_with(ACCOUNT_PREFIX))
        .then(pl.col("_related"))
        .alias("ext_id"),
        pl.lit("email").alias("kind"),
        pl.when(incoming).then(pl.lit("inbound")).otherwise(pl.lit("outbound")).alias("direction"),
        pl.coalesce("_at", "_created").alias("occurred_at"),
        pl.when(pl.col("_case").is_not_null())
        .then(pl.lit("an email on a case (the case is the ticket)"))
        .alias(LEFT_OUT),
    )
    theirs = frame.filter(incoming)
    answers = (
        theirs.filter(pl.col("_reply_to").is_not_null())
        .group_by("_reply_to")
        .agg(pl.col("occurred_at").min().alias("_answered"))
        .rename({"_reply_to": "source_id"})
    )
    later = frame.filter(pl.col("_thread").is_not_null()).sort("occurred_at")
    in_thread = later.filter(~incoming).join_asof(
        later.filter(incoming).select(
            "_thread", pl.col("occurred_at").alias("_next"), "occurred_at"
        ),
        on="occurred_at",
        by="_thread",
        strategy="forward",
        allow_exact_matches=False,
        check_sortedness=False,  # sorted by time above, so within each thread too
    )
    frame = frame.join(answers, on="source_id", how="left").join(
        in_thread.select("source_id", "_next"), on="source_id", how="left"
    )
    return frame.with_columns(
        pl.when(~incoming).then(pl.coalesce("_answered", "_next")).alias("replied_at"),
        pl.col("ext_email").alias("contact_email"),
        pl.col("_subject").alias("summary"),
        hashtags_of(pl.col("_subject")).alias("tags"),
    ).drop("_answered", "_next")


EMAILS = FileFormat(
    name="emails",
    source=SOURCE,
    table="touchpoints",
    key=("source_id",),
    identity=Identity(),
    transform=_email_rows,
    made_of={
        "kind": ("_incoming",),
        "direction": ("_incoming",),
        "contact_email": ("_incoming", "_from", "_to"),
        "summary": ("_subject",),
        "tags": ("_subject",),
    },
    signature=("Id", "Incoming", "MessageDate"),
    evidence=("FromAddress", "ToAddress", "ThreadIdentifier", "ReplyToEmailMessageId"),
    sources=SOURCES,
    description="Salesforce emails (EmailMessage.csv, Enhanced Email), as touchpoints: one the "
    "customer wrote (Incoming) or one of ours to them, with the customer's address (matched "
    "to contacts, and its domain to accounts, where the email is not related to an account) "
    "and, for ours, when they replied (the email that answers it, else their next one in the "
    "thread; a reply in a later export fills it in). Emails on a case (the case is the "
    "ticket: ParentId) and drafts are left out; '#words' in the subject become tags.",
    fields=(
        Field("Id", "source_id", ID, required=True),
        Field("RelatedToId", "_related", ID, doc="An account (001...) it is related to."),
        Field("ParentId", "_case", ID, doc="The case (500...) of an email on a case: left out."),
        Field("Incoming", "_incoming", BOOL, required=True, doc="The customer wrote it."),
        Field("FromAddress", "_from", TEXT),
        Field("ToAddress", "_to", TEXT, doc="Recipients, ';'-separated."),
        Field("Subject", "_subject", TEXT),
        Field("MessageDate", "_at", TOOL_INSTANT, required=True),
        Field(
            "Status",
            "_status",
            LOWER,
            values={w: w for w in ("0", "1", "2", "3", "4")},
            skip={"5": "a draft (never sent)"},
        ),
        Field("ReplyToEmailMessageId", "_reply_to", ID),
        Field("ThreadIdentifier", "_thread", TEXT),
        Field("CreatedDate", "_created", TOOL_INSTANT),
        deleted(),
    ),
)

FORMATS = (TASKS, EVENTS, EMAILS)
