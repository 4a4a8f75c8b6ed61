"""How long does the GUI's event loop stall while documents are ingested?

    python bench/gui_stall.py N_DOCS [--corpus DIR] [--show]

Runs the real window over a real core in a temporary data folder, drops N documents on it (through
the same handler as a real drop), and measures a heartbeat QTimer firing every 10 ms until every job
has finished. A stall is how late a heartbeat came. Prints one JSON object. Target: worst < 50 ms.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

WORDS = [
    "lighthouse",
    "keeper",
    "ship",
    "notebook",
    "harbour",
    "tide",
    "storm",
    "lantern",
    "glacier",
    "valley",
    "river",
    "orbit",
    "planet",
    "sun",
    "bread",
    "sourdough",
    "oven",
    "flour",
    "recipe",
    "garden",
    "tomato",
    "soil",
    "compost",
    "library",
    "archive",
    "letter",
    "museum",
    "map",
    "engine",
    "piston",
    "valve",
    "circuit",
    "voltage",
    "signal",
    "protein",
    "enzyme",
    "cell",
    "membrane",
    "theorem",
    "proof",
    "lemma",
    "axiom",
]
SUFFIXES = (".txt", ".md", ".html")


def make_corpus(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """``count`` small, distinct documents (1-3 KB of text) in txt, md and html."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
            for _ in range(rng.randint(12, 30))
        ]
        body = f"Document {i}. " + " ".join(sentences)
        suffix = SUFFIXES[i % len(SUFFIXES)]
        if suffix == ".md":
            text = f"# Note {i}\n\n{body}\n"
        elif suffix == ".html":
            text = f"<html><head><title>Page {i}</title></head><body><p>{body}</p></body></html>"
        else:
            text = body
        path = folder / f"doc-{i:05d}{suffix}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def pick_corpus(corpus: Path, count: int, into: Path) -> None:
    """Copy up to ``count`` supported files from ``corpus`` (so the bench never touches the original)."""
    from inmyhead_app.core.jobs.manager import expand_paths

    files, _skipped = expand_paths([corpus])
    into.mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(files[:count]):
        shutil.copy2(path, into / f"{i:05d}-{path.name}")


def start_watchdog(state: dict, clock: object, heartbeat_ms: int) -> None:
    """A thread that prints where the GUI thread is whenever a heartbeat is more than 30 ms late."""
    import threading
    import traceback

    main_id = threading.main_thread().ident

    def watch() -> None:
        reported = 0
        while True:
            time.sleep(0.005)
            if not state["measuring"]:
                continue
            late = (clock.nsecsElapsed() - state["last"]) / 1e6 - heartbeat_ms  # type: ignore[attr-defined]
            if late > 30 and state["last"] != reported:
                reported = state["last"]
                frame = sys._current_frames().get(main_id)
                stack = "".join(traceback.format_stack(frame, limit=12)) if frame else "?"
                print(f"--- GUI thread {late:.0f} ms late:\n{stack}", file=sys.stderr, flush=True)

    threading.Thread(target=watch, name="stall-watchdog", daemon=True).start()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_docs", type=int)
    parser.add_argument("--corpus", type=Path, help="take documents from this folder instead of generating")
    parser.add_argument("--show", action="store_true", help="use the real display instead of offscreen")
    parser.add_argument("--heartbeat-ms", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--trace", action="store_true", help="print the GUI thread's stack during stalls")
    parser.add_argument(
        "--simulated",
        action="store_true",
        help="a simulated core (sleeping stages, same events): isolates the GUI's own cost",
    )
    args = parser.parse_args()
    if not args.show:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

    from PySide6.QtCore import QElapsedTimer, Qt, QTimer

    from inmyhead_app.core.context import open_core
    from inmyhead_app.gui.app import freeze_long_lived_objects, make_application, warm_up
    from inmyhead_app.gui.drop_zone import simulate_drop
    from inmyhead_app.gui.main_window import MainWindow

    work = Path(tempfile.mkdtemp(prefix="inmyhead-stall-"))
    try:
        docs = work / "docs"
        if args.corpus:
            pick_corpus(args.corpus, args.n_docs, docs)
        else:
            make_corpus(docs, args.n_docs)
        app = make_application(sys.argv[:1])
        if args.simulated:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
            from tests.gui.fake_core import FakeCore

            (work / "data").mkdir()
            core = FakeCore(work / "data", step_s=0.002)
        else:
            core = open_core(work / "data")  # not measured (the app opens it off the GUI thread)
            warm_up(core)  # as the app does while it says "Opening your library"
        window = MainWindow(core)
        freeze_long_lived_objects()  # as the app does once the core has opened
        window.resize(1280, 800)
        window.show()

        gaps: list[float] = []
        clock = QElapsedTimer()
        state = {"last": 0, "measuring": False, "start": 0.0, "end": 0.0, "submitted": -1}

        def heartbeat() -> None:
            now = clock.nsecsElapsed()
            if state["measuring"]:
                gaps.append((now - state["last"]) / 1e6)
            state["last"] = now

        beat = QTimer()
        beat.setTimerType(Qt.TimerType.PreciseTimer)
        beat.setInterval(args.heartbeat_ms)
        beat.timeout.connect(heartbeat)

        def on_submitted(jobs: int, skipped: int) -> None:
            state["submitted"] = jobs

        window.paths_submitted.connect(on_submitted)

        def finished() -> bool:
            jobs = window.jobs_model.jobs()
            return (
                state["submitted"] >= 0
                and len(jobs) >= state["submitted"]
                and all(job.state.finished for job in jobs)
            )

        def check() -> None:
            if finished() or time.monotonic() - state["start"] > args.timeout:
                state["end"] = time.monotonic()
                state["cpu1"] = time.thread_time()
                state["measuring"] = False
                poll.stop()
                window.request_quit()

        poll = QTimer()
        poll.setInterval(250)
        poll.timeout.connect(check)
        window.core_closed.connect(app.quit)

        gc_pauses: list[float] = []
        gc_start = [0.0]

        def on_gc(phase: str, _info: dict) -> None:  # any thread: a collection stops them all
            if phase == "start":
                gc_start[0] = time.perf_counter()
            elif state["measuring"]:
                gc_pauses.append((time.perf_counter() - gc_start[0]) * 1000)

        gc.callbacks.append(on_gc)

        def begin() -> None:
            state["cpu0"] = time.thread_time()
            clock.start()
            state["last"] = clock.nsecsElapsed()
            state["measuring"] = True
            state["start"] = time.monotonic()
            beat.start()
            simulate_drop(window, [docs])
            poll.start()

        if args.trace:
            start_watchdog(state, clock, args.heartbeat_ms)
        QTimer.singleShot(200, begin)
        app.exec()
        beat.stop()
        jobs = window.jobs_model.jobs()
        stalls = [max(0.0, gap - args.heartbeat_ms) for gap in gaps]
        result = {
            "docs": args.n_docs,
            "docs_submitted": state["submitted"],
            "docs_done": sum(1 for job in jobs if job.state.value == "done"),
            "docs_failed": sum(1 for job in jobs if job.state.value == "failed"),
            "seconds": round(state["end"] - state["start"], 2),
            "heartbeat_ms": args.heartbeat_ms,
            "heartbeats": len(gaps),
            "worst_stall_ms": round(max(stalls, default=0.0), 2),
            "p99_stall_ms": round(percentile(stalls, 0.99), 2),
            "p50_stall_ms": round(percentile(stalls, 0.50), 2),
            "stalls_over_50ms": sum(1 for s in stalls if s > 50),
            "events_received": window.bridge.events_received,
            "bridge_ticks": window.bridge.ticks_emitted,
            "gc_worst_pause_ms": round(max(gc_pauses, default=0.0), 2),
            "gui_thread_cpu_s": round(state.get("cpu1", 0.0) - state.get("cpu0", 0.0), 2),
            "core": "simulated" if args.simulated else "real",
            "load_avg_1min_at_end": round(os.getloadavg()[0], 1),
            "cpus": os.cpu_count(),
            "platform": app.platformName(),
        }
        print(json.dumps(result))
        return 0 if result["worst_stall_ms"] <= 50 else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
