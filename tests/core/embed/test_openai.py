"""The real openai SDK against a fake /v1/embeddings on 127.0.0.1 (tests/helpers/fake_openai.py)."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator

import pytest

from inmyhead_app.core.embed.openai import MAX_INPUT_TOKENS, OpenAIEmbedder, cl100k
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.retry import RetryEvent, RetryPolicy
from inmyhead_app.core.usage import UsageMeter, metered
from tests.helpers.fake_api import Reply
from tests.helpers.fake_openai import FakeOpenAI, error, rate_limited

KEY = "sk-test-0123456789abcdefghijklmnop"


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


class Recorder:
    """Stands in for time.sleep in RetryPolicy: records the waits (and skips them)."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.events: list[RetryEvent] = []

    def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)

    def policy(self, **kwargs: float) -> RetryPolicy:
        return RetryPolicy(sleep=self.sleep, on_retry=self.events.append, **kwargs)


@pytest.fixture
def waits() -> Recorder:
    return Recorder()


def embedder(server: FakeOpenAI, **kwargs) -> OpenAIEmbedder:
    kwargs.setdefault("api_key", KEY)
    return OpenAIEmbedder(base_url=server.url, **kwargs)


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def test_tokenizer_is_cl100k_loaded_offline() -> None:
    assert cl100k().encode("hello world") == [15339, 1917]
    assert cl100k().name == "cl100k_base"


def test_embeds_in_order_with_the_models_dimension_and_counts_tokens(server: FakeOpenAI) -> None:
    usage: list[int] = []
    emb = embedder(server, on_usage=usage.append)
    texts = ["the cat sat on the mat", "a cat sat on a mat", "quarterly revenue grew"]
    cat, cat2, revenue = emb.embed_documents(texts)
    assert emb.dimension == 1536 and len(cat) == 1536
    assert emb.model_id == "openai:text-embedding-3-small:1536"
    assert cosine(cat, cat2) > 0.4 > 0.1 > cosine(cat, revenue)
    (request,) = server.embedding_requests()
    assert request.body["input"] == texts
    assert request.body["model"] == "text-embedding-3-small"
    assert "dimensions" not in request.body
    expected_tokens = sum(len(cl100k().encode(t)) for t in texts)
    assert emb.tokens_used == expected_tokens and usage == [expected_tokens]
    # The key travels only in the Authorization header.
    assert request.header("authorization") == f"Bearer {KEY}"
    assert KEY not in request.raw.decode()
    assert emb.embed_query("the cat sat") == pytest.approx(
        FakeOpenAI.default_vector("the cat sat", 1536), abs=1e-6
    )


def test_large_model_and_shortened_dimensions(server: FakeOpenAI) -> None:
    large = embedder(server, model="text-embedding-3-large")
    assert len(large.embed_query("hello")) == 3072 and large.model_id == "openai:text-embedding-3-large:3072"
    short = embedder(server, model="text-embedding-3-large", dimensions=256)
    assert len(short.embed_query("hello")) == 256
    assert short.model_id == "openai:text-embedding-3-large:256"
    assert server.embedding_requests()[-1].body["dimensions"] == 256


def test_batches_stay_within_the_input_count_limit(server: FakeOpenAI) -> None:
    progress: list[tuple[int, int]] = []
    # Few dimensions keep 2100 vectors quick to parse.
    vectors = embedder(server, dimensions=8).embed_documents(
        [f"note {i}" for i in range(2100)], progress=lambda done, total: progress.append((done, total))
    )
    assert len(vectors) == 2100
    assert [len(r.body["input"]) for r in server.embedding_requests()] == [2048, 52]
    assert progress == [(2048, 2100), (2100, 2100)]


def test_batches_stay_within_the_request_token_limit(server: FakeOpenAI) -> None:
    long_text = "lorem" + " lorem" * 7998  # 8000 tokens: under the per-input limit, 38 of them exceed 300k
    assert len(cl100k().encode(long_text)) == 8000
    vectors = embedder(server, dimensions=8).embed_documents([long_text] * 40)
    assert len(vectors) == 40
    sizes = [len(r.body["input"]) for r in server.embedding_requests()]
    assert sizes == [37, 3]  # 37 * 8000 = 296k tokens; the fake answers 400 above 300k


def test_over_long_input_is_truncated_with_a_warning(server: FakeOpenAI, caplog) -> None:
    warnings: list[str] = []
    too_long = "word " * 9000
    vectors = embedder(server).embed_documents(["short one", too_long], warnings=warnings)
    assert len(vectors) == 2
    sent = server.embedding_requests()[0].body["input"][1]
    assert len(cl100k().encode(sent)) == MAX_INPUT_TOKENS
    assert (
        len(warnings) == 1
        and "Chunk 1" in warnings[0]
        and f"{len(cl100k().encode(too_long))} tokens" in warnings[0]
    )
    assert any("truncated" in r.getMessage() for r in caplog.records)


def test_empty_text_is_sent_as_a_space_not_refused(server: FakeOpenAI) -> None:
    assert len(embedder(server).embed_documents(["", "text"])) == 2


def test_retry_after_is_honoured_then_succeeds(server: FakeOpenAI, waits: Recorder) -> None:
    server.script(rate_limited("2"))
    emb = embedder(server, retry=waits.policy())
    assert len(emb.embed_query("hello")) == 1536
    assert waits.delays == [2.0]
    assert [(e.attempt, e.reason) for e in waits.events] == [(1, "HTTP 429 (rate limited)")]
    assert len(server.embedding_requests()) == 2


def test_retry_after_ms_is_preferred(server: FakeOpenAI, waits: Recorder) -> None:
    server.script(
        Reply(429, {"error": {"message": "slow down"}}, {"retry-after-ms": "250", "retry-after": "1"})
    )
    embedder(server, retry=waits.policy()).embed_query("hello")
    assert waits.delays == [0.25]


def test_server_error_then_success_backs_off_exponentially(server: FakeOpenAI, waits: Recorder) -> None:
    server.script(error(500, "boom", "server_error"), error(503, "busy", "server_error"))
    vectors = embedder(server, retry=waits.policy(base_delay=0.5)).embed_documents(["a", "b"])
    assert len(vectors) == 2
    first, second = waits.delays
    assert 0.25 <= first <= 0.5 and 0.5 <= second <= 1.0  # base * 2**n, scaled by jitter in [0.5, 1]
    assert len(server.embedding_requests()) == 3


def test_rate_limit_that_never_ends_fails_transient_with_retry_after(
    server: FakeOpenAI, waits: Recorder
) -> None:
    server.script(*[rate_limited("3")] * 3)
    with pytest.raises(IngestError) as info:
        embedder(server, retry=waits.policy(max_retries=2)).embed_query("hello")
    assert info.value.kind is ErrorKind.RATE_LIMITED and info.value.transient
    assert info.value.retry_after == 3.0 and info.value.__context__ is None
    assert len(server.embedding_requests()) == 3 and waits.delays == [3.0, 3.0]


def test_long_retry_after_is_handed_to_the_job_system_instead_of_sleeping(
    server: FakeOpenAI, waits: Recorder
) -> None:
    server.script(rate_limited("600"))
    with pytest.raises(IngestError) as info:
        embedder(server, retry=waits.policy(max_delay=60)).embed_query("hello")
    assert info.value.kind is ErrorKind.RATE_LIMITED and info.value.retry_after == 600.0
    assert waits.delays == [] and len(server.embedding_requests()) == 1


def test_timeout_is_retried_and_then_reported_unavailable(server: FakeOpenAI, waits: Recorder) -> None:
    server.script(Reply(delay=30), Reply(delay=30))
    with pytest.raises(IngestError) as info:
        embedder(server, timeout=0.3, retry=waits.policy(max_retries=1, base_delay=0.01)).embed_query("x")
    assert info.value.kind is ErrorKind.PROVIDER_UNAVAILABLE and info.value.transient
    assert [e.reason for e in waits.events] == ["time-out"]
    assert len(server.embedding_requests()) == 2


def test_connection_reset_then_success(server: FakeOpenAI, waits: Recorder) -> None:
    server.script(Reply(drop=True))
    assert len(embedder(server, retry=waits.policy(base_delay=0.01)).embed_query("x")) == 1536
    assert [e.reason for e in waits.events] == ["connection failed"]


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_key_fails_at_once_without_the_key_in_the_message(
    server: FakeOpenAI, waits: Recorder, status: int
) -> None:
    server.script(
        error(status, f"Incorrect API key provided: {KEY}", "invalid_request_error", "invalid_api_key")
    )
    with pytest.raises(IngestError) as info:
        embedder(server, retry=waits.policy()).embed_documents(["x"])
    assert info.value.kind is ErrorKind.PROVIDER_AUTH and not info.value.transient
    assert "The OpenAI key was rejected" in info.value.message
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is None  # no SDK exception attached
    assert len(server.embedding_requests()) == 1 and waits.delays == []


def test_exhausted_quota_is_not_retried(server: FakeOpenAI, waits: Recorder) -> None:
    server.script(error(429, "You exceeded your current quota", "insufficient_quota", "insufficient_quota"))
    with pytest.raises(IngestError) as info:
        embedder(server, retry=waits.policy()).embed_query("x")
    assert info.value.kind is ErrorKind.PROVIDER_AUTH and "credit" in info.value.message
    assert waits.delays == []


def test_follows_openai_base_url_from_the_environment(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    assert len(OpenAIEmbedder(api_key=KEY).embed_query("via env")) == 1536
    assert len(server.embedding_requests()) == 1


def test_wrong_vector_count_from_a_compatible_server_is_an_error(server: FakeOpenAI) -> None:
    server.script(
        Reply(
            200,
            {"object": "list", "data": [], "model": "m", "usage": {"prompt_tokens": 0, "total_tokens": 0}},
        )
    )
    with pytest.raises(IngestError) as info:
        embedder(server, retry=RetryPolicy(max_retries=0)).embed_documents(["a"])
    assert info.value.kind is ErrorKind.PROVIDER_UNAVAILABLE


def test_no_key_is_a_provider_auth_error() -> None:
    with pytest.raises(IngestError) as info:
        OpenAIEmbedder(api_key=None)
    assert info.value.kind is ErrorKind.PROVIDER_AUTH
    assert str(info.value) == "No OpenAI API key: set OPENAI_API_KEY or add it in Settings"


def test_usage_and_warnings_are_metered_per_thread(server: FakeOpenAI) -> None:
    emb = embedder(server)
    results: dict[str, UsageMeter] = {}

    def job(name: str, texts: list[str]) -> None:
        with metered() as meter:
            emb.embed_documents(texts)
        results[name] = meter

    threads = [
        threading.Thread(target=job, args=("short", ["one two three"])),
        threading.Thread(target=job, args=("long", ["word " * 9000, "four five"])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results["short"].tokens == {"openai": len(cl100k().encode("one two three"))}
    assert results["short"].warnings == []
    assert results["long"].total_tokens == MAX_INPUT_TOKENS + len(cl100k().encode("four five"))
    assert len(results["long"].warnings) == 1 and "truncated" in results["long"].warnings[0]
    assert emb.tokens_used == results["short"].total_tokens + results["long"].total_tokens


def test_chunking_hooks_count_tokens_like_the_model() -> None:
    assert OpenAIEmbedder.max_tokens == MAX_INPUT_TOKENS
    emb = OpenAIEmbedder(api_key=KEY, base_url="http://127.0.0.1:9/v1")  # never called
    assert emb.count_tokens("hello world") == 2


@pytest.mark.parametrize(
    "model, dimensions", [("text-embedding-3-small", 2048), ("text-embedding-ada-002", 512), ("my-model", 0)]
)
def test_impossible_model_settings_are_refused_before_any_request(model: str, dimensions: int) -> None:
    with pytest.raises(IngestError) as info:
        OpenAIEmbedder(model=model, dimensions=dimensions, api_key=KEY, base_url="http://127.0.0.1:9/v1")
    assert info.value.kind is ErrorKind.INTERNAL and model in info.value.message


def test_compatible_server_model_with_explicit_dimensions(server: FakeOpenAI) -> None:
    """A model we do not know works when its dimension is given (e.g. a compatible local server)."""
    server.script(
        Reply(
            200,
            {
                "object": "list",
                "data": [{"object": "embedding", "index": 0, "embedding": [0.6, 0.8, 0.0]}],
                "model": "my-model",
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            },
        )
    )
    emb = embedder(server, model="my-model", dimensions=3)
    assert emb.model_id == "openai:my-model:3" and emb.embed_query("x") == [0.6, 0.8, 0.0]


def test_malformed_json_is_retried_then_reported_unavailable(server: FakeOpenAI, waits: Recorder) -> None:
    server.script(Reply(200, "{not json"), Reply(200, "<html>proxy error</html>"))
    assert len(embedder(server, retry=waits.policy(base_delay=0.01)).embed_query("x")) == 1536
    assert [e.reason for e in waits.events] == ["malformed answer", "malformed answer"]
    server.script(*[Reply(200, "{not json")] * 2)
    with pytest.raises(IngestError) as info:
        embedder(server, retry=waits.policy(max_retries=1, base_delay=0.01)).embed_query("x")
    assert info.value.kind is ErrorKind.PROVIDER_UNAVAILABLE
