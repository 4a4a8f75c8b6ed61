from __future__ import annotations

import pytest

from inmyhead_app.core.metadata.validate import MAX_SUMMARY, MAX_TOPICS, TOOL, validate_answer

GOOD = {
    "title": "  Boiler\n Guide ",
    "summary": "How to service a boiler.",
    "topics": ["boilers", "Boilers", "", 7, "x" * 101, "warranty"],
    "entities": [],
    "document_type": "manual",
    "language": "en-GB",
}


def test_good_answer_is_normalised() -> None:
    fields, rejected = validate_answer(GOOD)
    assert rejected == []
    assert fields == {
        "title": "Boiler Guide",
        "summary": "How to service a boiler.",
        "topics": ["boilers", "warranty"],
        "entities": [],  # an empty list is a valid answer: no named entities
        "doc_type": "manual",
        "language": "en",
    }


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "x" * 201),
        ("title", ["a list"]),
        ("summary", "y" * (4 * MAX_SUMMARY + 1)),
        ("topics", "boilers"),
        ("topics", []),
        ("entities", {"a": 1}),
        ("document_type", "poem"),
        ("language", "xx"),
        ("language", "English"),
    ],
)
def test_invalid_field_is_rejected_alone(field: str, value: object) -> None:
    fields, rejected = validate_answer({**GOOD, field: value})
    name = "doc_type" if field == "document_type" else field
    assert rejected == [name] and name not in fields


def test_long_summary_is_cut_at_a_word_and_topics_are_capped() -> None:
    fields, _ = validate_answer({**GOOD, "summary": "word " * 400, "topics": [f"t{i}" for i in range(30)]})
    assert len(fields["summary"]) <= MAX_SUMMARY + 1 and fields["summary"].endswith("word…")
    assert len(fields["topics"]) == MAX_TOPICS


def test_not_a_dict_rejects_everything() -> None:
    fields, rejected = validate_answer(["title"])
    assert fields == {} and len(rejected) == 6


def test_schema_lists_every_required_field() -> None:
    schema = TOOL["input_schema"]
    assert set(schema["required"]) == set(schema["properties"]) and schema["additionalProperties"] is False
