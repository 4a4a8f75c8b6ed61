from __future__ import annotations

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
