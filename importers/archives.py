"""Exports that come compressed: a ZIP archive of CSV files or Excel workbooks
(Salesforce's Data Export service, Chargebee's exports, HubSpot's exports of several
objects, as CSV or XLSX) and gzip-compressed CSV files (event exports).

A file inside an archive is named by the archive's path and its name inside it,
``WE_00D5g_1.ZIP/Account.csv``: every message, summary and import log entry shows that
name, and the name given on the command line reads that one file.
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from db.errors import Problem, RetentionError
from importers import workbooks

ZIP_MARK = b"PK\x03\x04"
GZIP_MARK = b"\x1f\x8b"


def _fail(path: Path, message: str) -> None:
    raise RetentionError(str(Problem(str(path), message)))


def is_csv_name(name: str) -> bool:
    """A CSV file's name, gzip-compressed or not ('events.csv', 'EVENTS.CSV.GZ')."""
    return name.lower().endswith((".csv", ".csv.gz"))


def _is_export(name: str) -> bool:
    """A CSV file or workbook of the archive's own, not a folder, nor what macOS adds when
    it zips ('__MACOSX/', '._Account.csv'), nor a hidden file, nor Excel's lock file."""
    parts = PurePosixPath(name).parts
    return (
        not name.endswith("/")
        and (is_csv_name(name) or workbooks.is_workbook_name(name))
        and not parts[-1].startswith("~$")
        and parts[0] != "__MACOSX"
        and not parts[-1].startswith(".")
    )


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        _fail(path, f"is a damaged ZIP archive ({exc}); download the export again")
    raise AssertionError  # unreachable


def members(path: Path) -> list[Path] | None:
    """The CSV files and workbooks in the ZIP archive ``path`` (each named ``path / name``,
    in the archive's order); None when ``path`` is not a ZIP archive (an Excel workbook,
    a ZIP archive of XML parts, is not). An archive with none is an error."""
    if not path.is_file():  # a folder, or a file in an archive
        return None
    try:
        with path.open("rb") as f:
            if f.read(4) != ZIP_MARK:
                return None
    except OSError as exc:
        _fail(path, f"cannot be read ({exc.strerror})")
    with _open(path) as archive:
        names = archive.namelist()
    if workbooks.is_workbook_names(names):  # a ZIP archive too: of XML parts
        return None
    found = [path / name for name in names if _is_export(name)]
    if not found:
        _fail(
            path,
            "is a ZIP archive with no .csv (or Excel) files in it; expected an export of CSV files",
        )
    return found


def _archive_of(path: Path) -> Path | None:
    """The archive a path names a file inside of, if it does (the nearest existing
    ancestor that is a file)."""
    for parent in path.parents:
        if parent.is_file():
            return parent
        if parent.exists():
            return None
    return None


def member(path: Path) -> tuple[Path, str] | None:
    """The archive and the name inside it of the file ``path`` names, if it names one."""
    if path.exists():
        return None
    archive_path = _archive_of(path)
    if archive_path is None:
        return None
    return archive_path, path.relative_to(archive_path).as_posix()


def _info(path: Path, archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    try:
        info = archive.getinfo(name)
    except KeyError:
        _fail(path, f"no such file in {Path(archive.filename or '').name}")
        raise AssertionError from None  # unreachable
    if info.flag_bits & 0x1:
        _fail(path, "is encrypted; unzip the archive with its password and import the CSV files")
    return info


def read_member(path: Path) -> bytes | None:
    """The bytes of the file ``path`` names inside an archive; None when it names none."""
    found = member(path)
    if found is None:
        return None
    archive_path, name = found
    with _open(archive_path) as archive:
        info = _info(path, archive, name)
        try:
            return archive.read(info)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError) as exc:
            _fail(path, f"cannot be read from the archive ({exc}); download the export again")
    raise AssertionError  # unreachable


def head(path: Path, size: int) -> bytes:
    """At most the first ``size`` bytes of a file (of a file in an archive; of what a
    gzip-compressed file holds): enough to tell what it is without reading all of it."""
    found = member(path)
    try:
        if found is None:
            with path.open("rb") as f:
                data = f.read(size)
        else:
            with _open(found[0]) as archive, archive.open(_info(path, archive, found[1])) as f:
                data = f.read(size)
        if data.startswith(GZIP_MARK):
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, size)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError) as exc:
        _fail(path, f"cannot be read ({exc})")
    return data


def gunzip(path: Path, data: bytes) -> bytes:
    """``data`` decompressed when it is gzip-compressed (an ``events.csv.gz``), else as is."""
    if not data.startswith(GZIP_MARK):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        _fail(path, f"is a damaged gzip file ({exc}); download the export again")
    raise AssertionError  # unreachable
