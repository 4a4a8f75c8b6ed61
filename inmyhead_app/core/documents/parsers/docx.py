"""DOCX: paragraphs and tables in document order, text boxes, footnotes, endnotes, headers and footers.

Pages follow Word's own last rendering (``w:lastRenderedPageBreak``) when the file has it, else
hard page breaks, so search results can point at a page as they do for PDFs.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from lxml import etree

from inmyhead_app.core.documents.model import Page, ParsedDocument
from inmyhead_app.core.documents.parsers.common import Progress, clean_str, iso, require_text, useful_title
from inmyhead_app.core.errors import ErrorKind, IngestError

_P, _TBL, _TR, _TC, _SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
_T, _TAB, _BR, _CR, _NBH = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:noBreakHyphen")
_TXBX, _RENDERED_BREAK = qn("w:txbxContent"), qn("w:lastRenderedPageBreak")
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_PAGE_BREAK = object()  # yielded between blocks where a new page starts


def parse(path: Path, progress: Progress | None = None, deadline: float | None = None) -> ParsedDocument:
    try:
        document = docx.Document(str(path))
        body = document.element.body
        rendered = bool(body.xpath(".//w:lastRenderedPageBreak"))
        pages = _paginate(_blocks(body, rendered))
        extras = [*_notes(document), *_headers_and_footers(document)]
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError) as exc:
        raise IngestError(
            ErrorKind.CORRUPT, f"{path.name} is damaged and cannot be read as a Word document. Details: {exc}"
        ) from None
    if extras:
        pages[-1].text = "\n\n".join(t for t in (pages[-1].text, *extras) if t)
    doc = ParsedDocument(str(path), "docx", pages)
    _read_core_properties(document, doc)
    return require_text(doc, " (it may hold only images or drawings)")


def _paginate(blocks: Iterator[object]) -> list[Page]:
    pages: list[list[str]] = [[]]
    for block in blocks:
        if block is _PAGE_BREAK:
            pages.append([])
        elif isinstance(block, str) and block.strip():
            pages[-1].append(block)
    return [Page(number, "\n\n".join(texts)) for number, texts in enumerate(pages, start=1)]


def _blocks(container: etree._Element, paged: bool | None = None) -> Iterator[object]:
    """Block texts of a body, cell, note or header; page-break markers when ``paged`` says which kind."""
    for child in container.iterchildren():
        if child.tag == _P:
            yield from _paragraph(child, paged)
        elif child.tag == _TBL:
            yield _table(child)
        elif child.tag == _SDT:  # content controls wrap ordinary blocks
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, paged)


def _paragraph(p: etree._Element, paged: bool | None) -> Iterator[object]:
    parts: list[str] = []
    boxes: list[etree._Element] = []
    for node in p.iter():
        if node is not p and (node.tag == _TXBX or _inside(node, p, (_TXBX, _FALLBACK))):
            if node.tag == _TXBX and not _inside(node, p, (_FALLBACK,)):
                boxes.append(node)
            continue
        tag = node.tag
        if tag == _T and node.text:
            parts.append(node.text)
        elif tag == _TAB:
            parts.append("\t")
        elif tag == _CR or (tag == _BR and node.get(qn("w:type")) in (None, "textWrapping")):
            parts.append("\n")
        elif tag == _NBH:
            parts.append("-")
        elif paged is not None and _starts_page(node, paged):
            yield "".join(parts)
            yield _PAGE_BREAK
            parts = []
    yield "".join(parts)
    for box in boxes:
        yield from _blocks(box)


def _starts_page(node: etree._Element, rendered: bool) -> bool:
    if rendered:
        return node.tag == _RENDERED_BREAK
    return node.tag == _BR and node.get(qn("w:type")) == "page"


def _inside(node: etree._Element, stop: etree._Element, tags: tuple[str, ...]) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


def _table(tbl: etree._Element) -> str:
    rows = []
    for tr in tbl.iterchildren(_TR):
        cells = []
        for tc in tr.iterchildren(_TC):
            text = " ".join(" ".join(b.split()) for b in _blocks(tc) if isinstance(b, str) and b.strip())
            cells.append(text)
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _notes(document: docx.document.Document) -> Iterator[str]:
    for reltype, tag in ((RT.FOOTNOTES, "w:footnote"), (RT.ENDNOTES, "w:endnote")):
        for part in _related_parts(document, reltype):
            root = parse_xml(part.blob)
            for note in root.iterchildren(qn(tag)):
                if note.get(qn("w:type")) in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                text = "\n".join(b for b in _blocks(note) if isinstance(b, str) and b.strip())
                if text:
                    yield text


def _headers_and_footers(document: docx.document.Document) -> Iterator[str]:
    seen: set[str] = set()
    for reltype in (RT.HEADER, RT.FOOTER):
        for part in _related_parts(document, reltype):
            text = "\n".join(b for b in _blocks(parse_xml(part.blob)) if isinstance(b, str) and b.strip())
            if text and text not in seen:
                seen.add(text)
                yield text


def _related_parts(document: docx.document.Document, reltype: str) -> list:
    return [
        rel.target_part
        for rel in document.part.rels.values()
        if rel.reltype == reltype and not rel.is_external
    ]


def _read_core_properties(document: docx.document.Document, doc: ParsedDocument) -> None:
    # python-docx invents default properties ("python-docx" as author) when the part is missing.
    if not any(rel.reltype == RT.CORE_PROPERTIES for rel in document.part.package.rels.values()):
        return
    try:
        props = document.core_properties
        doc.title = useful_title(props.title)
        doc.author = clean_str(props.author)
        doc.created = iso(props.created)
        doc.modified = iso(props.modified)
    except (ValueError, etree.XMLSyntaxError):
        doc.warnings.append("The document's properties (title, author, dates) could not be read.")
