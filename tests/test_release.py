"""Release readiness: licence and project files, one version, CI and pre-commit configs that
match the Makefile, and ``make dist``'s build + clean-venv smoke run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import stackatlas
from stackatlas.cli.app import app

REPO = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("LICENSE", "NOTICE", "CHANGELOG.md", "CONTRIBUTING.md", "SECURITY.md")


def _make_recipe(target: str) -> list[str]:
    """The command lines of one Makefile target (tabs stripped, make variables kept)."""
    lines = (REPO / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


@pytest.mark.parametrize("name", PROJECT_FILES)
def test_project_file_exists_and_is_linked_from_the_readme(name: str) -> None:
    assert (REPO / name).is_file(), name
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"]({name})" in readme, f"README does not link {name}"


@pytest.mark.parametrize("name", PROJECT_FILES)
def test_project_file_links_resolve(name: str) -> None:
    text = (REPO / name).read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if not re.match(r"[a-z]+:", t)]
    assert [t for t in local if not (REPO / t).exists()] == []


def test_security_policy_links_the_threat_model() -> None:
    """SECURITY.md summarises; docs/security.md is the full threat model."""
    assert "](docs/security.md)" in (REPO / "SECURITY.md").read_text(encoding="utf-8")


def test_licence_is_the_declared_mit_licence() -> None:
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert 'license = "MIT"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_notice_names_every_third_party_dataset_and_its_terms() -> None:
    notice = (REPO / "NOTICE").read_text(encoding="utf-8")
    for dataset, terms in [
        ("SEC EDGAR", "public domain"),
        ("Epoch AI", "CC BY 4.0"),
        ("CSET / Emerging Technology Observatory", "CC BY-NC 4.0"),
        ("Yahoo Finance", "Yahoo's terms"),
        ("MarsBit", "quoted"),
    ]:
        assert dataset in notice and terms in notice, dataset
    assert "NEVER bundled" in notice  # CC BY-NC data is read from the user's folder


def test_one_version_everywhere() -> None:
    """The version is written once (_version.py); package, CLI and changelog agree."""
    from importlib.metadata import version

    written = re.findall(
        r"__version__ = \"([^\"]+)\"",
        (REPO / "src/stackatlas/_version.py").read_text(encoding="utf-8"),
    )
    assert written == [stackatlas.__version__]
    assert version("stackatlas") == stackatlas.__version__  # hatch reads the same file
    out = CliRunner().invoke(app, ["--version"])
    assert out.exit_code == 0 and out.output.strip() == f"stackatlas {stackatlas.__version__}"
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{stackatlas.__version__}]" in changelog
    assert "keepachangelog.com" in changelog and "semver.org" in changelog


def test_web_footer_carries_the_version() -> None:
    from stackatlas.web.render import environment

    assert environment().globals["stackatlas_version"] == stackatlas.__version__
    base = (REPO / "src/stackatlas/web/templates/base.html").read_text(encoding="utf-8")
    assert "stackatlas {{ stackatlas_version }}" in base


def test_classifiers_declare_the_supported_pythons() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    for minor in ("3.11", "3.12", "3.13"):
        assert f'"Programming Language :: Python :: {minor}"' in pyproject
    assert 'requires-python = ">=3.11"' in pyproject


def test_github_workflow_is_valid_and_runs_the_make_targets() -> None:
    """The public CI cannot run here: check it against the GitHub workflow schema (vendored in
    check-jsonschema, no network) and check that it calls make targets that exist."""
    workflow = REPO / ".github/workflows/ci.yml"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(workflow),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    spec = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    matrix = spec["jobs"]["test"]["strategy"]["matrix"]
    assert set(matrix["os"]) == {"ubuntu-latest", "macos-latest"}
    assert matrix["python"] == ["3.11", "3.12", "3.13"]
    runs = " ".join(step.get("run", "") for job in spec["jobs"].values() for step in job["steps"])
    targets = set(re.findall(r"\bmake (\w+)", runs))
    assert {"test", "dist"} <= targets
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for target in targets:
        assert re.search(rf"^{target}:", makefile, re.M), f"CI runs `make {target}`: no target"


def test_pre_commit_runs_the_same_checks_as_make_test() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook["entry"] for repo in config["repos"] for hook in repo["hooks"]]
    hook_commands = {re.sub(r"^\.venv/bin/| --force-exclude", "", h) for h in hooks}
    checks = {
        line.removeprefix("$(BIN)/")
        for line in _make_recipe("test")
        if re.match(r"\$\(BIN\)/(ruff|mypy|pyright)\b", line)
    }
    checks = {re.sub(r" \.$", "", c) for c in checks}  # the hook passes the files itself
    assert checks, "make test runs no static check"
    assert hook_commands == checks


@pytest.mark.slow
def test_make_dist_builds_checks_and_smoke_runs_the_wheel(tmp_path: Path) -> None:
    """``make dist`` end to end: build, twine check, a clean venv from the wheel running the
    product offline (its report must carry every asset inline)."""
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts/dist.py"), "--out", str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for step in (
        "twine check",
        "wheel carries LICENSE and NOTICE",
        "stackatlas --version",
        "run --quiet --no-report",
        "report renders offline",
        "import the public API",
    ):
        assert step in done.stdout, step
    built = sorted(p.name for p in (tmp_path / "dist").iterdir())
    version = stackatlas.__version__
    assert built == [f"stackatlas-{version}-py3-none-any.whl", f"stackatlas-{version}.tar.gz"]
