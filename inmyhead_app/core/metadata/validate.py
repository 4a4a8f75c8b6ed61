"""The fixed schema Claude must answer in, and the checks its answer passes before we use it.

The model's answer is untrusted (the document it read may have tried to steer it): every field is
checked for type, length and vocabulary, unknown fields are dropped, and whatever fails is reported
so the caller can fall back to the local extractor's value.
"""

from __future__ import annotations

import re
from typing import Any

TOOL_NAME = "record_metadata"
DOCUMENT_TYPES = (
    "article",
    "book",
    "code",
    "email",
    "form",
    "invoice",
    "legal",
    "letter",
    "manual",
    "notes",
    "paper",
    "presentation",
    "report",
    "specification",
    "other",
)
MAX_TITLE = 200
MAX_SUMMARY = 1000
MAX_TOPICS = 10
MAX_ENTITIES = 20
MAX_ITEM = 100
# ISO 639-1, the codes DocumentMetadata.language holds.
_ISO_639_1_CODES = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
    dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie
    ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg
    mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro
    ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty
    ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"""
ISO_639_1 = frozenset(_ISO_639_1_CODES.split())
_LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*$")  # "en", "EN", "en-GB", "pt_BR"

TOOL: dict[str, Any] = {
    "name": TOOL_NAME,
    "description": "Record the metadata of the document that was provided as data.",
    "input_schema": {
        "type": "object",
        "properties": {
            "title": {"type": "string", "description": "The document's title, or a short descriptive one."},
            "summary": {"type": "string", "description": "Two or three sentences on what the document says."},
            "topics": {
                "type": "array",
                "items": {"type": "string"},
                "maxItems": MAX_TOPICS,
                "description": "Main subjects, a few words each.",
            },
            "entities": {
                "type": "array",
                "items": {"type": "string"},
                "maxItems": MAX_ENTITIES,
                "description": "Named people, organisations, places and products mentioned.",
            },
            "document_type": {"type": "string", "enum": list(DOCUMENT_TYPES)},
            "language": {"type": "string", "description": "ISO 639-1 code of the main language, e.g. en."},
        },
        "required": ["title", "summary", "topics", "entities", "document_type", "language"],
        "additionalProperties": False,
    },
}


def _text(value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return (value or None) if len(value) <= limit else None


def _summary(value: object) -> str | None:
    """A summary, cut at a word boundary when a little too long; rejected when far too long."""
    if not isinstance(value, str) or len(value) > 4 * MAX_SUMMARY:
        return None
    value = " ".join(value.split())
    if len(value) > MAX_SUMMARY:
        value = value[:MAX_SUMMARY].rsplit(" ", 1)[0] + "…"
    return value or None


def _items(value: object, count: int) -> list[str] | None:
    """Distinct short strings (invalid items dropped); None when the value is not a list."""
    if not isinstance(value, list):
        return None
    items: list[str] = []
    seen: set[str] = set()
    for raw in value:
        item = _text(raw, MAX_ITEM)
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            items.append(item)
    return items[:count]


def _language(value: object) -> str | None:
    match = _LANGUAGE_TAG.match(value.strip()) if isinstance(value, str) else None
    code = match.group(1).lower() if match else None
    return code if code in ISO_639_1 else None


def validate_answer(answer: object) -> tuple[dict[str, Any], list[str]]:
    """The usable fields of a tool answer, and the names of the fields that were missing or invalid."""
    data = answer if isinstance(answer, dict) else {}
    checked: dict[str, Any] = {
        "title": _text(data.get("title"), MAX_TITLE),
        "summary": _summary(data.get("summary")),
        "topics": _items(data.get("topics"), MAX_TOPICS) or None,  # no topics: use the keywords
        "entities": _items(data.get("entities"), MAX_ENTITIES),
        "doc_type": data.get("document_type") if data.get("document_type") in DOCUMENT_TYPES else None,
        "language": _language(data.get("language")),
    }
    rejected = [name for name, value in checked.items() if value is None]
    return {name: value for name, value in checked.items() if value is not None}, rejected
