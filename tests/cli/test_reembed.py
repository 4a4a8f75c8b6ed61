"""``inmyhead reembed``: its JSON fields and exit codes, against the real SDK and a fake OpenAI API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import json_lines
from tests.helpers.fake_openai import FakeOpenAI

REEMBED_FIELDS = {"from_model", "to_model", "documents", "reembedded", "failed", "switched", "seconds"}
OPENAI_MODEL = "openai:text-embedding-3-small:1536"


@pytest.fixture
def openai_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-cli-" + "d" * 32)
        yield server


def test_reembed_switches_the_library_and_reports_it(cli, tmp_path: Path, openai_server: FakeOpenAI) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "harbour.txt").write_text("Copper lanterns lit the harbour at night.", encoding="utf-8")
    (folder / "orbit.md").write_text("# Orbits\n\nA satellite circles the planet.", encoding="utf-8")
    code, _out, _err = cli("ingest", str(folder), "--json", "--store", "local")
    assert code == 0

    code, out, err = cli("ingest", str(folder), "--json", "--store", "local", "--embedder", "openai")
    assert code == 0 and all(line["status"] == "duplicate" for line in json_lines(out))
    assert "`inmyhead reembed` switches" in err  # told, not refused, and nothing is mixed

    code, out, _err = cli("reembed", "--json", "--store", "local", "--embedder", "openai")
    summary = json_lines(out)[0]
    assert code == 0, summary
    assert set(summary) >= REEMBED_FIELDS
    assert summary["from_model"] == "local:all-MiniLM-L6-v2" and summary["to_model"] == OPENAI_MODEL
    assert (summary["documents"], summary["reembedded"], summary["failed"]) == (2, 2, 0)
    assert summary["switched"] is True
    assert openai_server.embedding_requests()

    code, out, _err = cli("search", "copper lanterns", "--json", "--store", "local", "--embedder", "openai")
    assert code == 0 and Path(json_lines(out)[0][0]["path"]).name == "harbour.txt"

    code, out, _err = cli("reembed", "--json", "--store", "local", "--embedder", "openai")
    again = json_lines(out)[0]
    assert code == 0 and again["reembedded"] == 0 and again["from_model"] == again["to_model"] == OPENAI_MODEL

    # The re-embedded library (the store's generation 1) moves to another store as a whole.
    code, out, _err = cli("migrate", "--to", "edge", "--json")
    assert code == 0 and json_lines(out)[0]["complete"] is True
    code, out, _err = cli("search", "copper lanterns", "--json", "--store", "edge", "--embedder", "openai")
    assert code == 0 and Path(json_lines(out)[0][0]["path"]).name == "harbour.txt"


def test_reembed_without_a_key_fails_plainly_and_keeps_the_library(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "harbour.txt"
    doc.write_text("Copper lanterns lit the harbour every winter night.", encoding="utf-8")
    assert cli("ingest", str(doc), "--json", "--store", "local")[0] == 0
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    code, out, _err = cli("reembed", "--json", "--store", "local", "--embedder", "openai")
    summary = json_lines(out)[0]
    assert code == 1 and summary["switched"] is False
    assert summary["reembedded"] == 0

    code, out, _err = cli("jobs", "--state", "failed", "--json")
    failed = json_lines(out)[0]
    assert failed[0]["kind"] == "reembed" and "No OpenAI API key" in failed[0]["error_message"]
    code, out, _err = cli("search", "copper lanterns", "--json", "--store", "local")
    assert code == 0 and Path(json_lines(out)[0][0]["path"]).name == "harbour.txt"
