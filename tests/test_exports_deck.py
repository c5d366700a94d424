"""`policygraph export pptx`: a deck read back with python-pptx (one slide per view: title, picture, caption,
citations in the speaker notes) and, where LibreOffice is installed, converted to PDF headless."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches
from support import run_cli

from policygraph.app.exports import export, make_view
from policygraph.app.read.citations import references
from policygraph.app.release import Release

SERVICE_D = "https://w3id.org/policygraph/id/health-trainers/service/D"


@pytest.fixture(scope="module")
def case(build_dir: Path) -> Release:
    return Release.current(build_dir)


@pytest.fixture(scope="module")
def deck_bytes(case: Release) -> bytes:
    return export(case, make_view(case), "pptx")


def test_one_slide_for_the_programme_then_one_per_intent(case: Release, deck_bytes: bytes) -> None:
    prs = Presentation(io.BytesIO(deck_bytes))
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))
    titles = [slide.shapes.title.text for slide in prs.slides]  # type: ignore[union-attr]
    intents = [g.iri.rsplit("/", 1)[-1] for g in make_view(case).picture.groups]  # type: ignore[union-attr]
    views = [make_view(case), *(make_view(case, intent=intent) for intent in intents)]
    assert titles == [v.title for v in views]
    assert titles[:2] == ["From policy vision to delivered practice",
                          "From policy vision to delivered practice: Peer support from next door"]
    for slide, view in zip(prs.slides, views, strict=True):
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        assert pictures[0].image.content_type == "image/png"  # type: ignore[attr-defined]
        assert pictures[0].left + pictures[0].width <= prs.slide_width  # on the slide
        assert pictures[0].top + pictures[0].height <= prs.slide_height
        captions = [s.text_frame.text for s in slide.shapes if s.has_text_frame and s != slide.shapes.title]
        assert len(captions) == 1
        assert captions == [view.credits.caption()]
        assert captions[0].startswith("Sources: Mathers et al. 2014 (S")
        assert "Programme: National Health Trainers Service (England)" in captions[0]
        assert f"build {case.sha256[:7]}" in captions[0]


def test_the_speaker_notes_hold_the_citations(case: Release, deck_bytes: bytes) -> None:
    prs = Presentation(io.BytesIO(deck_bytes))
    notes = prs.slides[0].notes_slide.notes_text_frame.text  # type: ignore[union-attr]
    picture = make_view(case).picture
    assert picture is not None
    for line in references(case.model(), picture.source_ids):
        assert line in notes
    assert "S4. Mathers et al. 2014. Table 2 of S1" in notes
    assert f"policygraph {case.version}, build {case.sha256[:7]}" in notes


def test_a_neighbourhood_deck_and_the_4_3_size(case: Release) -> None:
    prs = Presentation(io.BytesIO(export(case, make_view(case, "neighbourhood", node=SERVICE_D), "pptx",
                                         size="4:3")))
    assert (prs.slide_width, prs.slide_height) == (Inches(10), Inches(7.5))
    assert [s.shapes.title.text for s in prs.slides] == ["Neighbourhood of Case study D (1 hop)"]  # type: ignore[union-attr]


def test_the_cli_writes_a_deck(build_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "service-d.pptx"
    result = run_cli("export", "pptx", "--service", "D", "-o", str(out), build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert re.match(r"wrote .*service-d\.pptx \(\d+ bytes; 6 expectations x 1 case study;", result.stdout)
    assert len(Presentation(str(out)).slides) == 5


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None and os.environ.get("CI") != "true",
                    reason="LibreOffice not installed (scripts/setup.sh --test installs it); CI=true makes this fail")
def test_libreoffice_converts_the_deck_to_pdf(deck_bytes: bytes, tmp_path: Path) -> None:
    assert SOFFICE is not None, "soffice is missing: run scripts/setup.sh --test"
    deck = tmp_path / "vision.pptx"
    deck.write_bytes(deck_bytes)
    profile = tmp_path / "profile"  # its own profile: no clash with another soffice of the same user
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(deck)], capture_output=True, text=True, timeout=180,
                          check=False)
    assert done.returncode == 0, done.stderr
    pdf = (tmp_path / "vision.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 5  # every slide became a page


def test_a_long_title_is_shortened_on_the_slide_and_whole_in_the_notes(tmp_path: Path) -> None:
    from exports_support import rewritten_build

    long = "An intent whose label goes on " + "and on " * 40 + "END"
    def label(node: object, text: str) -> str:
        return long if str(node).endswith("intent/peer-support-from-next-door") else text

    release = Release.current(rewritten_build(tmp_path / "long", label))
    chosen = make_view(release, intent="peer-support-from-next-door")
    slide = Presentation(io.BytesIO(export(release, chosen, "pptx"))).slides[0]
    title = slide.shapes.title.text  # type: ignore[union-attr]
    assert title.endswith("…")
    assert len(title) < len(chosen.title)
    assert chosen.title in slide.notes_slide.notes_text_frame.text  # type: ignore[union-attr]
