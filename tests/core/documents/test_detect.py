"""Type by content (not by name) and encoding detection, on real bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inmyhead_app.core.documents.detect import decode_text, detect_type
from inmyhead_app.core.errors import ErrorKind, IngestError
from tests.conftest import shared_path
from tests.fixtures.documents.make import pdf_bytes, rich_docx


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def kind_of(path: Path, **kwargs: object) -> ErrorKind:
    with pytest.raises(IngestError) as caught:
        detect_type(path, **kwargs)  # type: ignore[arg-type]
    return caught.value.kind


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("report.txt", pdf_bytes([["hello"]]), "pdf"),  # a PDF saved with the wrong extension
        ("page.txt", "<!DOCTYPE html><html><body><p>Hi</p></body></html>", "html"),
        ("notes", "<html>\n<head><title>x</title></head><body>text</body></html>", "html"),
        ("data", '{"name": "value", "list": [1, 2]}', "json"),
        ("data.json", '[{"a": 1}]', "json"),
        ("readme", "# Title\n\nSome **bold** text and a [link](http://example.org).\n", "md"),
        ("readme.md", "plain words", "md"),
        ("plain", "[1] Introduction\nThis is a plain text file.\n", "txt"),
        ("notes.txt", "Just some notes.\n", "txt"),
    ],
)
def test_type_follows_content(tmp_path: Path, name: str, content: bytes | str, expected: str) -> None:
    assert detect_type(write(tmp_path, name, content)) == expected


def test_docx_is_recognised_by_its_package_parts(tmp_path: Path) -> None:
    docx_path = rich_docx(tmp_path / "report.docx")
    renamed = docx_path.rename(tmp_path / "report.bin")
    assert detect_type(renamed) == "docx"


@pytest.mark.parametrize(
    ("name", "content", "kind", "words"),
    [
        ("photo.pdf", b"\x89PNG\r\n\x1a\n" + bytes(100), ErrorKind.UNSUPPORTED, "PNG image"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ErrorKind.UNSUPPORTED, ".docx"),
        # Office stores a password-protected .docx as an OLE container.
        ("secret.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ErrorKind.ENCRYPTED, "password"),
        ("broken.docx", b"PK\x03\x04" + b"garbage" * 50, ErrorKind.CORRUPT, "damaged"),
        ("fake.pdf", "This is not a PDF at all", ErrorKind.CORRUPT, "no PDF header"),
        ("blob.dat", bytes(range(256)) * 8, ErrorKind.UNSUPPORTED, "binary"),
    ],
)
def test_unusable_files_fail_with_a_specific_reason(
    tmp_path: Path, name: str, content: bytes | str, kind: ErrorKind, words: str
) -> None:
    with pytest.raises(IngestError) as caught:
        detect_type(write(tmp_path, name, content))
    assert caught.value.kind == kind
    assert words in caught.value.message


def test_a_zip_that_is_not_a_word_document_is_unsupported(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "hello")
    assert kind_of(path) == ErrorKind.UNSUPPORTED


def test_missing_empty_and_oversized_files(tmp_path: Path) -> None:
    assert kind_of(tmp_path / "gone.pdf") == ErrorKind.NOT_FOUND
    assert kind_of(write(tmp_path, "empty.txt", b"")) == ErrorKind.EMPTY
    big = write(tmp_path, "big.txt", "x" * 5000)
    assert kind_of(big, max_bytes=4096) == ErrorKind.TOO_LARGE
    assert detect_type(big, max_bytes=8192) == "txt"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_a_permission_error(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.txt", "secret")
    path.chmod(0)
    assert kind_of(path) == ErrorKind.PERMISSION


@pytest.mark.shared
def test_shared_zero_byte_files_are_empty() -> None:
    folder = shared_path("corpus", "samples", "zero_byte")
    files = sorted(folder.iterdir())
    assert len(files) >= 6
    for path in files:
        assert kind_of(path) == ErrorKind.EMPTY, path.name


@pytest.mark.shared
def test_pdf_with_junk_before_its_header_is_still_a_pdf() -> None:
    path = shared_path("corpus", "samples", "pdf_truncated", "R-intro_garbage_before_header.pdf")
    assert detect_type(path) == "pdf"


# ---- encodings -------------------------------------------------------------------------------

FRENCH = "Le cœur de l'été à Noël, déjà très naïf. Où est la fenêtre ? Ça va, merci."


@pytest.mark.parametrize(
    ("data", "encoding_prefix"),
    [
        ("\ufeff" + FRENCH, "utf-8"),
        (FRENCH, "utf-8"),
    ],
)
def test_utf8_with_and_without_bom(data: str, encoding_prefix: str) -> None:
    text, encoding = decode_text(data.encode("utf-8"))
    assert text.lstrip("\ufeff") == FRENCH
    assert encoding.startswith(encoding_prefix)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(codec: str) -> None:
    text, _ = decode_text(FRENCH.encode(codec))
    assert text.lstrip("\ufeff") == FRENCH


def test_latin1_french_is_read_as_western_european() -> None:
    text, _ = decode_text(FRENCH.replace("œ", "oe").encode("latin-1"))
    assert text == FRENCH.replace("œ", "oe")


def test_html_declaring_utf8_but_written_in_windows_1252() -> None:
    body = "Café crème, “quoted” – naïve résumé for the fête at the Hôtel de Ville."
    data = (
        b'<html><head><meta charset="utf-8"></head><body><p>' + body.encode("cp1252") + b"</p></body></html>"
    )
    text, _ = decode_text(data)
    assert body in text


def test_html_declaring_latin1_but_written_in_utf8() -> None:
    body = "Grüße aus München, schöne Straße — 東京 too."
    data = b'<html><head><meta charset="iso-8859-1"></head><body>' + body.encode("utf-8") + b"</body></html>"
    assert body in decode_text(data)[0]


@pytest.mark.parametrize(
    ("sample", "codec"),
    [
        ("Привет, как дела? Это текст на русском языке в старой кодировке Windows.", "cp1251"),
        ("これは日本語のテキストです。文字コードを正しく検出できるか確かめます。", "shift_jis"),
        ("Zażółć gęślą jaźń, to jest polski tekst z ogonkami i kreskami nad literami.", "cp1250"),
    ],
)
def test_other_legacy_encodings(sample: str, codec: str) -> None:
    assert decode_text(sample.encode(codec))[0] == sample


def test_folder_walks_take_documents_by_name() -> None:
    from inmyhead_app.core.documents.detect import is_supported, type_from_name

    assert all(is_supported(n) for n in ("a.PDF", "b.docx", "c.md", "d.htm", "e.json", "f.txt", "g.jsonl"))
    assert not any(is_supported(n) for n in ("a.png", "b.doc", "c", "d.log", "e.xlsx"))
    assert (type_from_name("x.markdown"), type_from_name("y.xhtml"), type_from_name("z.bin")) == (
        "md",
        "html",
        None,
    )
