"""Build, check and smoke-run the release artefacts (what ``make dist`` runs).

    python scripts/dist.py [--out DIR] [--keep-venv]

1. ``python -m build`` (sdist + wheel, no build isolation: hatchling comes from the dev extra);
2. ``twine check --strict`` on both;
3. a fresh virtual environment (no access to this checkout) gets the wheel and its
   dependencies from the package registry, then runs the product from there, offline, on the
   shipped atlas: ``--version``, ``validate``, ``map``, ``run --quiet --no-report``, ``report``
   (the page must carry plotly and the app script inline and load nothing from the network)
   and an import of the public API; the wheel must carry LICENSE and NOTICE.

Each step prints one line; the first failure exits 1 naming the step and its output.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class StepFailed(Exception):
    """A step of the release check failed; the message names it and carries its output."""


def _run(step: str, cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StepFailed(
            f"{step}: exit {done.returncode}\n$ {' '.join(cmd)}\n{done.stdout}\n{done.stderr}"
        )
    print(f"ok  {step}  ({time.perf_counter() - started:.1f} s)", flush=True)
    return done.stdout


def build(out: Path) -> tuple[Path, Path]:
    """sdist and wheel into ``out``."""
    _run(
        "build sdist + wheel",
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        cwd=REPO,
    )
    (wheel,) = out.glob("stackatlas-*.whl")
    (sdist,) = out.glob("stackatlas-*.tar.gz")
    _run(
        "twine check",
        [sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
        cwd=REPO,
    )
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("LICENSE", "NOTICE"):
        if not any(n.endswith(f".dist-info/licenses/{required}") for n in names):
            raise StepFailed(f"wheel contents: {required} is missing from {wheel.name}")
    print(f"ok  wheel carries LICENSE and NOTICE  ({wheel.name})", flush=True)
    return sdist, wheel


def smoke(wheel: Path, workdir: Path) -> None:
    """Install ``wheel`` into a fresh venv and run the product from it, offline."""
    venv = workdir / "venv"
    _run("fresh venv", [sys.executable, "-m", "venv", str(venv)], cwd=workdir)
    python = venv / "bin" / "python"
    _run(
        "pip install the wheel",
        [str(python), "-m", "pip", "install", "-q", str(wheel)],
        cwd=workdir,
    )
    home = workdir / "home"
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(workdir),
        "STACKATLAS_HOME": str(home),
        "STACKATLAS_OFFLINE": "1",
        "COLUMNS": "120",
    }
    exe = str(venv / "bin" / "stackatlas")
    version = _run("stackatlas --version", [exe, "--version"], cwd=workdir, env=env)
    expected = _version()
    if version.strip() != f"stackatlas {expected}":
        raise StepFailed(f"--version printed {version.strip()!r}, expected {expected!r}")
    _run("stackatlas validate", [exe, "validate"], cwd=workdir, env=env)
    out = _run("stackatlas map", [exe, "map", "--layer", "chips"], cwd=workdir, env=env)
    if "Nvidia" not in out:
        raise StepFailed("map: Nvidia missing from the chips layer")
    _run(
        "stackatlas run --quiet --no-report",
        [exe, "run", "--quiet", "--no-report"],
        cwd=workdir,
        env=env,
    )
    page = workdir / "report.html"
    _run("stackatlas report", [exe, "report", "-o", str(page)], cwd=workdir, env=env)
    check_report_offline(page)
    print("ok  report renders offline (plotly inline, no external src/href)", flush=True)
    _run(
        "import the public API",
        [
            str(python),
            "-c",
            "import stackatlas; "
            "assert stackatlas.__version__ == " + repr(expected) + "; "
            "[getattr(stackatlas, n) for n in stackatlas.__all__]; "
            "a = stackatlas.load_atlas(); assert 'nvidia' in a.companies",
        ],
        cwd=workdir,
        env=env,
    )


_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I
)


def check_report_offline(page: Path) -> None:
    """The report needs nothing from the network: no external script/link/img, plotly inline."""
    html = page.read_text(encoding="utf-8")
    external = _EXTERNAL.findall(html)
    if external:
        raise StepFailed(f"report loads from the network: {external[:3]}")
    has_plotly_js = "Plotly" in html
    has_chart = 'class="plotly-graph-div"' in html or "Plotly.newPlot" in html
    if not (has_plotly_js and has_chart):
        raise StepFailed("report carries no plotly chart or no inline plotly.js")


def _version() -> str:
    text = (REPO / "src" / "stackatlas" / "_version.py").read_text(encoding="utf-8")
    match = re.search(r'__version__ = "([^"]+)"', text)
    if not match:
        raise StepFailed("src/stackatlas/_version.py has no __version__")
    return match.group(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    parser.add_argument("--keep-venv", action="store_true", help="keep the smoke-test venv")
    args = parser.parse_args(argv)
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    workdir = Path(tempfile.mkdtemp(prefix="stackatlas-dist-"))
    try:
        _, wheel = build(args.out)
        smoke(wheel, workdir)
    except StepFailed as failure:
        print(f"FAILED {failure}", file=sys.stderr)
        return 1
    finally:
        if args.keep_venv:
            print(f"smoke venv kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"dist ok: {', '.join(sorted(p.name for p in args.out.iterdir()))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
