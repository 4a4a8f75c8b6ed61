"""--embedder / --metadata / --store choose providers for one run, like their environment variables."""

from __future__ import annotations

import os

import pytest

from inmyhead_app.cli import PROVIDER_FLAGS, main


@pytest.fixture(autouse=True)
def _restore_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for _flag, env, _key in PROVIDER_FLAGS:
        monkeypatch.delenv(env, raising=False)


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
