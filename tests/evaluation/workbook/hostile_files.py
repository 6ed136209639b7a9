"""Hostile files, made by the tests themselves (nothing of them is checked in): the files an attacker
with a department account, or a careless import, sends to take the service down. Each is small on
the wire; what it would cost a naive reader is said next to it."""

from __future__ import annotations

import functools
import io
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
MIB = 1024 * 1024


# --- a minimal XLSX package, written part by part ----------------------------------------------------


def xlsx(
    sheet: bytes | Iterable[bytes],
    *,
    shared_strings: bytes | Iterable[bytes] | None = None,
    styles: bytes | None = None,
    extra_parts: Iterable[tuple[str, bytes]] = (),
) -> bytes:
    """An XLSX package with one sheet; a part given as an iterable of chunks is compressed as a
    stream, so a part of hundreds of megabytes never exists whole in the test's memory."""
    overrides = [("/xl/workbook.xml", f"{TYPE}.sheet.main+xml"), ("/xl/worksheets/sheet1.xml", f"{TYPE}.worksheet+xml")]
    relations = [("worksheet", "worksheets/sheet1.xml")]
    if shared_strings is not None:
        overrides.append(("/xl/sharedStrings.xml", f"{TYPE}.sharedStrings+xml"))
        relations.append(("sharedStrings", "sharedStrings.xml"))
    if styles is not None:
        overrides.append(("/xl/styles.xml", f"{TYPE}.styles+xml"))
        relations.append(("styles", "styles.xml"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _content_types(overrides))
        package.writestr("_rels/.rels", _relations([("officeDocument", "xl/workbook.xml")], PACKAGE_RELATIONS))
        package.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONS}"><sheets>'
            '<sheet name="入力シート" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        package.writestr("xl/_rels/workbook.xml.rels", _relations(relations, PACKAGE_RELATIONS))
        _write_part(package, "xl/worksheets/sheet1.xml", sheet)
        if shared_strings is not None:
            _write_part(package, "xl/sharedStrings.xml", shared_strings)
        if styles is not None:
            package.writestr("xl/styles.xml", styles)
        for name, content in extra_parts:
            package.writestr(name, content)
    return buffer.getvalue()


def _write_part(package: zipfile.ZipFile, name: str, content: bytes | Iterable[bytes]) -> None:
    if isinstance(content, bytes):
        package.writestr(name, content)
        return
    with package.open(name, "w", force_zip64=True) as part:
        for chunk in content:
            part.write(chunk)


def _content_types(overrides: list[tuple[str, str]]) -> str:
    return (
        f'<Types xmlns="{CONTENT_TYPES}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides)
        + "</Types>"
    )


def _relations(targets: list[tuple[str, str]], namespace: str) -> str:
    return (
        f'<Relationships xmlns="{namespace}">'
        + "".join(
            f'<Relationship Id="rId{index}" Type="{RELATIONS}/{kind}" Target="{target}"/>'
            for index, (kind, target) in enumerate(targets, start=1)
        )
        + "</Relationships>"
    )


def sheet_xml(rows: Iterable[Iterable[str]], *, dimension: str | None = None, tail: bytes = b"") -> bytes:
    """A worksheet of inline strings; `tail` is written after the rows (a far-away cell, say)."""
    return b"".join(sheet_chunks(rows, dimension=dimension, tail=tail))


def sheet_chunks(rows: Iterable[Iterable[str]], *, dimension: str | None = None, tail: bytes = b"") -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'.encode()
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"
    for number, cells in enumerate(rows, start=1):
        yield (
            f'<row r="{number}">'
            + "".join(f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>' for value in cells)
            + "</row>"
        ).encode()
    yield tail
    yield b"</sheetData></worksheet>"


# --- the hostile files ----------------------------------------------------------------------------


def declared_dimension_xlsx(header: list[str], row: list[str], *, far_cell: bool = False) -> bytes:
    """A sheet of two rows that declares A1:XFD1048576 (16,384 columns × 1,048,576 rows): a reader
    that trusts the declaration builds 17 billion cells. With `far_cell`, the sheet really holds a
    value in XFD1048576, the last cell Excel has."""
    tail = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' if far_cell else b""
    return xlsx(sheet_xml([header, row], dimension="A1:XFD1048576", tail=tail))


def zip_bomb_xlsx(header: list[str], *, unpacked_bytes: int = 200 * MIB) -> bytes:
    """A sheet whose XML inflates to `unpacked_bytes` of blank rows from a file about 1/1000 that size."""

    def chunks():
        yield from sheet_chunks([header], tail=b"")
        filler = b"<row/>" * (MIB // 6)
        for _ in range(unpacked_bytes // len(filler)):
            yield filler

    return xlsx(chunks())


def lying_directory_xlsx(header: list[str], *, unpacked_bytes: int = 100 * MIB) -> bytes:
    """A zip bomb whose central directory says its sheet inflates to 2 KB: a reader that trusts the
    directory's sizes (and caps on them) would inflate it all."""
    data = zip_bomb_xlsx(header, unpacked_bytes=unpacked_bytes)
    return _declare_size(data, "xl/worksheets/sheet1.xml", 2048)


def _declare_size(data: bytes, name: str, size: int) -> bytes:
    """The package with the central directory's inflated size of `name` replaced by `size`."""
    data = bytearray(data)
    end = data.rfind(b"PK\x05\x06")
    entries, _size, at = struct.unpack_from("<HLL", data, end + 10)
    for _entry in range(entries):
        name_length, extra_length, comment_length = struct.unpack_from("<3H", data, at + 28)
        if bytes(data[at + 46 : at + 46 + name_length]) == name.encode():
            struct.pack_into("<L", data, at + 24, size)
            return bytes(data)
        at += 46 + name_length + extra_length + comment_length
    raise ValueError(name)


def many_parts_xlsx(header: list[str], parts: int = 5_000) -> bytes:
    """An otherwise ordinary sheet with thousands of empty parts: a reader that lists the zip's
    directory holds an object per part."""
    return xlsx(sheet_xml([header]), extra_parts=((f"xl/media/filler{index}.xml", b"") for index in range(parts)))


def shared_strings_bomb_xlsx(header: list[str], strings: int = 300_000) -> bytes:
    """Hundreds of thousands of tiny shared strings in a file of under a megabyte: openpyxl spends
    tens of microseconds on each one, before any row is read."""

    def chunks():
        yield f'<sst xmlns="{MAIN}">'.encode()
        for start in range(0, strings, 10_000):
            yield b"".join(b"<si><t>%d</t></si>" % index for index in range(start, min(start + 10_000, strings)))
        yield b"</sst>"

    return xlsx(sheet_xml([header]), shared_strings=chunks())


def styles_bomb_xlsx(header: list[str], styles: int = 15_000) -> bytes:
    """A stylesheet of 15,000 cell formats (under a megabyte, so no ratio gives it away) in a file of
    20 KB: openpyxl builds an object for each, and a hundred thousand of them take seconds."""
    formats = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * styles
    stylesheet = (
        f'<styleSheet xmlns="{MAIN}"><cellXfs count="{styles}">'.encode() + formats + b"</cellXfs></styleSheet>"
    )
    return xlsx(sheet_xml([header]), styles=stylesheet)


def entity_expansion_xlsx(header: list[str]) -> bytes:
    """The billion laughs: ten levels of entities each ten times the last, in the sheet's XML."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    )
    sheet = (
        sheet_xml([header])
        .replace(b"<worksheet", f"<!DOCTYPE worksheet [{entities}]><worksheet".encode(), 1)
        .replace(b"</sheetData>", b'<row r="2"><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>')
    )
    return xlsx(sheet)


def blank_lines_csv(size: int) -> bytes:
    """A CSV of nothing but line ends: millions of rows in a few megabytes."""
    return b"\r\n" * (size // 2)


def giant_header_csv(size: int = 689 * 1024) -> bytes:
    """One header line of hundreds of thousands of columns, each named alike: checked for duplicate
    names by counting each name in the whole line, it takes minutes."""
    return b"a," * (size // 2) + b"\r\n"


def giant_cell_csv(size: int = 689 * 1024) -> bytes:
    """One header cell of hundreds of kilobytes."""
    return b"a" * size + b"\r\n"


def far_column_xlsx(header: list[str]) -> bytes:
    """A value in XFD2, the last column Excel has."""
    return xlsx(sheet_xml([header], tail=b'<row r="2"><c r="XFD2"><v>1</v></c></row>'))


def old_excel_file() -> bytes:
    """What an .xls or a password-protected .xlsx starts with (an OLE compound file), renamed .xlsx."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096


def nul_csv(header: list[str]) -> bytes:
    """A NUL character in the second row's second cell."""
    return (",".join(header) + "\r\n" + "x,a\x00b\r\n").encode()


def largest_csv(header: list[str], *, rows: int, columns: int, size: int) -> bytes:
    """The largest CSV the caps let through: `rows` rows of `columns` cells of Japanese text, as near
    `size` bytes as it goes, under the given header (padded to `columns` names). Every row is wrong."""
    names = [*header, *(f"列{number}" for number in range(columns - len(header)))]
    first = (",".join(names) + "\r\n").encode()
    characters = max(1, ((size - len(first)) // (rows - 1) // columns - 3) // 3)
    line = (",".join("あ" * characters + str(number % 10) for number in range(columns)) + "\r\n").encode()
    return first + line * (rows - 1)


@dataclass(frozen=True)
class Hostile:
    """A hostile file: how to make it for a kind of file (its header, its size cap), its name, and
    the words of its refusal (English)."""

    id: str
    make: Callable[[tuple[str, ...], int], bytes]
    filename: str
    refusal: str

    def content(self, header: Iterable[str], max_bytes: int) -> bytes:
        return _content(self, tuple(header), max_bytes)

    @property
    def is_xlsx(self) -> bool:
        return self.filename.endswith(".xlsx")


@functools.cache
def _content(hostile: Hostile, header: tuple[str, ...], max_bytes: int) -> bytes:
    return hostile.make(header, max_bytes)


HOSTILE_FILES = [
    Hostile(
        "dimension A1:XFD1048576 and a value there",
        lambda header, _: declared_dimension_xlsx(list(header), list(header), far_cell=True),
        "sheet.xlsx",
        "reading stopped at row 1,048,576",
    ),
    Hostile("zip bomb of 200 MB", lambda header, _: zip_bomb_xlsx(list(header)), "sheet.xlsx", "unpacks to more than"),
    Hostile(
        "zip directory lying about a size",
        lambda header, _: lying_directory_xlsx(list(header)),
        "sheet.xlsx",
        "Bad CRC-32",
    ),
    Hostile("5,000 zip parts", lambda header, _: many_parts_xlsx(list(header)), "sheet.xlsx", "is made of 5,005 parts"),
    Hostile(
        "300,000 shared strings",
        lambda header, _: shared_strings_bomb_xlsx(list(header)),
        "sheet.xlsx",
        "pieces of text",
    ),
    Hostile("15,000 styles", lambda header, _: styles_bomb_xlsx(list(header)), "sheet.xlsx", "styles and other items"),
    Hostile(
        "billion laughs",
        lambda header, _: entity_expansion_xlsx(list(header)),
        "sheet.xlsx",
        "declares a document type",
    ),
    Hostile(
        "value in column XFD",
        lambda header, _: far_column_xlsx(list(header)),
        "sheet.xlsx",
        "Row 2 has a value past column",
    ),
    Hostile("old .xls or password", lambda *_: old_excel_file(), "sheet.xlsx", "protected with a password"),
    Hostile(
        "CSV of blank lines up to the size cap",
        lambda _, max_bytes: blank_lines_csv(max_bytes - 16),
        "sheet.csv",
        "reading stopped at row",
    ),
    Hostile("header line of 689 KB", lambda *_: giant_header_csv(), "sheet.csv", "Row 1 has a value past column"),
    Hostile("header cell of 689 KB", lambda *_: giant_cell_csv(), "sheet.csv", "Row 1 has a cell longer than"),
    Hostile("NUL byte", lambda header, _: nul_csv(list(header)), "sheet.csv", "NUL character"),
    Hostile(
        "one byte over the size cap",
        lambda _, max_bytes: b"x" * (max_bytes + 1),
        "sheet.csv",
        "a file of this kind may be at most",
    ),
]


# --- measuring what a path costs --------------------------------------------------------------------

MEMORY_BUDGET = 64 * MIB  # what a refused file may cost a process above what it held (docs/uploads.md)


@dataclass
class Cost:
    peak_bytes: int = 0
    seconds: float = 0.0

    def __str__(self):
        return f"{self.peak_bytes / MIB:.1f} MiB, {self.seconds:.3f} s"


@contextmanager
def measured() -> Iterator[Cost]:
    """The peak of memory allocated inside the block above what was allocated on entry (tracemalloc
    sees Python's allocators, which zlib and expat use too), and the time taken (printed, never asserted)."""
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    start = tracemalloc.get_traced_memory()[0]
    cost, began = Cost(), time.perf_counter()
    try:
        yield cost
    finally:
        cost.seconds = time.perf_counter() - began
        cost.peak_bytes = tracemalloc.get_traced_memory()[1] - start
        if not tracing:
            tracemalloc.stop()


class StreamedBody:
    """A request body read in slices, as a WSGI server hands it over: the test keeps no copy of it."""

    def __init__(self, pieces: Iterable[bytes]):
        self._pieces = iter(pieces)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._buffer += piece
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readline(self, size: int = -1) -> bytes:
        while b"\n" not in self._buffer and (size < 0 or len(self._buffer) < size):
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._buffer += piece
        end = self._buffer.find(b"\n") + 1 or len(self._buffer)
        end = end if size < 0 else min(end, size)
        data, self._buffer = self._buffer[:end], self._buffer[end:]
        return data


def post_file(
    client,
    url: str,
    fields: dict[str, str],
    file_field: str,
    filename: str,
    content: bytes | None = None,
    *,
    size: int | None = None,
    **extra,
):
    """POST a multipart form with one file, streamed: `content`, or `size` bytes of 「x」 made as sent."""
    boundary = "MezasuHostileBoundary"
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(content) if content is not None else size

    def body():
        yield head.encode()
        if content is not None:
            view = memoryview(content)
            for start in range(0, len(content), 64 * 1024):
                yield bytes(view[start : start + 64 * 1024])
        else:
            chunk = b"x" * (64 * 1024)
            for start in range(0, size, len(chunk)):
                yield chunk[: min(len(chunk), size - start)]
        yield tail

    return client.generic(
        "POST",
        url,
        **{
            "wsgi.input": StreamedBody(body()),
            "CONTENT_LENGTH": str(len(head.encode()) + length + len(tail)),
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
            **extra,
        },
    )
