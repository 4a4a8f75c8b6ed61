"""Write the DOCX sample document (resources/samples/orbits.docx) with python-docx.

The file is committed; run this again only to change its text.
Usage: python packaging/make_sample_docx.py [DEST]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document

DEFAULT_DEST = Path(__file__).resolve().parents[1] / "resources" / "samples" / "orbits.docx"

PARAGRAPHS = (
    "Moving a spacecraft from a low parking orbit to a higher one is cheapest with a Hohmann transfer: "
    "two engine burns joined by half of an elliptical transfer orbit.",
    "The first burn, at the perigee of the ellipse, raises the far side of the orbit to the target "
    "altitude. Half an orbit later, at apogee, a second burn circularises the orbit.",
    "For a geostationary satellite launched from low Earth orbit the two burns need a total change "
    "in velocity (delta-v) of about 3.9 km/s, and the coast between them takes roughly five hours.",
)


def write_sample(dest: Path) -> Path:
    document = Document()
    document.core_properties.title = "Orbital transfers"
    document.core_properties.author = "In My Head sample"
    document.add_heading("Orbital transfers between circular orbits", level=1)
    for text in PARAGRAPHS:
        document.add_paragraph(text)
    rows = (("Burn", "Delta-v"), ("Perigee burn", "2.4 km/s"), ("Apogee burn", "1.5 km/s"))
    table = document.add_table(rows=len(rows), cols=2)
    for row, (name, value) in zip(table.rows, rows, strict=True):
        row.cells[0].text, row.cells[1].text = name, value
    dest.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(dest))
    return dest


if __name__ == "__main__":
    print(write_sample(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DEST))
