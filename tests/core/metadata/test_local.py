from __future__ import annotations

import pytest

from inmyhead_app.core.documents.model import Page, ParsedDocument
from inmyhead_app.core.metadata.local import LocalMetadataExtractor, detect_language

ENGLISH = """Photosynthesis in Green Plants

Photosynthesis is the process by which green plants convert light energy into chemical energy.
The light energy is captured by chlorophyll, a green pigment found in the chloroplasts of leaf cells.
During photosynthesis, plants take in carbon dioxide from the air and water from the soil.
The chloroplasts use the captured light energy to split water and to build glucose from carbon dioxide.
Oxygen is released into the air as a by-product of photosynthesis.
Many gardeners enjoy tomatoes in the summer.
The glucose made by photosynthesis stores chemical energy that the plant uses to grow.
Without photosynthesis, there would be almost no oxygen in the atmosphere and no food for animals.
"""

GERMAN = """Die Stadt Hamburg liegt im Norden Deutschlands an der Elbe. Sie ist nach Berlin die
zweitgrößte Stadt des Landes und hat einen der größten Häfen Europas. Jedes Jahr kommen viele
Touristen in die Stadt, um den Hafen, die Speicherstadt und die Elbphilharmonie zu besuchen.
Der Hafen ist seit Jahrhunderten wichtig für den Handel der Stadt."""


def doc(text: str, **fields) -> ParsedDocument:
    return ParsedDocument(path="/docs/plants-notes.txt", file_type="txt", pages=[Page(1, text)], **fields)


def test_english_text_gets_title_language_keywords_and_summary() -> None:
    meta = LocalMetadataExtractor().extract(doc(ENGLISH), ENGLISH)
    assert meta.title == "Photosynthesis in Green Plants"
    assert meta.language == "en"
    assert meta.page_count == 1
    assert meta.word_count == len(ENGLISH.split())
    lowered = [k.lower() for k in meta.keywords]
    assert 1 <= len(lowered) <= 10
    assert any("photosynthesis" in k for k in lowered[:5])
    assert any("energy" in k for k in lowered)
    assert len(lowered) == len(set(lowered))
    assert meta.summary is not None and len(meta.summary) <= 600
    # Extractive: whole sentences of the text, about photosynthesis, not the off-topic one.
    assert "photosynthesis" in meta.summary.lower()
    assert "tomatoes" not in meta.summary
    assert not meta.summary.startswith("Photosynthesis in Green Plants")  # a heading, not a sentence
    first = meta.summary.split(". ")[0]
    assert first in " ".join(ENGLISH.split())
    assert meta.source == "local"
    assert meta.content_hash is None  # the job system fills it


def test_german_text_is_detected_and_keywords_skip_stop_words() -> None:
    meta = LocalMetadataExtractor().extract(doc(GERMAN), GERMAN)
    assert meta.language == "de"
    lowered = {k.lower() for k in meta.keywords}
    assert lowered & {"hamburg", "hafen", "stadt", "stadt hamburg"}
    assert not lowered & {"die", "der", "und", "ist"}
    # The text opens with a sentence, not a heading: the title comes from the file name.
    assert meta.title == "plants-notes"


def test_document_fields_win_over_guesses() -> None:
    parsed = doc(
        ENGLISH, title="  Plant Biology\n Notes ", author="A. Gardener", created="2021-03-04T00:00:00"
    )
    meta = LocalMetadataExtractor().extract(parsed, ENGLISH)
    assert meta.title == "Plant Biology Notes"
    assert meta.author == "A. Gardener"
    assert meta.created == "2021-03-04T00:00:00"


def test_markdown_heading_becomes_the_title() -> None:
    text = "# Installing the Boiler\n\nThe boiler must be serviced once a year by a certified engineer."
    assert LocalMetadataExtractor().extract(doc(text), text).title == "Installing the Boiler"


def test_empty_or_tiny_text_does_not_crash() -> None:
    meta = LocalMetadataExtractor().extract(doc(""), "")
    assert meta.title == "plants-notes"
    assert meta.language is None
    assert meta.keywords == []
    assert meta.summary is None
    assert detect_language("ok 42") is None


def test_slovak_text_is_handled_without_printing_to_the_console(capsys) -> None:
    text = (
        "Bratislava je hlavné mesto Slovenska. Mesto leží na rieke Dunaj pri hraniciach s Rakúskom "
        "a Maďarskom. V Bratislave sa nachádza Bratislavský hrad a mnoho historických budov."
    )
    meta = LocalMetadataExtractor().extract(doc(text), text)
    assert meta.language == "sk"
    assert any("bratislav" in k.lower() for k in meta.keywords)
    assert capsys.readouterr().out == ""  # YAKE prints a warning for its non-UTF-8 lists; we read them


@pytest.mark.parametrize(
    "own, expected",
    [
        ("Binder1.pdf", "Photosynthesis in Green Plants"),
        ("Microsoft Word - Plant Notes.docx", "Plant Notes"),
        ("Untitled", "Photosynthesis in Green Plants"),
        ("Document1", "Photosynthesis in Green Plants"),
        ("Plant Notes 2020", "Plant Notes 2020"),
    ],
)
def test_placeholder_titles_from_authoring_tools_are_ignored(own: str, expected: str) -> None:
    assert LocalMetadataExtractor().extract(doc(ENGLISH, title=own), ENGLISH).title == expected


def test_summary_skips_running_headers_and_formulas() -> None:
    text = (
        "THE SIEGE OF VICKSBURG. 52\n\n"
        "The river town was surrounded by the army for forty-seven days in the summer of 1863. "
        "x = 2y + 3z; f(x) = ∑ x_i ∈ R^n for all i ≤ n in the set.\n\n"
        "THE SIEGE OF VICKSBURG. 54\n\n"
        "Food ran short in the town and families dug caves into the hills to shelter from the shells. "
        "THE SIEGE OF VICKSBURG. 56\n\n"
        "The siege ended when the town surrendered to the army on the fourth of July."
    )
    meta = LocalMetadataExtractor().extract(doc(text), text)
    assert meta.summary is not None
    assert "SIEGE" not in meta.summary and "∑" not in meta.summary
    assert meta.summary.startswith("The river town was surrounded")
    assert "caves" in meta.summary


def test_keywords_fold_plural_variants() -> None:
    text = (
        "Shells fell on the hills every night. A shell struck the church on the hill. "
        "The shells and the hills were all the children talked about. " * 3
    )
    keywords = [k.lower() for k in LocalMetadataExtractor().extract(doc(text), text).keywords]
    assert not ({"shell", "shells"} <= set(keywords)) and not ({"hill", "hills"} <= set(keywords))


def test_file_name_title_reads_as_words() -> None:
    parsed = ParsedDocument(path="/scans/Siege_of_Vicksburg__1863.pdf", file_type="pdf", pages=[Page(1, "")])
    assert LocalMetadataExtractor().extract(parsed, "").title == "Siege of Vicksburg 1863"


@pytest.mark.shared
def test_real_ocr_pdf_from_the_corpus() -> None:
    from inmyhead_app.core.documents.clean import clean_document
    from inmyhead_app.core.documents.parsers import parse_file
    from tests.conftest import shared_path

    parsed = parse_file(
        shared_path("corpus", "samples", "pypdf_repo", "Seige_of_Vicksburg_Sample_OCR.pdf"), "pdf"
    )
    text = clean_document(parsed).text
    meta = LocalMetadataExtractor().extract(parsed, text)
    assert meta.title == "Seige of Vicksburg Sample OCR"  # the PDF's own title is "Binder1.pdf"
    assert meta.language == "en" and meta.page_count == 6 and meta.word_count > 2000
    assert "vicksburg" in [k.lower() for k in meta.keywords]
    assert meta.summary and "VICKSBURG" not in meta.summary  # the running header is not a sentence
    assert all(sentence[:40] in " ".join(text.split()) for sentence in meta.summary.split(". ")[:2])
