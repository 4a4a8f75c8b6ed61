"""Cleaning on the kinds of text parsers really produce."""

from __future__ import annotations

from inmyhead_app.core.documents.clean import clean_document, clean_text, drop_running_lines
from inmyhead_app.core.documents.model import Page, ParsedDocument


def test_unicode_is_normalised_and_invisible_characters_dropped() -> None:
    raw = "The \ufb01rst of\u00a0many\u200b e\u0301t\u00e9s\x00\x07 \uff21\uff22\uff23\ufeff"
    assert clean_text(raw) == "The first of many étés ABC"


def test_zero_width_joiners_that_carry_meaning_stay() -> None:
    persian = "می\u200cخواهم"
    assert clean_text(persian) == persian


def test_whitespace_and_line_endings() -> None:
    raw = "  one\t\t two  \r\nthree\rfour\f five\n\n\n\n\nsix   "
    assert clean_text(raw) == "one two\nthree\nfour\n\nfive\n\nsix"


def test_words_split_across_lines_are_joined() -> None:
    assert clean_text("the mainte-\nnance of the boi-\n  ler") == "the maintenance of the boiler"
    assert clean_text("a soft hy\u00ad\nphen") == "a soft hyphen"


def test_real_hyphens_at_line_ends_stay() -> None:
    assert clean_text("Jean-\nPaul met\nthe COVID-\n19 team") == "Jean-Paul met\nthe COVID-\n19 team"


WORDS = ["boiler", "flue", "valve", "pump", "gasket", "radiator", "thermostat", "pressure", "burner", "fan"]


def test_running_headers_footers_and_page_numbers_are_removed() -> None:
    body = [(f"The {WORDS[n]} needs care.", f"Check the {WORDS[-n - 1]} twice.") for n in range(10)]
    pages = [
        f"ACME Boiler Manual\nChapter {1 + n // 4}: Servicing {n + 1}\n{first}\n{second}\n"
        f"Confidential - do not copy\n{n + 1}"
        for n, (first, second) in enumerate(body)
    ]
    cleaned = drop_running_lines(pages)
    for n, page in enumerate(cleaned):
        assert page.splitlines() == list(body[n])
        assert "ACME Boiler Manual" not in page
        assert "Confidential" not in page
        assert "Chapter" not in page
        assert not page.rstrip().endswith(str(n + 1) + "\n") and page.splitlines()[-1] != str(n + 1)


def test_short_documents_keep_their_first_and_last_lines() -> None:
    pages = ["Title\nbody one\nEnd", "Title\nbody two\nEnd"]
    assert drop_running_lines(pages) == pages


def test_a_line_repeated_in_the_middle_of_pages_is_content() -> None:
    pages = [
        f"Header {i}\nintro {i}\nmore {i}\nSee the table below.\nmore {i}\nend {i}\nlast {i}"
        for i in range(6)
    ]
    assert all("See the table below." in page for page in drop_running_lines(pages))


def test_clean_document_keeps_page_numbers_and_metadata() -> None:
    doc = ParsedDocument(
        "/x.pdf", "pdf", [Page(3, " a\u00a0b "), Page(4, "c-\nd")], title="T", warnings=["w"]
    )
    cleaned = clean_document(doc)
    assert [(p.number, p.text) for p in cleaned.pages] == [(3, "a b"), (4, "cd")]
    assert (cleaned.title, cleaned.warnings) == ("T", ["w"])
    assert doc.pages[0].text == " a\u00a0b "  # the original is not modified


def test_typeset_minus_signs_become_the_hyphen_people_type() -> None:
    assert clean_text("bash \u2212\u2212posix and non\u2011breaking") == "bash --posix and non-breaking"
