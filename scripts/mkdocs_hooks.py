"""MkDocs hooks (``hooks:`` in mkdocs.yml): the reference pages generated at build time, so
they can never fall behind the code.

    reference/cli.md    every command of the Typer app (``stackatlas.cli.reference``)
    reference/json.md   every JSON shape of the API models (``stackatlas.cli.shapes``)

Run as a script to write them into a folder for reading without a build:
``python scripts/mkdocs_hooks.py OUTDIR``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[1] / "docs"
GENERATED = ("reference/cli.md", "reference/json.md")


def pages(docs_dir: Path = DOCS) -> dict[str, str]:
    """Generated page path (relative to the docs folder) -> Markdown."""
    from stackatlas.cli.reference import cli_markdown
    from stackatlas.cli.shapes import json_markdown

    return {
        "reference/cli.md": cli_markdown(docs_dir, link_prefix="../"),
        "reference/json.md": json_markdown(),
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
