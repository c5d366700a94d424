"""Real-browser fixtures: one built case, one running explorer (one on the XSS fixture, one offering the
case and a national programme), one Chromium (Debian's, never a downloaded browser), and a fresh page
per test that fails the test on any console error, uncaught page error or dialog."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from explorer_ui import CASE, CHROMIUM, Watch, cli_build, launch, national_build, readme_explorer, running_explorer
from playwright.sync_api import Browser, Page, sync_playwright
from xss_fixture import write_build

HERE = Path(__file__).resolve().parent


def _ci() -> bool:
    return os.environ.get("CI") == "true"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists() or _ci():
        return  # on CI a missing browser is a failure (see the browser fixture), never a skip
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found (apt-get install -y chromium); CI=true makes this fail")
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: the browser tests need Debian's Chromium (scripts/setup.sh --test)")
    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def explorer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the explorer on the case, built and started by the README's command (`make run`)."""
    root = tmp_path_factory.mktemp("explorer")
    with readme_explorer(root / "build", root / "explorer.log") as url:
        yield url


@pytest.fixture(scope="session")
def xss_explorer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a second explorer on the case with markup in its labels."""
    root = tmp_path_factory.mktemp("xss")
    build_dir = write_build(CASE, root / "build")
    with running_explorer(build_dir, root / "explorer.log") as url:
        yield url


@pytest.fixture(scope="session")
def programmes_explorer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of an explorer offering the case (default) and a national programme: a small generated one
    (6 services), or $POLICYGRAPH_NATIONAL_BUILD (e.g. the full-scale /tmp/natbuild)."""
    root = tmp_path_factory.mktemp("programmes")
    case = cli_build(root / "case-build")
    with running_explorer(case, root / "explorer.log", [national_build(root)]) as url:
        yield url


@pytest.fixture
def watch(browser: Browser) -> Iterator[Watch]:
    """Fails the test on any console error, uncaught page error or dialog (checked at the end)."""
    watched = Watch(browser)
    yield watched
    watched.context.close()
    watched.check()


@pytest.fixture
def page(watch: Watch) -> Page:
    return watch.page
