"""OwnedStore runs every call of a real store on one owner thread; the factory picks the store."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from inmyhead_app.core.config import Settings
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.store.base import SearchFilters, VectorStore
from inmyhead_app.core.store.factory import make_store, open_store
from inmyhead_app.core.store.owner import OwnedStore, StoreClosedError
from tests.core.store.conftest import MODEL_ID
from tests.core.store.helpers import EmbeddedCorpus, doc_id

REPO = Path(__file__).resolve().parents[3]


class ThreadRecorder:
    """A real store that notes which thread each call arrives on."""

    def __init__(self, inner: VectorStore) -> None:
        self.inner = inner
        self.threads: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)

        def recorded(*args: Any) -> Any:
            self.threads.add(threading.current_thread().name)
            return method(*args)

        return recorded


def store_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("store-")]


def test_calls_from_many_threads_all_run_on_the_owner_thread(
    store_kind: str, tmp_path: Path, corpus: EmbeddedCorpus, local_embedder
) -> None:
    recorders: list[ThreadRecorder] = []

    def factory() -> Any:
        recorders.append(ThreadRecorder(make_store(store_kind, tmp_path)))
        return recorders[0]

    owned = OwnedStore(factory, name=store_kind)
    owned.ensure_collection(MODEL_ID, 384)
    query = local_embedder.embed_query("blood pressure")

    def work(name: str) -> int:
        for _ in range(3):
            owned.replace_document(doc_id(name), corpus.points(name))
            owned.query_dense(query, SearchFilters(), 5)
        return owned.count(doc_id(name))

    with ThreadPoolExecutor(max_workers=len(corpus.names)) as pool:
        counts = dict(zip(corpus.names, pool.map(work, corpus.names), strict=True))
    assert counts == {name: len(corpus.points(name)) for name in corpus.names}
    assert owned.count() == 20
    owned.close()
    assert recorders[0].threads == {f"store-{store_kind}_0"}
    assert store_threads() == []


def test_close_is_idempotent_and_later_calls_fail_plainly(store_kind: str, tmp_path: Path) -> None:
    owned = OwnedStore(lambda: make_store(store_kind, tmp_path), name=store_kind)
    owned.ensure_collection(MODEL_ID, 384)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: owned.close(), range(4)))
    owned.close()
    assert owned.closed
    with pytest.raises(StoreClosedError, match=f"the {store_kind} vector store is closed") as caught:
        owned.count()
    assert caught.value.kind is ErrorKind.CANCELLED
    # Closed on its owner thread, so the folder can be opened again at once.
    again = make_store(store_kind, tmp_path)
    assert again.info() is not None
    again.close()


def test_a_factory_error_reaches_the_caller_and_leaves_no_thread(
    store: VectorStore, store_kind: str, tmp_path: Path
) -> None:
    with pytest.raises(IngestError) as caught:
        OwnedStore(lambda: make_store(store_kind, tmp_path), name=store_kind)
    assert caught.value.kind is ErrorKind.FILE_BUSY
    assert store_threads() == []


@pytest.mark.parametrize(("kind", "folder"), [("edge", "edge"), ("local", "qdrant")])
def test_open_store_follows_the_store_setting(data_dir: Path, kind: str, folder: str) -> None:
    settings = Settings(data_dir, overrides={"store": kind})
    with open_store(settings, data_dir) as owned:
        owned.ensure_collection(MODEL_ID, 384)
        assert owned.name == kind
        assert owned.info().extra["store"] == kind
    assert (data_dir / folder).is_dir()
    assert not (data_dir / ({"edge", "qdrant"} - {folder}).pop()).exists()


def test_a_server_store_needs_a_url(data_dir: Path) -> None:
    with pytest.raises(IngestError, match="no Qdrant server URL"):
        open_store(Settings(data_dir, overrides={"store": "server"}), data_dir)
    assert store_threads() == []


def test_a_second_process_gets_a_plain_message_not_a_traceback(data_dir: Path, store_kind: str) -> None:
    settings = Settings(data_dir, overrides={"store": store_kind})
    with open_store(settings, data_dir) as owned:
        owned.ensure_collection(MODEL_ID, 384)
        child = subprocess.run(
            [sys.executable, "-c", SECOND_PROCESS, str(data_dir), store_kind],
            capture_output=True, text=True, cwd=REPO, timeout=120,
        )  # fmt: skip
    assert child.returncode == 3, child.stderr
    assert "Traceback" not in child.stderr
    assert child.stdout.startswith("file_busy: the library at ")
    assert "open in another In My Head process" in child.stdout


SECOND_PROCESS = """
import sys
from pathlib import Path
from inmyhead_app.core.config import Settings
from inmyhead_app.core.errors import IngestError
from inmyhead_app.core.store.factory import open_store
folder = Path(sys.argv[1])
try:
    open_store(Settings(folder, overrides={"store": sys.argv[2]}), folder).close()
except IngestError as error:
    print(f"{error.kind.value}: {error.message}")
    sys.exit(3)
"""
