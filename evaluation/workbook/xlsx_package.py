"""An XLSX file is a zip package of XML parts: checked here before openpyxl reads any part of it.

1. The end-of-directory record (the last bytes of the file) gives the number of parts and the size
   of the zip's central directory: too many parts or too large a directory is refused before the
   zipfile module reads the directory at all.
2. The central directory gives each part's compressed and inflated size: a part or a package that
   would inflate past its cap, a part packed more than `max_ratio` times over (a zip bomb), an
   encrypted part or an unusual compression method is refused without inflating anything.
3. A part is inflated only when openpyxl opens it, and first checked as it is inflated: the
   inflated bytes are counted and reading stops at the cap (whatever the directory said), a DTD or
   entity declaration is refused (as defusedxml does), and its XML elements are counted against
   the package's caps (limits.py says why), so openpyxl is never handed more than it can read in
   well under a second. Parts openpyxl never opens (other sheets, drawings, comments) are never
   inflated.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from xml.parsers import expat

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.utils import column_index_from_string

from evaluation.workbook.errors import UnreadableWorkbook
from evaluation.workbook.limits import RATIO_FLOOR, FileLimits

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old .xls, or an Excel file with a password
_END_RECORD = struct.Struct("<4s4H2LH")  # signature, disks, entries here, entries, directory size, offset, comment
_END_SIGNATURE = b"PK\x05\x06"
_MAX_COMMENT = 65_535
_DIRECTORY_BYTES_PER_PART = 1_024  # a directory entry is 46 bytes, its name and its extras
_CHUNK = 64 * 1024
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what Excel and every spreadsheet program write
# The elements of a sheet's rows (its cells, their values, formulas and inline strings): cheap for
# openpyxl to read. Inside <sheetData> only: the same names elsewhere (conditional formats, styles)
# cost openpyxl far more and count as other elements.
_CELL_ELEMENTS = frozenset(
    "row c v f is t r rPr rPh phoneticPr b i u strike condense extend outline shadow vertAlign sz color "  # noqa: SIM905
    "rFont family charset scheme".split()
)


def refuse_zip_directory(data: bytes, limits: FileLimits) -> None:
    """Refuse a package with too many parts or too large a central directory, from its last bytes."""
    tail = data[-(_MAX_COMMENT + _END_RECORD.size) :]
    at = tail.rfind(_END_SIGNATURE)
    if at < 0 or len(tail) - at < _END_RECORD.size:
        raise UnreadableWorkbook(broken_message(_("no zip directory")))
    entries, directory_bytes = _END_RECORD.unpack_from(tail, at)[4:6]
    if entries > limits.max_parts:
        raise UnreadableWorkbook(too_many_parts_message(entries, limits))
    if directory_bytes > limits.max_parts * _DIRECTORY_BYTES_PER_PART:
        raise UnreadableWorkbook(
            _(
                "The Excel file's list of parts takes %(size)s, more than %(limit)s parts can take: "
                "it is not an ordinary Excel file."
            )
            % {"size": filesizeformat(directory_bytes), "limit": f"{limits.max_parts:,}"}
        )


def too_many_parts_message(count: int, limits: FileLimits) -> str:
    return _(
        "The Excel file is made of %(count)s parts; a file of this kind may have at most %(limit)s. "
        "Keep only the sheet in the file (delete other sheets, pictures and objects) and upload it again."
    ) % {"count": f"{count:,}", "limit": f"{limits.max_parts:,}"}


def broken_message(reason: str) -> str:
    return _("The Excel file cannot be read (%(error)s). Save it as .xlsx and import it again.") % {"error": reason}


class CheckedPackage(zipfile.ZipFile):
    """The zip package of an XLSX file, its central directory checked on opening and each part
    checked as it is first opened (the module docstring says what). Raises UnreadableWorkbook."""

    def __init__(self, file, limits: FileLimits):
        super().__init__(file)
        self.limits = limits
        self.counts = {"cell": 0, "string": 0, "other": 0, "bytes": 0}
        self._checked: set[str] = set()
        self._refuse_directory_entries()

    def open(self, name, mode="r", pwd=None, **kwargs):
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if mode == "r" and info.filename not in self._checked:
            _PartScan(self, info).run()
            self._checked.add(info.filename)
        return super().open(info, mode, pwd, **kwargs)

    def _refuse_directory_entries(self) -> None:
        limits, infos = self.limits, self.infolist()
        if len(infos) > limits.max_parts:
            raise UnreadableWorkbook(too_many_parts_message(len(infos), limits))
        for info in infos:
            if info.flag_bits & 0x1:
                raise UnreadableWorkbook(
                    _("The Excel file is protected with a password: remove the password and upload it again.")
                )
            if info.compress_type not in _METHODS:
                raise UnreadableWorkbook(broken_message(_("a part is packed in a way Excel does not use")))
            if info.file_size > limits.max_part_bytes:
                raise UnreadableWorkbook(part_too_large_message(info.filename, limits.max_part_bytes))
            if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise UnreadableWorkbook(
                    _(
                        "The part %(part)s of the Excel file is packed %(ratio)s times over (at most %(limit)s "
                        "times for a file of this kind): it is not an ordinary Excel file."
                    )
                    % {
                        "part": info.filename,
                        "ratio": f"{info.file_size // max(info.compress_size, 1):,}",
                        "limit": limits.max_ratio,
                    }
                )
        unpacked = sum(info.file_size for info in infos)
        if unpacked > limits.max_unpacked_bytes:
            raise UnreadableWorkbook(unpacked_too_large_message(limits))


def part_too_large_message(part: str, limit: int) -> str:
    return _(
        "The part %(part)s of the Excel file unpacks to more than %(limit)s, the most a file of this kind may hold."
    ) % {"part": part, "limit": filesizeformat(limit)}


def unpacked_too_large_message(limits: FileLimits) -> str:
    return _("The Excel file unpacks to more than %(limit)s in all, the most a file of this kind may hold.") % {
        "limit": filesizeformat(limits.max_unpacked_bytes)
    }


class _PartScan:
    """One part inflated chunk by chunk through expat: bytes and elements counted against the
    package's caps, DTDs and entities refused. Nothing of the part is kept."""

    def __init__(self, package: CheckedPackage, info: zipfile.ZipInfo):
        self.package, self.info, self.limits = package, info, package.limits
        self.root = ""
        self.in_rows = False
        self.row = self.column = 0
        self.bytes = 0
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._refuse_declaration
        self.parser.EntityDeclHandler = self._refuse_declaration
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end

    def run(self) -> None:
        try:
            with zipfile.ZipFile.open(self.package, self.info) as stream:
                while chunk := stream.read(_CHUNK):
                    self._count_bytes(len(chunk))
                    self.parser.Parse(chunk, False)
            self.parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise UnreadableWorkbook(
                broken_message(
                    _("the part %(part)s is not well-formed XML: %(error)s")
                    % {"part": self.info.filename, "error": expat.ErrorString(error.code)}
                )
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise UnreadableWorkbook(broken_message(f"{self.info.filename}: {error}")) from None

    def _count_bytes(self, size: int) -> None:
        self.bytes += size
        self.package.counts["bytes"] += size
        big = self.root in ("worksheet", "sst") or not self.root
        limit = self.limits.max_part_bytes if big else self.limits.max_small_part_bytes
        if self.bytes > limit:
            raise UnreadableWorkbook(part_too_large_message(self.info.filename, limit))
        if self.package.counts["bytes"] > self.limits.max_unpacked_bytes:
            raise UnreadableWorkbook(unpacked_too_large_message(self.limits))

    def _refuse_declaration(self, *_args) -> None:
        raise UnreadableWorkbook(
            _(
                "The part %(part)s of the Excel file declares a document type or an entity, which Excel never "
                "writes: the file is refused."
            )
            % {"part": self.info.filename}
        )

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if not self.root:
            self.root = local
        if self.root == "sst":
            self._count("string", self.limits.max_string_elements)
        elif self.in_rows and local in _CELL_ELEMENTS:
            self._count("cell", self.limits.max_cell_elements)
            self._place(local, attributes)
        else:
            self.in_rows = self.in_rows or (self.root == "worksheet" and local == "sheetData")
            self._count("other", self.limits.max_other_elements)

    def _place(self, local: str, attributes: dict[str, str]) -> None:
        """Follow the row and column as openpyxl numbers them (its `r` attribute, else the next one):
        a row past max_rows, or a value in a column past max_columns, is refused here already."""
        if local == "row":
            self.row = _number(attributes.get("r"), self.row + 1)
            self.column = 0
            if self.row > self.limits.max_rows:
                raise UnreadableWorkbook(too_many_rows_message(self.limits, self.row))
        elif local == "c":
            self.column = _column(attributes.get("r"), self.column + 1)
        elif local in ("v", "is") and self.column > self.limits.max_columns:
            raise UnreadableWorkbook(too_many_columns_message(self.row, self.limits))

    def _end(self, name: str) -> None:
        if self.in_rows and name.rpartition(":")[2] == "sheetData":
            self.in_rows = False

    def _count(self, category: str, limit: int) -> None:
        counts = self.package.counts
        counts[category] += 1
        if counts[category] > limit:
            raise UnreadableWorkbook(
                _(
                    "The Excel file holds more than %(limit)s %(what)s (in %(part)s), more than a file of this "
                    "kind ever holds: paste only the values of your rows into a new workbook and upload that."
                )
                % {"limit": f"{limit:,}", "what": _category_words()[category], "part": self.info.filename}
            )


def _number(text: str | None, default: int) -> int:
    return int(text) if text and text.isascii() and text.isdigit() else default


def _column(reference: str | None, default: int) -> int:
    """The column of a cell reference such as 「BM12」 (65), else `default`."""
    letters = (reference or "").rstrip("0123456789")
    try:
        return column_index_from_string(letters) if letters else default
    except ValueError:
        return default


def too_many_rows_message(limits: FileLimits, row: int | None = None) -> str:
    return _(
        "The file goes on past row %(limit)s, the last row a file of this kind may have: reading stopped "
        "at row %(row)s. Delete the rows below your data (also empty rows that hold formatting) and upload "
        "it again."
    ) % {"limit": f"{limits.max_rows:,}", "row": f"{row or limits.max_rows + 1:,}"}


def too_many_columns_message(row: int, limits: FileLimits) -> str:
    return _(
        "Row %(row)s has a value past column %(limit)s, the last column a file of this kind may have: "
        "reading stopped there. Delete the columns right of your data and upload it again."
    ) % {"row": f"{row:,}", "limit": f"{limits.max_columns:,}"}


def _category_words() -> dict[str, str]:
    return {
        "cell": _("cells and rows"),
        "string": _("pieces of text (shared strings)"),
        "other": _("styles and other items"),
    }
