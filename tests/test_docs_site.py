"""The documentation site builds strictly (mkdocs-material): every page in the nav, no broken
link; the README links the pages that exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


def _nav_pages(nav: list) -> set[str]:
    pages: set[str] = set()
    for item in nav:
        for value in item.values() if isinstance(item, dict) else [item]:
            if isinstance(value, list):
                pages |= _nav_pages(value)
            else:
                pages.add(value)
    return pages


GENERATED = {  # written by scripts/mkdocs_hooks.py
    "reference/cli.md",
    "reference/json.md",
    "project/changelog.md",
    "project/contributing.md",
    "project/security.md",
    "project/license.md",
}


def _config() -> dict:
    return yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))


def test_every_docs_page_is_in_the_nav() -> None:
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert _nav_pages(_config()["nav"]) == pages | GENERATED
    assert not pages & GENERATED, "a generated page is also written by hand"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built once, strictly (a broken link, a page outside the nav, a hook error)."""
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_the_site_builds_strictly(site: Path) -> None:
    assert (site / "index.html").is_file()
    assert (site / "commands" / "infra" / "index.html").is_file()
    assert (site / "tutorial" / "index.html").is_file()


def test_the_project_files_are_pages_of_the_site(site: Path) -> None:
    """CHANGELOG, CONTRIBUTING, SECURITY, LICENSE and NOTICE are read from the repository at
    build time; their links into docs/ point at the site's pages (a broken one fails --strict)."""
    page = (site / "project" / "security" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../security/"' in page  # SECURITY.md's docs/security.md link
    assert 'href="../license/"' in page  # its NOTICE link
    licence = (site / "project" / "license" / "index.html").read_text(encoding="utf-8")
    assert "MIT License" in licence and "CC BY-NC" in licence  # LICENSE, then NOTICE
    changelog = (site / "project" / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "0.2.0" in changelog and "0.1.0" in changelog


def test_the_cli_reference_lists_every_command(site: Path) -> None:
    """Generated from the Typer app at build time: a new command appears without anyone
    writing it down, with each of its options."""
    from stackatlas.cli.reference import anchor, commands

    page = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    docs = commands()
    assert len(docs) >= 30
    for doc in docs:
        assert f'id="{anchor(doc.path)}"' in page, doc.path
        for param in doc.command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and not param.hidden:
                    assert opt in page, (doc.path, opt)


def test_the_json_reference_has_every_api_model(site: Path) -> None:
    """Generated from the API's pydantic models: every endpoint's response (and request body)
    model and every model nested in them has a section with each of its fields."""
    from pydantic import BaseModel

    from stackatlas.web import models

    page = (site / "reference" / "json" / "index.html").read_text(encoding="utf-8")
    named = [
        m
        for m in vars(models).values()
        if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == models.__name__
    ]
    for model in named:
        if model.__name__.startswith("_"):
            continue
        assert f'id="{model.__name__.lower()}"' in page, model.__name__
        for name, field in model.model_fields.items():
            assert f"<code>{field.alias or name}</code>" in page, (model.__name__, name)


def test_the_methodology_index_links_every_methodology_page() -> None:
    """A methodology page added to the nav is listed on the methodology index too."""
    section = next(item["Methodology"] for item in _config()["nav"] if "Methodology" in item)
    index = (DOCS / "methodology" / "index.md").read_text(encoding="utf-8")
    for page in _nav_pages(section) - {"methodology/index.md"}:
        target = os.path.relpath(DOCS / page, DOCS / "methodology")
        assert f"]({target})" in index, page


def test_readme_links_point_at_existing_files() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if not target.startswith(("http://", "https://")):
            assert (REPO / target).exists(), target


def test_readme_stays_short() -> None:
    """The README is what it is, the two commands, commands at a glance and links (<= 200)."""
    assert len((REPO / "README.md").read_text(encoding="utf-8").splitlines()) <= 200


def test_the_dashboard_picture_is_small_and_shown() -> None:
    """One screenshot (taken by tests/web/test_browser.py; ``make screenshot`` refreshes it),
    referenced from the README and the docs home."""
    picture = DOCS / "images" / "dashboard.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert picture.stat().st_size < 300_000
    assert "](docs/images/dashboard.png)" in (REPO / "README.md").read_text(encoding="utf-8")
    assert "](images/dashboard.png)" in (DOCS / "index.md").read_text(encoding="utf-8")
