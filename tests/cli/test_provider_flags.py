"""--embedder / --metadata / --store choose providers for one run, like their environment variables."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from inmyhead_app.cli import PROVIDER_FLAGS, main


@pytest.fixture(autouse=True)
def _restore_env() -> Iterator[None]:
    """main() writes the flags into os.environ; put it back so no other test sees them."""
    saved = {env: os.environ.pop(env, None) for _flag, env, _key in PROVIDER_FLAGS}
    yield
    for env, value in saved.items():
        if value is None:
            os.environ.pop(env, None)
        else:
            os.environ[env] = value


def test_store_flag_picks_the_store_for_the_run(data_dir, capsys) -> None:
    assert main(["search", "anything", "--json", "--store", "local", "--data-dir", str(data_dir)]) == 0
    assert os.environ["INMYHEAD_STORE"] == "local"
    assert (data_dir / "qdrant").exists()
    assert not (data_dir / "edge").exists()


def test_embedder_flag_reaches_settings(data_dir, capsys) -> None:
    from inmyhead_app.core.config import Settings

    main(["jobs", "--json", "--embedder", "openai", "--metadata", "anthropic", "--data-dir", str(data_dir)])
    settings = Settings(data_dir)
    assert settings["embedder"] == "openai"
    assert settings["metadata"] == "anthropic"


def test_unknown_choice_is_refused(data_dir, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["docs", "--store", "mongodb", "--data-dir", str(data_dir)])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
