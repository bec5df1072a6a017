"""Data directory and config file problems are located errors (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackatlas import config
from stackatlas.errors import ValidationError


def test_home_that_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "afile"
    home.write_text("x")
    monkeypatch.setenv("STACKATLAS_HOME", str(home))
    with pytest.raises(ValidationError, match="STACKATLAS_HOME is a file, not a directory"):
        config.store_path()
    with pytest.raises(ValidationError, match="STACKATLAS_HOME is a file"):
        config.cache_dir("sec")


def test_cache_folder_that_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKATLAS_HOME", str(tmp_path))
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "sec").write_text("x")
    with pytest.raises(ValidationError, match="the sec cache folder is a file"):
        config.cache_dir("sec")


def test_config_toml_errors_name_the_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKATLAS_HOME", str(tmp_path))
    path = tmp_path / "config.toml"
    path.write_text('[sec]\nuser_agent = "Jane jane@example.org"\nrate_limit = \n')
    with pytest.raises(ValidationError) as err:
        config.config_table("sec")
    (problem,) = err.value.problems
    assert (problem.file, problem.line) == (str(path), 3)
    assert problem.message.startswith("not TOML: ")
    path.write_text("sec = 5\n")
    with pytest.raises(ValidationError, match=r"\[sec\] must be a table"):
        config.config_table("sec")
    path.write_bytes(b'[sec]\nuser_agent = "caf\xe9"\n')
    with pytest.raises(ValidationError, match="not TOML"):
        config.config_table("sec")
    path.write_text('[sec]\nuser_agent = "Jane jane@example.org"\n')
    assert config.config_table("sec") == {"user_agent": "Jane jane@example.org"}
