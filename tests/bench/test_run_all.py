"""bench/run_all.py: how it runs a benchmark script and what it records (tiny stand-in scripts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import run_all


def stand_in(tmp_path: Path, body: str) -> run_all.Benchmark:
    script = tmp_path / "fake_bench.py"
    script.write_text(body, encoding="utf-8")
    return run_all.Benchmark(
        "fake", str(script), quick=lambda p: ["7"], full=lambda p: ["70"], headline=lambda r: {"n": r["n"]}
    )


def test_results_are_written_and_summarised(tmp_path: Path) -> None:
    bench = stand_in(
        tmp_path, 'import json, sys\nprint("warming up")\nprint(json.dumps({"n": int(sys.argv[1])}))\n'
    )
    summary = run_all.run_one(bench, ["7"], tmp_path)
    assert summary["status"] == "ok" and summary["n"] == 7
    saved = json.loads((tmp_path / "fake.json").read_text())
    assert saved["n"] == 7 and "run_seconds" in saved


def test_a_benchmark_missing_its_own_target_keeps_its_figures(tmp_path: Path) -> None:
    bench = stand_in(tmp_path, 'import json\nprint(json.dumps({"n": 1}, indent=2))\nraise SystemExit(1)\n')
    summary = run_all.run_one(bench, [], tmp_path)
    assert summary["status"] == "target_missed" and summary["exit_code"] == 1
    assert json.loads((tmp_path / "fake.json").read_text())["n"] == 1


def test_a_crashing_benchmark_is_reported_failed(tmp_path: Path) -> None:
    bench = stand_in(tmp_path, 'raise RuntimeError("boom")\n')
    summary = run_all.run_one(bench, [], tmp_path)
    assert summary["status"] == "failed"
    assert "boom" in summary["stderr"]
    assert not (tmp_path / "fake.json").exists()


def test_last_json_object_after_other_output() -> None:
    assert run_all.last_json_object('{"a": 1}') == {"a": 1}
    assert run_all.last_json_object('log line\n{\n  "a": 2\n}\n') == {"a": 2}
    with pytest.raises(ValueError):
        run_all.last_json_object("no json here")


def test_missing_scripts_and_data_are_skipped_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_all.main(
        ["--only", "retrieval", "--eval", str(tmp_path / "nowhere"), "--results", str(tmp_path)]
    )
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert summary["benchmarks"]["retrieval"]["status"] == "skipped"
    assert "nowhere" in summary["benchmarks"]["retrieval"]["reason"]
