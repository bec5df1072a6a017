"""MkDocs hooks (``hooks:`` in mkdocs.yml): the reference pages generated at build time, so
they can never fall behind the code.

    reference/cli.md    every command of the Typer app (``stackatlas.cli.reference``)
    reference/json.md   every JSON shape of the API models (``stackatlas.cli.shapes``)
    project/*.md        the repository's CHANGELOG, CONTRIBUTING, SECURITY, LICENSE and NOTICE,
                        their links rewritten for the site

Run as a script to write them into a folder for reading without a build:
``python scripts/mkdocs_hooks.py OUTDIR``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# site page -> the repository files it shows (plain-text files go in a text block)
PROJECT = {
    "project/changelog.md": ("CHANGELOG.md",),
    "project/contributing.md": ("CONTRIBUTING.md",),
    "project/security.md": ("SECURITY.md",),
    "project/license.md": ("LICENSE", "NOTICE"),
}
GENERATED = ("reference/cli.md", "reference/json.md", *PROJECT)
_SITE_NAMES = {files[0]: page.removeprefix("project/") for page, files in PROJECT.items()}
_SITE_NAMES["NOTICE"] = "license.md"
_LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)\s]+)\)")


def project_page(names: tuple[str, ...], root: Path = ROOT) -> str:
    """One repository file as a site page: its links into docs/ and to its siblings rewritten."""
    parts = []
    for name in names:
        text = (root / name).read_text(encoding="utf-8")
        if name.endswith(".md"):
            parts.append(_LINK.sub(lambda m: f"]({_site_link(m.group(1))})", text))
        else:
            parts.append(f"## {name}\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def _site_link(target: str) -> str:
    if target.startswith("docs/"):
        return "../" + target.removeprefix("docs/")
    return _SITE_NAMES.get(target, target)


def pages(docs_dir: Path = DOCS) -> dict[str, str]:
    """Generated page path (relative to the docs folder) -> Markdown."""
    from stackatlas.cli.reference import cli_markdown
    from stackatlas.cli.shapes import json_markdown

    return {
        "reference/cli.md": cli_markdown(docs_dir, link_prefix="../"),
        "reference/json.md": json_markdown(),
        **{page: project_page(names) for page, names in PROJECT.items()},
    }


def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages to the site's files (before the nav is built)."""
    from mkdocs.structure.files import File

    for uri, text in pages(Path(config["docs_dir"])).items():
        files.append(File.generated(config, uri, content=text))
    return files


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "site-reference")
    for uri, text in pages().items():
        target = out / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(target)
