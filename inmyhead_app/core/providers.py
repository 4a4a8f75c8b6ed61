"""Build the embedder and metadata extractor the settings ask for.

Local providers are the default and need nothing. Cloud providers need an API key from the keyring or
the environment, looked up before each request: without one, the request fails with a PROVIDER_AUTH
error the user can act on ("No OpenAI API key: set OPENAI_API_KEY or add it in Settings"), and a key
added later is used without a restart. Building a cloud provider switches on key redaction in logs.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from inmyhead_app.core.config import Settings
from inmyhead_app.core.embed.base import Embedder
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.metadata.base import MetadataExtractor
from inmyhead_app.core.secrets import get_api_key, install_secret_redaction

LOCAL_MODEL_PREFIX = "local:"  # LocalEmbedder.model_id
OPENAI_MODEL_PREFIX = "openai:"  # OpenAIEmbedder.model_id: openai:<model>:<dimensions>


def make_embedder(settings: Settings) -> Embedder:
    """The dense embedder chosen by the ``embedder`` setting (or $INMYHEAD_EMBEDDER)."""
    choice = settings["embedder"]
    if choice == "local":
        from inmyhead_app.core.embed.local import LocalEmbedder

        return LocalEmbedder()
    if choice == "openai":
        from inmyhead_app.core.embed.openai import OpenAIEmbedder

        install_secret_redaction()
        return OpenAIEmbedder(
            model=settings["openai_embedding_model"],
            dimensions=settings["openai_dimensions"] or None,
            api_key=partial(get_api_key, "openai"),
        )
    raise IngestError(ErrorKind.INTERNAL, f"Unknown embedding provider {choice!r}")


def settings_for_model(model_id: str, dimension: int) -> dict[str, Any]:
    """The settings that build the embedder whose ``model_id`` this is (the inverse of make_embedder):
    a library opens with the model that built it, whatever the settings ask for now."""
    if model_id.startswith(LOCAL_MODEL_PREFIX):
        return {"embedder": "local"}
    if model_id.startswith(OPENAI_MODEL_PREFIX):
        from inmyhead_app.core.embed.openai import MODEL_DIMENSIONS

        model = model_id[len(OPENAI_MODEL_PREFIX) :].rsplit(":", 1)[0]
        native = MODEL_DIMENSIONS.get(model)
        return {
            "embedder": "openai",
            "openai_embedding_model": model,
            "openai_dimensions": 0 if dimension == native else dimension,
        }
    raise IngestError(
        ErrorKind.INTERNAL,
        f"this library was indexed with {model_id or 'an unknown model'}, which this version cannot "
        "use; open it with the version that made it, or start a new library in another data folder",
    )


def make_metadata_extractor(settings: Settings) -> MetadataExtractor:
    """The metadata extractor chosen by the ``metadata`` setting (or $INMYHEAD_METADATA)."""
    choice = settings["metadata"]
    if choice == "local":
        from inmyhead_app.core.metadata.local import LocalMetadataExtractor

        return LocalMetadataExtractor()
    if choice == "anthropic":
        from inmyhead_app.core.metadata.anthropic import AnthropicMetadataExtractor

        install_secret_redaction()
        return AnthropicMetadataExtractor(
            model=settings["anthropic_model"],
            api_key=partial(get_api_key, "anthropic"),
            token_budget=settings["metadata_token_budget"],
        )
    raise IngestError(ErrorKind.INTERNAL, f"Unknown metadata provider {choice!r}")
