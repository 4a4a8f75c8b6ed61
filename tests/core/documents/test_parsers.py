"""Each parser on real files: generated ones with known content, and the shared awkward samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inmyhead_app.core.documents.parsers import parse_file
from inmyhead_app.core.errors import ErrorKind, IngestError
from tests.conftest import shared_path
from tests.fixtures.documents.make import rich_docx, write_pdf

SAMPLES = ("corpus", "samples")


def failure(path: Path, file_type: str) -> IngestError:
    with pytest.raises(IngestError) as caught:
        parse_file(path, file_type)
    return caught.value


# ---- PDF -------------------------------------------------------------------------------------


def test_pdf_text_per_page_with_metadata(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "a.pdf",
        [["Boiler maintenance (annual)"], ["Replace the gasket"], ["Check the flue"]],
        title="Maintenance Guide",
        author="Ada Engineer",
    )
    doc = parse_file(path, "pdf")
    assert [page.number for page in doc.pages] == [1, 2, 3]
    assert "Boiler maintenance (annual)" in doc.pages[0].text
    assert "gasket" in doc.pages[1].text and "flue" in doc.pages[2].text
    assert (doc.title, doc.author) == ("Maintenance Guide", "Ada Engineer")
    assert doc.created == "2024-01-02T03:04:05+00:00"
    assert doc.warnings == []


def test_pdf_with_one_broken_page_keeps_the_others(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "b.pdf", [["first page"], ["lost page"], ["third page"]], broken_pages=(2,))
    doc = parse_file(path, "pdf")
    assert "first page" in doc.pages[0].text and "third page" in doc.pages[2].text
    assert doc.pages[1].text.strip() == ""
    assert doc.warnings == ["1 of 3 pages could not be read (page 2)."]


@pytest.mark.shared
@pytest.mark.parametrize(
    "name",
    [
        "encryption__r2-user-password.pdf",
        "encryption__r3-user-password.pdf",
        "encryption__r4-aes-user-password.pdf",
        "encryption__r4-user-password.pdf",
        "crazyones-encrypted-256.pdf",
        "libreoffice-writer-password.pdf",
    ],
)
def test_pdf_needing_a_password_is_encrypted(name: str) -> None:
    error = failure(shared_path(*SAMPLES, "pypdf_repo", name), "pdf")
    assert error.kind == ErrorKind.ENCRYPTED
    assert "password" in error.message


@pytest.mark.shared
@pytest.mark.parametrize(
    "name",
    [
        "encryption__r2-empty-password.pdf",
        "encryption__r2-owner-password.pdf",
        "encryption__r3-empty-password.pdf",
        "encryption__r4-owner-password.pdf",
        "encryption__r4-aes-v2-no-key-length.pdf",  # AES: needs the cryptography package
    ],
)
def test_pdf_restricted_only_by_an_owner_password_is_read(name: str) -> None:
    doc = parse_file(shared_path(*SAMPLES, "pypdf_repo", name), "pdf")
    assert doc.text.strip()


@pytest.mark.shared
@pytest.mark.parametrize("name", ["scan_1page.pdf", "scan_12pages.pdf"])
def test_scanned_pdf_has_no_text(name: str) -> None:
    error = failure(shared_path(*SAMPLES, "pdf_no_text_layer", name), "pdf")
    assert error.kind == ErrorKind.NO_TEXT
    assert "scan" in error.message


@pytest.mark.shared
@pytest.mark.parametrize(
    "name",
    [
        "R-intro_cut0001permille.pdf",
        "R-intro_cut0100permille.pdf",
        "R-intro_cut0500permille.pdf",
        "R-intro_cut0990permille.pdf",
        "R-intro_header_only.pdf",
        "R-intro_no_trailer_last2KB_removed.pdf",
    ],
)
def test_truncated_pdf_is_corrupt(name: str) -> None:
    error = failure(shared_path(*SAMPLES, "pdf_truncated", name), "pdf")
    assert error.kind == ErrorKind.CORRUPT
    assert "damaged or incomplete" in error.message


@pytest.mark.shared
@pytest.mark.parametrize("name", ["R-intro_bad_startxref.pdf", "R-intro_garbage_before_header.pdf"])
def test_recoverable_pdf_damage_is_recovered(name: str) -> None:
    doc = parse_file(shared_path(*SAMPLES, "pdf_truncated", name), "pdf")
    assert len(doc.pages) > 100
    assert "R" in doc.text and len(doc.text) > 100_000


@pytest.mark.shared
def test_pdf_with_some_image_only_pages_warns_and_keeps_text() -> None:
    doc = parse_file(shared_path(*SAMPLES, "pypdf_repo", "imagemagick-images.pdf"), "pdf")
    assert doc.text.strip()
    assert any("no text layer" in warning for warning in doc.warnings)


@pytest.mark.shared
def test_pdf_with_ocr_layer_and_odd_outlines_are_read() -> None:
    ocr = parse_file(shared_path(*SAMPLES, "pypdf_repo", "Seige_of_Vicksburg_Sample_OCR.pdf"), "pdf")
    assert "Vicksburg" in ocr.text
    outlines = parse_file(
        shared_path(*SAMPLES, "pypdf_repo", "outlines-with-invalid-destinations.pdf"), "pdf"
    )
    assert len(outlines.pages) == 4 and outlines.text.strip()


# ---- DOCX ------------------------------------------------------------------------------------


def test_docx_reads_every_place_text_lives(tmp_path: Path) -> None:
    doc = parse_file(rich_docx(tmp_path / "report.docx"), "docx")
    text = doc.text
    for expected in (
        "Boiler inspection",
        "inspected on Tuesday",
        "Pressure | 1.5 bar",  # table rows keep their cells together
        "Sidebar: gas valve replaced",  # text box
        "Checked with a camera probe.",  # footnote
        "ACME Facilities confidential",  # header
        "Prepared by the maintenance team",  # footer
    ):
        assert expected in text
    assert "separator" not in text
    assert text.count("Sidebar: gas valve replaced") == 1  # the VML fallback copy is skipped
    assert (doc.title, doc.author) == ("Quarterly Boiler Report", "Ada Engineer")


def test_docx_hard_page_break_starts_page_two(tmp_path: Path) -> None:
    doc = parse_file(rich_docx(tmp_path / "report.docx"), "docx")
    assert len(doc.pages) == 2
    assert "inspected on Tuesday" in doc.pages[0].text
    assert doc.pages[1].text.startswith("Second page: recommendations")


@pytest.mark.shared
@pytest.mark.parametrize(
    "name",
    [
        "doc-no-coreprops.docx",
        "doc-word-default-blank.docx",
        "having-images.docx",
        "set-no-settings-part.docx",
        "sty-having-no-styles-part.docx",
    ],
)
def test_docx_samples_without_text_say_so(name: str) -> None:
    # These real Word files are blank (or only an image): a specific NO_TEXT, never a crash.
    assert failure(shared_path(*SAMPLES, "python_docx_repo", name), "docx").kind == ErrorKind.NO_TEXT


# ---- HTML, Markdown, text, JSON ----------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><title>Boiler guide</title><meta name="author" content="Ada">
<style>p { color: red }</style><script>var tracking = "SCRIPT_TEXT";</script></head>
<body>
<nav><a href="/">Home</a> <a href="/about">NAV_TEXT</a></nav>
<div class="sphinxsidebar">SIDEBAR_TEXT</div>
<main>
<h1>Servicing   your boiler</h1>
<p>Turn off the gas<br>before you start.</p>
<p style="display:none">HIDDEN_TEXT</p>
<ul><li>Check the flue</li><li>Bleed the radiators</li></ul>
<table><tr><td>Pressure</td><td>1.5 bar</td></tr></table>
<pre>line one
    indented line two</pre>
</main>
<footer>FOOTER_TEXT</footer>
</body></html>
"""


def test_html_keeps_visible_text_and_drops_boilerplate(tmp_path: Path) -> None:
    path = tmp_path / "guide.html"
    path.write_text(PAGE, encoding="utf-8")
    doc = parse_file(path, "html")
    text = doc.text
    assert (doc.title, doc.author) == ("Boiler guide", "Ada")
    assert "Servicing your boiler" in text
    assert "Turn off the gas\nbefore you start." in text
    assert "Check the flue\n\nBleed the radiators" in text
    assert "Pressure | 1.5 bar" in text
    assert "line one\n    indented line two" in text
    for hidden in ("SCRIPT_TEXT", "NAV_TEXT", "SIDEBAR_TEXT", "HIDDEN_TEXT", "FOOTER_TEXT", "color: red"):
        assert hidden not in text


def test_html_in_windows_1252_declared_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "legacy.html"
    body = "Café crème – naïve résumé"
    path.write_bytes(
        b'<html><head><meta charset="utf-8"></head><body><p>' + body.encode("cp1252") + b"</p></body></html>"
    )
    assert parse_file(path, "html").text == body


def test_markdown_is_rendered_to_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(
        "---\ntitle: Boiler notes\nauthor: Ada\n---\n# Heading\n\nSome **bold** and a [link](http://x.org).\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode block\n```\n",
        encoding="utf-8",
    )
    doc = parse_file(path, "md")
    assert (doc.title, doc.author) == ("Boiler notes", "Ada")
    assert "Some bold and a link." in doc.text
    assert "**" not in doc.text and "http://x.org" not in doc.text and "title:" not in doc.text
    assert "a | b\n1 | 2" in doc.text and "code block" in doc.text


def test_markdown_title_falls_back_to_the_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text("Intro line\n\n# The Real Title\n\nBody.\n", encoding="utf-8")
    assert parse_file(path, "md").title == "The Real Title"


def test_text_in_utf16_is_decoded_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes("Notes about the boiler\nline two".encode("utf-16"))
    doc = parse_file(path, "txt")
    assert doc.text.lstrip("\ufeff") == "Notes about the boiler\nline two"
    assert doc.warnings and "utf-16" in doc.warnings[0]


def test_whitespace_only_text_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text(" \n\t\n ", encoding="utf-8")
    assert failure(path, "txt").kind == ErrorKind.NO_TEXT


def test_json_lists_keys_with_their_paths(tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    data = {
        "name": "boiler-kit",
        "version": "1.0",
        "tags": ["gas", "heating"],
        "meta": {"ok": True, "n": None},
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    doc = parse_file(path, "json")
    assert doc.title == "boiler-kit"
    assert doc.text.split("\n") == [
        "name: boiler-kit",
        "version: 1.0",
        "tags[0]: gas",
        "tags[1]: heating",
        "meta.ok: true",
    ]


def test_json_lines_are_read_record_by_record(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text('{"event": "start"}\n{"event": "stop"}\n', encoding="utf-8")
    assert parse_file(path, "json").text == "[0].event: start\n[1].event: stop"


def test_invalid_json_says_where(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "a": 1,\n  "b": \n}', encoding="utf-8")
    error = failure(path, "json")
    assert error.kind == ErrorKind.CORRUPT
    assert "line 4" in error.message


def test_deeply_nested_json_is_refused_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert failure(path, "json").kind == ErrorKind.CORRUPT


def test_pdf_reports_progress_page_by_page(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "p.pdf", [["one"], ["two"], ["three"]])
    seen: list[tuple[int, int]] = []
    parse_file(path, "pdf", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


RUN_TOGETHER = [
    "There are two methods of associating a file with a different filename on this system.",
    "Hard links duplicate the name of an existing file while symbolic links point by name.",
] * 3


def test_pdf_words_that_pypdf_runs_together_are_read_again(tmp_path: Path) -> None:
    # A font declaring a 1 em space glyph hides TeX-style word gaps from pypdf.
    path = write_pdf(tmp_path / "tex.pdf", [RUN_TOGETHER, ["Index"]], word_gaps=True)
    doc = parse_file(path, "pdf")
    assert "There are two methods of associating a file" in doc.pages[0].text
    assert doc.pages[1].text.strip() == "Index"
    assert doc.warnings == []


def test_pdf_re_reading_stops_at_the_deadline(tmp_path: Path) -> None:
    import time

    path = write_pdf(tmp_path / "tex.pdf", [RUN_TOGETHER] * 3, word_gaps=True)
    doc = parse_file(path, "pdf", deadline=time.monotonic() - 1)
    assert "There are two methods" in doc.pages[0].text  # one page is always re-read
    assert "Therearetwomethods" in doc.pages[2].text
    assert doc.warnings == ["Words run together on 2 pages; there was no time to read them again."]


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("Microsoft Word - Boiler Report Final", "Boiler Report Final"),
        ("Microsoft Word - report.docx", None),
        ("Binder1.pdf", None),
        ("Untitled", None),
        ("  Geometrie und   Topologie ", "Geometrie und Topologie"),
    ],
)
def test_placeholder_titles_from_authoring_tools_are_dropped(
    tmp_path: Path, raw: str, title: str | None
) -> None:
    doc = parse_file(write_pdf(tmp_path / "t.pdf", [["text"]], title=raw), "pdf")
    assert doc.title == title


def test_docx_pages_follow_words_last_rendering(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    document.add_paragraph("Page one text.")
    # Word records where its last layout broke pages, even inside a paragraph...
    split = document.add_paragraph("Start of a long paragraph")
    split._p.append(parse_xml(f"<w:r {w}><w:lastRenderedPageBreak/><w:t>that ends on page two.</w:t></w:r>"))
    # ...and when it has, a hard break must not count a second time.
    document.add_paragraph().add_run().add_break(docx.enum.text.WD_BREAK.PAGE)
    after = document.add_paragraph()
    after._p.append(parse_xml(f"<w:r {w}><w:lastRenderedPageBreak/><w:t>Page three.</w:t></w:r>"))
    path = tmp_path / "rendered.docx"
    document.save(str(path))
    doc = parse_file(path, "docx")
    assert [page.text for page in doc.pages] == [
        "Page one text.\n\nStart of a long paragraph",
        "that ends on page two.",
        "Page three.",
    ]


def test_docbook_navigation_and_empty_layout_rows_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "ch03.html"
    path.write_text(
        '<html><body><div class="navheader"><table><tr><td><a href="ch02.html">Prev</a></td><td></td>'
        '</tr></table></div><div class="chapter"><p>It is wise to know how the system starts.</p>'
        "<table><tr><td></td><td> </td></tr><tr><td>init</td><td>systemd</td></tr></table></div>"
        '<div class="navfooter">Chapter 4. Authentication</div></body></html>',
        encoding="utf-8",
    )
    assert parse_file(path, "html").text == "It is wise to know how the system starts.\n\ninit | systemd"
