"""A fake Anthropic Messages API (``POST /v1/messages``) on 127.0.0.1 for the real ``anthropic`` SDK.

The "model" is a function from the request body to the tool input it answers with; tests swap it to
script good, malformed or adversarial answers. The default model is deterministic and reads the
document like a very literal cataloguer: first line as title, first sentence as summary.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from typing import Any

from tests.helpers.fake_api import FakeAPIServer, Recorded, Reply

ModelFn = Callable[[dict[str, Any]], Any]
_ids = itertools.count(1)


def document_of(body: dict[str, Any]) -> str:
    """The text between <document> and </document> in the last user message."""
    content = body["messages"][-1]["content"]
    if isinstance(content, list):
        content = "".join(block.get("text", "") for block in content if isinstance(block, dict))
    match = re.search(r"<document>\n?(.*)\n?</document>", content, re.S)
    return match.group(1) if match else content


def api_key_of(request: Recorded) -> str | None:
    """The key from ``x-api-key`` or ``Authorization: Bearer`` (newer SDKs send the latter)."""
    bearer = (request.header("authorization") or "").removeprefix("Bearer ").strip()
    return request.header("x-api-key") or bearer or None


def literal_model(body: dict[str, Any]) -> dict[str, Any]:
    text = document_of(body).strip()
    first_line = text.splitlines()[0] if text else "Untitled"
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    capitals = sorted({w for w in re.findall(r"\b[A-Z][a-z]{2,}\b", text)})
    return {
        "title": first_line[:80],
        "summary": sentence[:300],
        "topics": ["literal reading", "test topic"],
        "entities": capitals[:10],
        "document_type": "article",
        "language": "en",
    }


def echo_model(body: dict[str, Any]) -> dict[str, Any]:
    """Repeats everything it was sent (system prompt, tools, messages) in its fields."""
    received = json.dumps(body)
    return {
        "title": "echo",
        "summary": received[:3900],
        "topics": [received[i : i + 90] for i in range(0, min(len(received), 900), 90)],
        "entities": [],
        "document_type": "other",
        "language": "en",
    }


def error(status: int, type_: str, message: str, **headers: str) -> Reply:
    return Reply(status, {"type": "error", "error": {"type": type_, "message": message}}, headers)


def message(content: list[dict[str, Any]], model: str = "claude-test", stop_reason: str = "tool_use") -> dict:
    return {
        "id": f"msg_{next(_ids):06d}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 100, "output_tokens": 20},
    }


def tool_answer(tool_input: Any, name: str = "record_metadata") -> Reply:
    return Reply(200, message([{"type": "tool_use", "id": "toolu_01", "name": name, "input": tool_input}]))


class FakeAnthropic(FakeAPIServer):
    def __init__(self, model: ModelFn = literal_model) -> None:
        self.model = model
        super().__init__(self._messages)

    def message_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.rstrip("/") == "/v1/messages"]

    def _messages(self, request: Recorded) -> Reply:
        if request.path.rstrip("/") != "/v1/messages":
            return error(404, "not_found_error", f"Unknown path {request.path}")
        if not api_key_of(request):
            return error(401, "authentication_error", "x-api-key header is required")
        body = request.body if isinstance(request.body, dict) else None
        if body is None or not body.get("messages") or not body.get("max_tokens"):
            return error(400, "invalid_request_error", "messages and max_tokens are required")
        answer = self.model(body)
        reply = Reply(
            200, message([{"type": "tool_use", "id": "toolu_01", "name": "record_metadata", "input": answer}])
        )
        reply.body["usage"] = {"input_tokens": max(1, len(request.raw) // 4), "output_tokens": 50}
        reply.body["model"] = body.get("model")
        return reply
