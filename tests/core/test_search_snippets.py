"""Snippets: the window with the most query terms, spans that point at those words in the snippet."""

from __future__ import annotations

from inmyhead_app.core.search.snippets import SNIPPET_CHARS, QueryTerms, make_snippet

FILLER = (
    "The committee met on Tuesday to review the budget for the coming year and agreed to postpone "
    "most decisions until the auditors had finished their report on the previous accounts. "
)
ENGINE = "Both engines failed over the Atlantic, and the crew glided the aircraft to the Azores."


def marked(snippet: str, spans: list[tuple[int, int]]) -> list[str]:
    return [snippet[start:end] for start, end in spans]


def test_the_window_moves_to_the_terms_and_marks_every_form_of_them() -> None:
    text = FILLER * 3 + ENGINE + " " + FILLER * 2
    snippet, spans = make_snippet(text, QueryTerms.parse("engine fails aircraft"))
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) <= SNIPPET_CHARS + 2
    assert "Both engines failed" in snippet
    assert marked(snippet, spans) == ["engines", "failed", "aircraft"]


def test_the_window_prefers_more_distinct_terms_over_repeats_of_one() -> None:
    text = "engine engine engine engine. " + FILLER * 2 + "The engine needs new oil and a new timing belt."
    snippet, spans = make_snippet(text, QueryTerms.parse("engine oil belt"))
    assert sorted(w.lower() for w in marked(snippet, spans))[-3:] == ["belt", "engine", "oil"]
    assert "timing belt" in snippet


def test_stop_words_are_never_marked_and_words_are_not_cut() -> None:
    text = FILLER * 4
    snippet, spans = make_snippet(text, QueryTerms.parse("the report of the auditors"))
    assert marked(snippet, spans) and set(w.lower() for w in marked(snippet, spans)) <= {"report", "auditors"}
    body = snippet.strip("…")  # begins and ends on whole words
    assert body.split()[0] in FILLER.split() and body.split()[-1] in FILLER.split()


def test_a_chunk_without_the_terms_gives_its_beginning_unmarked() -> None:
    snippet, spans = make_snippet(FILLER * 3, QueryTerms.parse("satellite orbit"))
    assert snippet.startswith("The committee met") and snippet.endswith("…")
    assert spans == []


def test_a_short_chunk_is_whole_and_the_language_chooses_the_stemmer() -> None:
    text = "Les abeilles butinent le nectar des fleurs."
    snippet, spans = make_snippet(text, QueryTerms.parse("abeille fleur"), language="fr")
    assert snippet == text
    assert marked(snippet, spans) == ["abeilles", "fleurs"]
