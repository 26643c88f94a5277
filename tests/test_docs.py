"""The canonical-format page is generated from the format tables, and its examples import."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from importers.canonical import FORMATS
from importers.csvfile import read_table
from importers.detect import detect
from importers.reference import canonical_format_markdown
from importers.validate import parse

DOC = Path(__file__).resolve().parents[1] / "docs" / "canonical-format.md"


def test_doc_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == canonical_format_markdown(), (
        "run: python -m importers.reference > docs/canonical-format.md"
    )


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_each_documented_example_is_detected_and_valid(fmt, tmp_path: Path) -> None:
    section = DOC.read_text(encoding="utf-8").split(f"## {fmt.name}\n", 1)[1]
    example = section.split("```csv\n", 1)[1].split("```", 1)[0]
    header = next(csv.reader(io.StringIO(example)))
    assert header == list(fmt.columns)
    path = tmp_path / f"{fmt.name}.csv"
    path.write_text(example, encoding="utf-8")
    table = read_table(path)
    assert detect(table.name, table.header) is fmt
    assert parse(fmt, table).frame.height == 1


def test_tool_formats_doc_is_up_to_date() -> None:
    from importers.reference import tool_formats_markdown

    doc = DOC.with_name("formats.md")
    assert doc.read_text(encoding="utf-8") == tool_formats_markdown(), (
        "run: python -m importers.reference tools > docs/formats.md"
    )
