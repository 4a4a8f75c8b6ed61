from __future__ import annotations

from inmyhead_app.core.library import LibraryDocument
from inmyhead_app.core.search import ChunkHit, DocumentHit
from inmyhead_app.gui.library_model import LibColumn, LibraryFilterModel, LibraryModel, LibRole
from inmyhead_app.gui.search_model import SearchResultsModel, SearchRole, highlight_html


def _doc(n: int, **kw) -> LibraryDocument:
    fields = dict(
        doc_id=f"d{n}",
        path=f"/docs/file{n}.pdf",
        title=f"Title {n}",
        file_type="pdf",
        pages=n,
        chunks=2 * n,
        language="en",
        keywords=["alpha", f"kw{n}"],
        summary="About things.",
        added_at=1795972608.0 + n,
        size_bytes=1000 * n,
    )
    fields.update(kw)
    return LibraryDocument(**fields)


def test_library_model(qtmodeltester):
    model = LibraryModel()
    model.set_documents([_doc(1), _doc(2), _doc(3)])
    qtmodeltester.check(model)
    proxy = LibraryFilterModel()
    proxy.setSourceModel(model)
    proxy.setFilterFixedString("kw2")
    assert proxy.rowCount() == 1 and proxy.index(0, 0).data(LibRole.DOC_ID) == "d2"
    qtmodeltester.check(proxy)
    assert model.index(0, LibColumn.KEYWORDS).data() == "alpha, kw1"
    assert model.index(0, LibColumn.ADDED).data().startswith("2026-")


def test_library_model_diffs_instead_of_resetting():
    model = LibraryModel()
    model.set_documents([_doc(1), _doc(2)])
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_documents([_doc(2, chunks=99), _doc(3)])
    assert [d.doc_id for d in model.documents()] == ["d2", "d3"]
    assert model.index(0, LibColumn.CHUNKS).data() == "99"
    assert not resets


def _hits() -> list[DocumentHit]:
    chunk = ChunkHit(0, 3, 4, 0.5, "the sourdough rises", [(4, 13)])
    return [
        DocumentHit(
            "d1", "/docs/bread.pdf", "Bread", "pdf", "en", 0.9, 3, "the sourdough rises", [(4, 13)], [chunk]
        ),
        DocumentHit("d2", "/docs/empty.txt", "", "txt", "en", 0.1, None, "plain", [], []),
    ]


def test_search_model(qtmodeltester):
    model = SearchResultsModel()
    model.set_results("sourdough", _hits())
    qtmodeltester.check(model)
    top = model.index(0, 0)
    assert model.rowCount(top) == 1
    child = model.index(0, 0, top)
    assert child.data(SearchRole.PAGE) == 3
    assert child.data(SearchRole.DOCUMENT).doc_id == "d1"
    assert "pp. 3–4" in child.data()
    assert model.index(1, 0).data() == "empty.txt"


def test_highlight_html_escapes_and_marks():
    html = highlight_html("a <b> & sourdough", [(8, 17), (50, 60)])
    assert "&lt;b&gt; &amp; " in html
    assert html.endswith("sourdough</span>")
