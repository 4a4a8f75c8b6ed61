"""HTML: the visible text, without scripts, styles, hidden parts or navigation boilerplate."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from inmyhead_app.core.documents.detect import decode_text, read_bytes
from inmyhead_app.core.documents.model import Page, ParsedDocument
from inmyhead_app.core.documents.parsers.common import Progress, clean_str, require_text

_INVISIBLE = ("script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "head")
_BOILERPLATE_TAGS = ("nav", "aside", "footer", "form", "button", "select", "dialog")
_BOILERPLATE_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "menu", "menubar"}
_BOILERPLATE_NAMES = re.compile(
    r"(^|[\s_-])(nav\w*|menu|sidebar|sphinxsidebar|breadcrumbs?|footer|related|"
    r"skip-?link|cookie-?banner|cookies|toc-?sidebar|headerlink)($|[\s_-])",
    re.I,
)
_BLOCKS = {
    "address", "article", "blockquote", "caption", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol",
    "p", "pre", "section", "summary", "table", "ul",
}  # fmt: skip
# Private-use markers survive get_text() and whitespace collapsing, then become real breaks.
_PARA, _LINE, _CELL = "\ue000", "\ue001", "\ue002"
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_BREAKS = re.compile(rf"[ ]*([{_PARA}{_LINE}][ ]*)+")
_LAST_CELL = re.compile(rf"[ ]*{_CELL}[ ]*(?=[{_PARA}{_LINE}]|$)")
_BLANK_RUNS = re.compile(r"\n{3,}")
_CELLS = re.compile(rf"[ ]*{_CELL}[ ]*")


def parse(path: Path, progress: Progress | None = None, deadline: float | None = None) -> ParsedDocument:
    text, _encoding = decode_text(read_bytes(path))
    doc = parse_html_text(text, str(path), "html")
    return require_text(doc)


def parse_html_text(markup: str, path: str, file_type: str) -> ParsedDocument:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # XMLParsedAsHTMLWarning and friends are not the user's problem
        soup = BeautifulSoup(markup, "lxml")
    title = _title(soup)
    author = clean_str(_meta(soup, "author", "dc.creator", "dcterms.creator"))
    created = clean_str(_meta(soup, "article:published_time", "dcterms.created", "date", "dc.date"))
    modified = clean_str(_meta(soup, "article:modified_time", "dcterms.modified", "last-modified"))
    body = soup.body or soup
    _strip(body)
    root = _main_content(body)
    return ParsedDocument(
        path,
        file_type,
        [Page(1, element_text(root))],
        title=title,
        author=author,
        created=created,
        modified=modified,
    )


def _title(soup: BeautifulSoup) -> str | None:
    if soup.title and (title := clean_str(soup.title.get_text())):
        return title
    heading = soup.find("h1")
    return clean_str(heading.get_text(" ")) if heading else None


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"name": re.compile(f"^{re.escape(name)}$", re.I)}) or soup.find(
            "meta", attrs={"property": name}
        )
        if isinstance(tag, Tag) and tag.get("content"):
            return str(tag["content"])
    return None


def _strip(root: Tag) -> None:
    for node in root.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in root.find_all([*_INVISIBLE, *_BOILERPLATE_TAGS]):
        tag.decompose()
    for tag in root.find_all(True):
        if tag.decomposed or tag.attrs is None:
            continue
        if _is_hidden(tag) or _is_boilerplate(tag):
            tag.decompose()


def _is_hidden(tag: Tag) -> bool:
    style = str(tag.get("style", "")).replace(" ", "").lower()
    return (
        tag.has_attr("hidden")
        or str(tag.get("aria-hidden", "")).lower() == "true"
        or "display:none" in style
        or "visibility:hidden" in style
    )


def _is_boilerplate(tag: Tag) -> bool:
    if str(tag.get("role", "")).lower() in _BOILERPLATE_ROLES:
        return True
    if tag.name == "header" and tag.find_parent(["article", "main"]) is None:
        return True
    names = " ".join([*tag.get_attribute_list("class"), str(tag.get("id", ""))])
    return bool(names.strip()) and bool(_BOILERPLATE_NAMES.search(names))


def _main_content(body: Tag) -> Tag:
    """The page's <main> (or role=main / single <article>) when it holds most of the text."""
    candidates = (
        body.find_all("main")
        or body.find_all(None, attrs={"role": "main"})  # name=None spelled out: bs4's overloads want it
        or body.find_all("article")
    )
    if len(candidates) != 1:
        return body
    total = len(body.get_text(" ", strip=True))
    inside = len(candidates[0].get_text(" ", strip=True))
    return candidates[0] if total and inside >= 0.25 * total else body


def element_text(root: Tag) -> str:
    """Text of ``root`` with paragraph breaks at block elements and line breaks at <br>."""
    for string in list(root.find_all(string=True)):
        if isinstance(string, NavigableString) and string.find_parent("pre") is None:
            string.replace_with(_SPACES.sub(" ", str(string)))
        elif isinstance(string, NavigableString):
            # Preformatted: keep line breaks and indentation (as no-break spaces until the end).
            string.replace_with(str(string).replace("\n", _LINE).replace(" ", "\u00a0"))
    for tag in root.find_all(True):
        if tag.name == "br":
            tag.replace_with(_LINE)
        elif tag.name in ("td", "th"):
            tag.insert_after(_CELL)
        elif tag.name == "tr":
            tag.insert_before(_LINE)
            tag.insert_after(_LINE)
        elif tag.name in _BLOCKS:
            tag.insert_before(_PARA)
            tag.insert_after(_PARA)
    text = root.get_text()
    text = _CELLS.sub(" | ", _LAST_CELL.sub("", text))
    text = _BREAKS.sub(lambda m: "\n\n" if _PARA in m.group(0) else "\n", text)
    lines = [line.rstrip() for line in text.strip().split("\n")]
    # Rows of empty table cells (layout tables) leave only separators behind.
    text = "\n".join(line for line in lines if not line or line.strip(" |"))
    return _BLANK_RUNS.sub("\n\n", text).replace("\u00a0", " ").strip()
