"""Fixtures for the printouts: the demo-like Wednesday, users in each role, PDF helpers."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.ci import need
from tests.factories import Factory
from tests.printouts.demo import Demo, build_demo

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "printouts"

A4 = (595.3, 841.9)
A3 = (841.9, 1190.6)


@pytest.fixture()
def demo(make: Factory) -> Demo:
    return build_demo(make)


def pdf_pages(body: bytes) -> list[str]:
    """The text of each page, as a reader's copy-and-paste would get it."""
    assert body.startswith(b"%PDF-"), body[:40]
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages]


def pdf_text(body: bytes) -> str:
    """All the text, with line breaks folded into spaces so phrases can be looked for."""
    return " ".join(" ".join(pdf_pages(body)).split())


def page_sizes(body: bytes) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(body))
    return [(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) for p in reader.pages]


def write_pngs(name: str, body: bytes, dpi: int = 70) -> list[Path]:
    """Save the PDF and one PNG per page under artifacts/printouts/ for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf_path = ARTIFACTS / f"{name}.pdf"
    pdf_path.write_bytes(body)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    if shutil.which("pdftoppm") is None:
        need("pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf_path), str(ARTIFACTS / name)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))
