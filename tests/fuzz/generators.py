"""Broken ledger files for fuzzing the importers.

Every generator is a pure function of a base file and a `random.Random`, so a
case is reproduced from (format, base index, mutation, seed) alone: the
pytest suite draws those with hypothesis (st.randoms, derandomized), and
scripts/fuzz_importers.py with a plain seeded Random.

Bases are the sample ledgers in fixtures/ledgers plus documents built here
with python-docx/openpyxl (random cell text, control characters, huge
strings) and two-page slices of the sample PDF (a full PDF parse takes
seconds; a slice keeps every PDF structure but parses in a fraction).
"""

from __future__ import annotations

import functools
import io
import random
import re
import string
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "ledgers"
FORMATS = ("docx", "xlsx", "pdf")


@dataclass(frozen=True)
class Case:
    fmt: str  # the base file's format
    mutation: str  # generator name
    base: str  # base file label
    name: str  # file name handed to the importer (original_name)
    data: bytes

    @property
    def label(self) -> str:
        return f"{self.fmt}:{self.mutation}"


# --- base files -----------------------------------------------------------------------------------


@functools.cache
def sample_files(fmt: str) -> tuple[tuple[str, bytes], ...]:
    return tuple((p.name, p.read_bytes()) for p in sorted(SAMPLES.glob(f"*.{fmt}")))


@functools.cache
def pdf_slices() -> tuple[tuple[str, bytes], ...]:
    """Two-page excerpts of each sample PDF (first, middle and last pages)."""
    import pypdfium2

    out = []
    for name, data in sample_files("pdf"):
        source = pypdfium2.PdfDocument(data)
        try:
            count = len(source)
            starts = sorted({0, max(count // 2 - 1, 0), max(count - 2, 0)})
            for start in starts:
                pages = [i for i in (start, start + 1) if i < count]
                excerpt = pypdfium2.PdfDocument.new()
                try:
                    excerpt.import_pages(source, pages)
                    buffer = io.BytesIO()
                    excerpt.save(buffer)
                finally:
                    excerpt.close()
                out.append((f"{Path(name).stem}-p{start + 1}.pdf", buffer.getvalue()))
        finally:
            source.close()
    return tuple(out)


def base_files(fmt: str) -> tuple[tuple[str, bytes], ...]:
    """The valid files a mutation starts from: (file name, bytes)."""
    if fmt == "pdf":
        return pdf_slices()
    return sample_files(fmt)


# --- random text ----------------------------------------------------------------------------------

CJK = "台账民生实事政府工作报告区住建局镇街推进完成情况存在问题下步打算目标任务项目内容责任单位牵头配合共项"
CONTROL = "".join(chr(c) for c in range(0, 32)) + "\x7f\u200b\u200e\u202e\ufeff\u2028\u3000"
HEADERS = ["序号", "目标任务", "项目内容", "责任单位", "进展情况", "存在问题", "下步打算", "年度奋斗目标", "工作目标"]
TRICKY = [
    "",
    " ",
    "\n\n\n",
    "共0项",
    "一、主要经济指标（共999999999999项）",
    "2024年6月",
    "2024年13月",
    "0000年0月",
    '=HYPERLINK("http://x","y")',
    "<script>alert(1)</script>",
    "&lt;b&gt;&#0;&#xD800;&amp;",
    "%s%n%x{0}{{}}",
    "\\x00\\u0000",
    "区住建局、区住建局、区住建局",
    "1.1.1.1.1.1.1.1",
    "-1",
    "1e309",
    "NaN",
    "𠀀𠀁𠀂",  # astral-plane CJK
    "\ud7ff\ue000\uffff",
]


def random_text(rng: random.Random, *, max_len: int = 200) -> str:
    choice = rng.random()
    if choice < 0.25:
        return rng.choice(TRICKY)
    if choice < 0.3:
        # A huge cell: one paste of a whole report into one box.
        return rng.choice(CJK) * rng.randint(10_000, 300_000)
    alphabet = rng.choice([CJK, CJK + string.digits + "，。；、（）", CONTROL + CJK, string.printable, CJK + CONTROL])
    length = rng.randint(0, max_len)
    return "".join(rng.choice(alphabet) for _ in range(length))


def _xml_safe(text: str) -> str:
    # python-docx/openpyxl refuse XML-illegal characters outright; the raw
    # ones are injected at the XML level by the mutations below instead.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)


# --- built documents ------------------------------------------------------------------------------


def build_docx(rng: random.Random) -> bytes:
    """A ledger-like Word document with random cells, headings and shapes."""
    from docx import Document

    document = Document()
    if rng.random() < 0.8:
        document.add_paragraph(_xml_safe(rng.choice(["2024年6月民生实事工作进展情况台账", random_text(rng)])))
    for _ in range(rng.randint(0, 3)):
        if rng.random() < 0.6:
            document.add_paragraph(_xml_safe(rng.choice([*TRICKY[3:6], random_text(rng, max_len=40)])))
        cols = rng.choice([1, 2, 3, 7, 9, rng.randint(1, 60)])
        rows = rng.choice([0, 1, 2, 5, rng.randint(1, 80)])
        table = document.add_table(rows=rows + 1, cols=cols)
        header = rng.sample(HEADERS, k=min(cols, len(HEADERS))) + [random_text(rng, max_len=8)] * max(cols - 9, 0)
        for cell, text in zip(table.rows[0].cells, header, strict=False):
            cell.text = _xml_safe(text)
        for r in range(1, rows + 1):
            for c, cell in enumerate(table.rows[r].cells):
                cell.text = _xml_safe(str(r) if c == 0 and rng.random() < 0.7 else random_text(rng))
        if rows >= 2 and cols >= 2 and rng.random() < 0.4:
            # Merged cells as real ledgers have them (a task over its sub-items).
            a = rng.randint(1, rows)
            b = rng.randint(1, rows)
            table.cell(min(a, b), rng.randrange(cols)).merge(table.cell(max(a, b), rng.randrange(cols)))
        if rows >= 1 and rng.random() < 0.15:
            nested = table.cell(1, 0).add_table(rows=2, cols=2)
            nested.cell(0, 0).text = "嵌套表格"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def build_xlsx(rng: random.Random) -> bytes:
    """A ledger-like workbook with random cells, types, merges and sheets."""
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    for index in range(rng.choice([1, 1, 2, 5])):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = _xml_safe(random_text(rng, max_len=20))[:31].translate(str.maketrans("", "", "[]:*?/\\")) or (
            f"S{index}"
        )
        row = 1
        if rng.random() < 0.8:
            sheet.cell(row, 1, "2024年第二季度政府工作报告重点任务推进情况台账")
            row += 1
        cols = rng.choice([1, 3, 7, 9, rng.randint(1, 200)])
        for c, text in enumerate(rng.sample(HEADERS, k=min(cols, len(HEADERS))), start=1):
            sheet.cell(row, c, text)
        for r in range(row + 1, row + 1 + rng.choice([0, 1, 5, rng.randint(1, 300)])):
            for c in range(1, min(cols, 12) + 1):
                kind = rng.random()
                if kind < 0.6:
                    value = _xml_safe(random_text(rng))[:32767]
                elif kind < 0.7:
                    value = rng.choice([0, -1, 2**63, 1e308, float("inf") if rng.random() < 0.1 else 3.5])
                elif kind < 0.8:
                    value = dt.datetime(rng.randint(1900, 2100), rng.randint(1, 12), rng.randint(1, 28))
                elif kind < 0.9:
                    value = rng.choice(["=1/0", "=A1", "=SUM(A1:A9)", '=HYPERLINK("http://x")', True, None])
                else:
                    value = r - row
                try:
                    sheet.cell(r, c, value)
                except (ValueError, TypeError):
                    sheet.cell(r, c, str(value))
        if rng.random() < 0.3:
            a, b = sorted(rng.randint(1, 40) for _ in range(2))
            sheet.merge_cells(start_row=a, start_column=1, end_row=b, end_column=rng.randint(1, 5))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- byte mutations (every format) ----------------------------------------------------------------


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randint(0, max(len(data) - 1, 0))]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 2, 8, 64, 512])):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def splice_garbage(data: bytes, rng: random.Random) -> bytes:
    at = rng.randint(0, len(data))
    end = min(len(data), at + rng.choice([0, 1, 16, 4096]))
    return data[:at] + rng.randbytes(rng.choice([1, 7, 100, 10_000])) + data[end:]


def zero_range(data: bytes, rng: random.Random) -> bytes:
    at = rng.randint(0, max(len(data) - 1, 0))
    length = rng.choice([4, 64, 1024, len(data)])
    return data[:at] + b"\0" * min(length, len(data) - at) + data[at + length :]


def header_only(data: bytes, rng: random.Random) -> bytes:
    """The right magic bytes and nothing else (a transfer that stopped)."""
    return data[: rng.choice([2, 4, 5, 8, 30, 512])]


BYTE_MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": truncate,
    "flip_bytes": flip_bytes,
    "splice_garbage": splice_garbage,
    "zero_range": zero_range,
    "header_only": header_only,
}


# --- zip (docx/xlsx) mutations --------------------------------------------------------------------


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _zip(members: list[tuple[str, bytes]], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, content in members:
            zf.writestr(name, content)
    return buffer.getvalue()


def _main_part(names: list[str]) -> str:
    for name in ("word/document.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/workbook.xml"):
        if name in names:
            return name
    return names[0]


def _pick_xml(members, rng: random.Random) -> int:
    names = [info.filename for info, _ in members]
    xml = [i for i, n in enumerate(names) if n.endswith((".xml", ".rels"))]
    if rng.random() < 0.6:
        return names.index(_main_part(names))
    return rng.choice(xml or list(range(len(names))))


def remove_member(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    names = [info.filename for info, _ in members]
    victim = _main_part(names) if rng.random() < 0.3 else rng.choice(names)
    return _zip([(info.filename, content) for info, content in members if info.filename != victim])


def rename_member(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    target = rng.randrange(len(members))
    new_name = rng.choice(["word/Document.xml", "xl/workbook.xml.bak", "../../evil.xml", "/abs.xml", "a" * 300, "x\\y"])
    return _zip([(new_name if i == target else info.filename, c) for i, (info, c) in enumerate(members)])


def duplicate_member(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    info, _content = members[_pick_xml(members, rng)]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" is the point
        return _zip([(i.filename, c) for i, c in members] + [(info.filename, rng.randbytes(50))])


@functools.cache
def _bomb_payload(megabytes: int) -> bytes:
    """A deflated member of `megabytes` MB of one repeated XML-ish byte pattern."""
    compressor = __import__("zlib").compressobj(9, 8, -15)
    chunk = b"<w:t>" + b"A" * (1024 * 1024 - 11) + b"</w:t>"
    parts = [compressor.compress(chunk) for _ in range(megabytes)]
    parts.append(compressor.flush())
    return b"".join(parts)


def _raw_zip_member(name: str, *, deflated: bytes, size: int, crc: int, declared_size: int | None = None) -> bytes:
    """A one-member zip written by hand, so its sizes can lie."""
    declared = size if declared_size is None else declared_size
    name_bytes = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(deflated), declared, len(name_bytes), 0)
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        20,
        20,
        0,
        8,
        0,
        0,
        crc,
        len(deflated),
        declared,
        len(name_bytes),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    body = local + name_bytes + deflated
    directory = central + name_bytes
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end


def zip_bomb(data: bytes, rng: random.Random) -> bytes:
    """The main part replaced by a member that inflates to hundreds of MB."""
    megabytes = rng.choice([64, 210, 300])
    if rng.random() < 0.5:
        # Honest sizes in the directory: must be refused by size or ratio.
        return _honest_bomb(data, megabytes)
    # Lying sizes: the directory says 1 KB, the stream inflates to far more.
    main = _main_part([info.filename for info, _ in _members(data)])
    payload = _bomb_payload(megabytes)
    return _raw_zip_member(
        main, deflated=payload, size=megabytes * 1024 * 1024, crc=_crc_of_bomb(megabytes), declared_size=1024
    )


@functools.cache
def _honest_bomb(data: bytes, megabytes: int) -> bytes:
    members = _members(data)
    main = _main_part([info.filename for info, _ in members])
    chunk = b"<w:t>" + b"A" * (1024 * 1024 - 11) + b"</w:t>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info, content in members:
            if info.filename == main:
                with zf.open(main, "w") as out:
                    for _ in range(megabytes):
                        out.write(chunk)
            else:
                zf.writestr(info.filename, content)
    return buffer.getvalue()


@functools.cache
def _crc_of_bomb(megabytes: int) -> int:
    import zlib

    crc = 0
    chunk = b"<w:t>" + b"A" * (1024 * 1024 - 11) + b"</w:t>"
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    return crc


def many_members(data: bytes, rng: random.Random) -> bytes:
    """Thousands of tiny members (a directory-entry bomb)."""
    members = [(i.filename, c) for i, c in _members(data)]
    extra = [(f"fuzz/item{n}.xml", b"<a/>") for n in range(rng.choice([1000, 20000]))]
    return _zip(members + extra, compression=zipfile.ZIP_STORED)


def _replace_xml(data: bytes, rng: random.Random, change: Callable[[bytes, random.Random], bytes]) -> bytes:
    members = _members(data)
    target = _pick_xml(members, rng)
    return _zip([(info.filename, change(c, rng) if i == target else c) for i, (info, c) in enumerate(members)])


def _malform(xml: bytes, rng: random.Random) -> bytes:
    how = rng.randrange(8)
    if how == 0:
        return xml[: rng.randint(0, len(xml))]  # cut mid-element
    if how == 1:
        return xml.replace(b">", b"", 1 + rng.randrange(5))  # broken tags
    if how == 2:
        positions = [m.start() for m in re.finditer(rb"</", xml)]
        if positions:
            at = rng.choice(positions)
            return xml[:at] + b"</wrong>" + xml[at:]  # mismatched end tag
        return xml + b"</extra>"
    if how == 3:
        return xml.replace(b"UTF-8", rng.choice([b"UTF-16", b"GBK", b"bogus-enc"]), 1)
    if how == 4:
        bad = bytes([rng.choice([0, 1, 0x0B, 0x1F, 0xFF, 0xFE, 0xC3])])
        at = rng.randint(0, len(xml))
        return xml[:at] + bad * rng.randint(1, 20) + xml[at:]  # illegal characters
    if how == 5:
        return b"<?xml version='1.0'?><root>" + b"<a>" * 200_000 + b"</root>"  # very deep nesting
    if how == 6:
        texts = list(re.finditer(rb"<(w:t|t)(?: [^>]*)?>([^<]*)<", xml))
        if texts:
            match = rng.choice(texts)
            junk = "".join(rng.choice(CONTROL + CJK) for _ in range(rng.randint(1, 50))).encode("utf-8", "replace")
            return xml[: match.start(2)] + junk + xml[match.end(2) :]  # raw control chars in text
        return xml
    return rng.randbytes(len(xml) // 2 + 1)  # not XML at all


def malformed_xml(data: bytes, rng: random.Random) -> bytes:
    return _replace_xml(data, rng, _malform)


def _with_doctype(xml: bytes, doctype: bytes, reference: bytes) -> bytes:
    body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
    # Put the entity reference inside the first text node.
    body = re.sub(rb"(<(?:w:t|t)(?: [^>]*)?>)", rb"\1" + reference, body, count=1)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + doctype + body


def _root_name(xml: bytes) -> bytes:
    match = re.search(rb"<([A-Za-z_][\w:.-]*)[\s>]", re.sub(rb"<\?[^>]*\?>", b"", xml))
    return match.group(1) if match else b"root"


def entity_bomb(data: bytes, rng: random.Random) -> bytes:
    """Billion laughs in the main part."""

    def change(xml: bytes, _rng: random.Random) -> bytes:
        root = _root_name(xml)
        levels = [b'<!ENTITY l0 "lollollollollollollollollollol">']
        for n in range(1, 10):
            levels.append(b'<!ENTITY l%d "' % n + b"&l%d;" % (n - 1) * 10 + b'">')
        return _with_doctype(xml, b"<!DOCTYPE " + root + b" [" + b"".join(levels) + b"]>\n", b"&l9;")

    members = _members(data)
    main = _main_part([i.filename for i, _ in members])
    return _zip([(i.filename, change(c, rng) if i.filename == main else c) for i, c in members])


def external_entity(data: bytes, rng: random.Random) -> bytes:
    """XXE: an entity that would read /etc/passwd into a cell if resolved."""

    def change(xml: bytes, _rng: random.Random) -> bytes:
        root = _root_name(xml)
        target = rng.choice([b"file:///etc/passwd", b"http://127.0.0.1:9/x", b"file:///dev/zero"])
        doctype = b"<!DOCTYPE " + root + b' [<!ENTITY xxe SYSTEM "' + target + b'">]>\n'
        return _with_doctype(xml, doctype, b"&xxe;")

    members = _members(data)
    main = _main_part([i.filename for i, _ in members])
    return _zip([(i.filename, change(c, rng) if i.filename == main else c) for i, c in members])


def random_cells(data: bytes, rng: random.Random) -> bytes:
    """Replace the text of random cells of the sample with random/huge/control text, at XML level."""

    # Mostly well-formed XML, so the parser's own logic meets odd text; now
    # and then a file with raw control characters (illegal in XML) as well.
    raw_controls = rng.random() < 0.15

    def change(xml: bytes, _rng: random.Random) -> bytes:
        def swap(match: re.Match) -> bytes:
            if rng.random() > 0.3:
                return match.group(0)
            text = random_text(rng)
            if not raw_controls:
                text = _xml_safe(text)
            # Escape markup; what is left raw is on purpose.
            escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            return match.group(1) + escaped.encode("utf-8", "surrogatepass") + b"<"

        return re.sub(rb"(<(?:w:t|t)(?: [^>]*)?>)[^<]*<", swap, xml)

    members = _members(data)
    main = _main_part([i.filename for i, _ in members])
    return _zip([(i.filename, change(c, rng) if i.filename == main else c) for i, c in members])


ZIP_MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "remove_member": remove_member,
    "rename_member": rename_member,
    "duplicate_member": duplicate_member,
    "zip_bomb": zip_bomb,
    "many_members": many_members,
    "malformed_xml": malformed_xml,
    "entity_bomb": entity_bomb,
    "external_entity": external_entity,
    "random_cells": random_cells,
}


# --- PDF mutations --------------------------------------------------------------------------------

_OBJ = re.compile(rb"\d+ 0 obj\b.*?endobj", re.S)


def corrupt_object(data: bytes, rng: random.Random) -> bytes:
    objects = [m.span() for m in _OBJ.finditer(data[:2_000_000])]
    if not objects:
        return flip_bytes(data, rng)
    start, end = rng.choice(objects)
    body = data[start:end]
    how = rng.randrange(5)
    if how == 0:
        body = body[: rng.randint(0, len(body))]
    elif how == 1:
        body = re.sub(rb"/Length \d+", b"/Length " + str(rng.choice([0, 1, 10**12, -5])).encode(), body, count=1)
    elif how == 2:
        body = body.replace(b"/FlateDecode", rng.choice([b"/BogusDecode", b"/LZWDecode", b"/DCTDecode"]), 1)
    elif how == 3:
        body = re.sub(rb"\d+ 0 R", lambda _m: str(rng.randint(0, 99999)).encode() + b" 0 R", body)
    else:
        body = body.replace(b"endstream", b"", 1)
    return data[:start] + body + data[end:]


def break_xref(data: bytes, rng: random.Random) -> bytes:
    how = rng.randrange(4)
    if how == 0:
        return re.sub(rb"startxref\s+\d+", b"startxref\n" + str(rng.randint(0, 10**9)).encode(), data)
    if how == 1:
        return re.sub(rb"\d{10} \d{5} n", lambda _m: b"%010d 00000 n" % rng.randint(0, len(data) * 2), data)
    if how == 2:
        return data.replace(b"trailer", b"trailor")
    cut = data.rfind(b"%%EOF")
    return data[:cut] if cut > 0 else data


def page_tree_loop(data: bytes, rng: random.Random) -> bytes:
    """Make a /Kids array point at its own /Pages node (infinite recursion bait)."""
    match = re.search(rb"(\d+) 0 obj\s*<<(?:(?!endobj).)*?/Type\s*/Pages(?:(?!endobj).)*?/Kids\s*\[", data, re.S)
    if not match:
        return corrupt_object(data, rng)
    return data[: match.end()] + match.group(1) + b" 0 R " + data[match.end() :]


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([1000, 100_000])
    opener, closer = rng.choice([(b"[", b"]"), (b"<<", b">>")])
    objects = list(_OBJ.finditer(data[:2_000_000]))
    at = rng.choice(objects).start() if objects else len(data) // 2
    nested = b"999 0 obj\n" + opener * depth + closer * depth + b"\nendobj\n"
    return data[:at] + nested + data[at:]


def encrypted_marker(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b"trailer\n<<", b"trailer\n<</Encrypt 1 0 R ", 1).replace(
        b"/Root", b"/Encrypt << /Filter /Standard /V 9 /R 9 >> /Root", 1
    )


PDF_MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "corrupt_object": corrupt_object,
    "break_xref": break_xref,
    "page_tree_loop": page_tree_loop,
    "deep_nesting": deep_nesting,
    "encrypted_marker": encrypted_marker,
}


def mutations_for(fmt: str) -> tuple[str, ...]:
    specific = PDF_MUTATIONS if fmt == "pdf" else ZIP_MUTATIONS
    built = () if fmt == "pdf" else ("built", "built+random_cells", "built+malformed_xml")
    return (*BYTE_MUTATIONS, *specific, *built)


def make_case(*, fmt: str, base_index: int, mutation: str, rng: random.Random) -> Case:
    """One broken file: `mutation` applied to base file `base_index` of `fmt`."""
    if mutation.startswith("built"):
        data = build_docx(rng) if fmt == "docx" else build_xlsx(rng)
        base = f"built-{fmt}"
        name = rng.choice(["2024年6月台账", "ledger-2024-06", "台账"]) + f".{fmt}"
        _, _, then = mutation.partition("+")
        if then:
            data = ZIP_MUTATIONS[then](data, rng)
    else:
        bases = base_files(fmt)
        base, data = bases[base_index % len(bases)]
        name = base
        apply = BYTE_MUTATIONS.get(mutation) or (PDF_MUTATIONS if fmt == "pdf" else ZIP_MUTATIONS)[mutation]
        data = apply(data, rng)
    if rng.random() < 0.05:
        # Now and then a file whose name lies about its type.
        name = Path(name).stem + rng.choice([".docx", ".xlsx", ".pdf", ".txt", ""])
    return Case(fmt=fmt, mutation=mutation, base=base, name=name, data=data)


def case_from_seed(seed: int) -> Case:
    """Case number `seed` of the `make fuzz` run: formats and mutations in rotation."""
    rng = random.Random(seed)
    fmt = FORMATS[seed % len(FORMATS)]
    names = mutations_for(fmt)
    mutation = names[(seed // len(FORMATS)) % len(names)]
    return make_case(fmt=fmt, base_index=rng.randrange(1000), mutation=mutation, rng=rng)
