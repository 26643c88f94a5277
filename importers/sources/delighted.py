"""Delighted NPS response exports: 'Response ID', 'Email', 'Score', 'Comment',
'Created At', plus a column per person property."""

from __future__ import annotations

from importers.sources.nps import responses_format

DELIGHTED = responses_format(
    "delighted",
    response_id=("Response ID", "ID"),
    email=("Email", "Person Email"),
    date=("Created At", "Response Timestamp"),
    company=("Company", "Company Name", "properties.company"),
    signature=("Email", "Score", "Created At"),
    sources=(
        "Delighted Help, 'Exporting your data' (CSV: response id, person's name and email, "
        "score, comment, created at, plus one column per person property)",
    ),
    description="Delighted NPS responses.",
)

FORMATS = (DELIGHTED,)
