"""NPS survey exports: any file with an email, a 0-10 score, a comment and a date
(Typeform, SurveyMonkey, a spreadsheet), and the shape survey tools share (Delighted's
module uses it). docs/formats.md cites the sources."""

from __future__ import annotations

import polars as pl

from importers.sources.common import ext_email, ext_name
from importers.spec import Field, FileFormat, Identity
from importers.values import ID, INT, TEXT, TOOL_INSTANT


def _response_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The respondent's email is the response's; a file without response ids gets one
    from email and time."""
    fallback = pl.concat_str([pl.col("ext_email"), pl.col("responded_at")], separator="|")
    return frame.with_columns(
        pl.col("ext_email").alias("email"),
        pl.coalesce(pl.col("source_id"), fallback).alias("source_id"),
    )


def responses_format(
    source: str,
    *,
    response_id: tuple[str, ...],
    email: tuple[str, ...],
    date: tuple[str, ...],
    company: tuple[str, ...],
    signature: tuple[str, ...],
    sources: tuple[str, ...],
    description: str,
) -> FileFormat:
    return FileFormat(
        name="responses",
        source=source,
        table="nps_responses",
        key=("source_id",),
        identity=Identity(),
        transform=_response_rows,
        signature=signature,
        sources=sources,
        description=description,
        fields=(
            Field(response_id[0], "source_id", ID, aliases=response_id[1:]),
            ext_email(*email, required=True),
            Field(
                "Score",
                "score",
                INT,
                required=True,
                low=0,
                high=10,
                aliases=("NPS", "NPS Score", "Rating"),
            ),
            Field("Comment", "comment", TEXT, aliases=("Feedback", "Reason")),
            Field(date[0], "responded_at", TOOL_INSTANT, required=True, aliases=date[1:]),
            ext_name(*company),
        ),
    )


GENERIC = responses_format(
    "nps",
    response_id=("response_id", "id"),
    email=("email", "respondent email"),
    date=("date", "submitted_at", "submitted at", "response date", "responded_at"),
    company=("company", "company name", "account"),
    signature=("email", "score", "date"),
    sources=("Typical survey-tool CSV exports (email, score 0-10, comment, date)",),
    description="Any NPS export with email, score (0-10), comment and date.",
)

FORMATS = (GENERIC,)
