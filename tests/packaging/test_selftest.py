"""The self-test in this process: it passes on the shipped samples and fails when it should."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from inmyhead_app import selftest
from inmyhead_app.core.paths import resources_dir

SAMPLES = resources_dir() / "samples"


def test_every_check_names_a_shipped_sample_of_each_format() -> None:
    expected = {name for _, name in selftest.CHECKS}
    assert all((SAMPLES / name).is_file() for name in expected)
    assert {Path(name).suffix for name in expected} == {".txt", ".md", ".html", ".json", ".docx"}


def test_self_test_passes_on_the_shipped_samples(capsys: pytest.CaptureFixture[str]) -> None:
    code = selftest.main([])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report["errors"]
    assert report["ok"] is True
    assert report["frozen"] is False
    assert sorted(d["file"] for d in report["documents"]) == sorted({n for _, n in selftest.CHECKS})
    assert all(d["state"] == "done" and d["chunks"] >= 1 for d in report["documents"])
    assert len(report["searches"]) == len(selftest.CHECKS) * len(selftest.CHECK_MODES)
    hybrid = [s for s in report["searches"] if s["mode"] == "hybrid"]
    assert all(s["found"][0] == s["expected"] for s in hybrid)


def test_self_test_fails_when_a_sample_is_missing(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "samples")
    (tmp_path / "samples" / "orbits.docx").unlink()
    report = selftest.run_self_test(tmp_path / "samples")
    assert report.ok is False
    assert any("orbits.docx" in error for error in report.errors)


def test_self_test_fails_when_a_document_no_longer_matches_its_query(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples)
    # The lighthouse page now talks about something else: the "Fresnel lens" search must fail.
    (samples / "lighthouse.html").write_text(
        "<html><body><h1>Knitting</h1><p>Cast on forty stitches with wool yarn and purl the second row."
        "</p></body></html>",
        encoding="utf-8",
    )
    code = selftest.main(["--samples", str(samples)])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["ok"] is False
    failed = [s for s in report["searches"] if not s["ok"]]
    assert failed and {s["expected"] for s in failed} == {"lighthouse.html"}
    assert all(d["state"] == "done" for d in report["documents"])  # ingest itself still worked


def test_search_check_rules() -> None:
    assert selftest.search_ok("a.txt", ["a.txt", "b.md"], "hybrid")
    assert not selftest.search_ok("a.txt", ["b.md", "a.txt"], "hybrid")
    assert selftest.search_ok("a.txt", ["b.md", "c.md", "a.txt"], "dense")
    assert not selftest.search_ok("a.txt", ["b.md", "c.md", "d.md", "a.txt"], "keyword")
    assert not selftest.search_ok("a.txt", [], "dense")


def test_self_test_ignores_provider_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user with cloud providers or a Redis queue configured still gets the offline, in-process test."""
    monkeypatch.setenv("INMYHEAD_EMBEDDER", "openai")
    monkeypatch.setenv("INMYHEAD_METADATA", "anthropic")
    monkeypatch.setenv("INMYHEAD_QUEUE", "redis")
    monkeypatch.setenv("INMYHEAD_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    monkeypatch.setenv("INMYHEAD_STORE", "server")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    code = selftest.main([])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report["errors"]
