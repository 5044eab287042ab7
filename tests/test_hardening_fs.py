"""Hardening of the file system side (issue 13): links, output folders, temporary files,
records paths that hold nothing."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bibvault.bibfile import load
from bibvault.cli import cli
from bibvault.config import ConfigError, load_config
from bibvault.fsutil import atomic_write, remove_stale_temps

BIB = ("@online{alpha, title = {Alpha}, date = {2022}, keywords = {x},"
       " url = {https://a.example/}}\n")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "bib").mkdir(parents=True)
    (root / "bib" / "list.bib").write_text(BIB, encoding="utf-8")
    (root / "bibvault.yaml").write_text(
        "records: [bib]\nbuild:\n  styles: [apa]\n  formats: [html, md]\n  exports: []\n",
        encoding="utf-8")
    return root


def _build(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), "build",
                                    "--force", *args])


def test_build_refuses_dangling_symlink_out_of_output(project: Path, tmp_path: Path) -> None:
    site = project / "site"
    site.mkdir()
    victim = tmp_path / "elsewhere" / "victim"
    (site / "reading-list.apa.md").symlink_to(victim)
    res = _build(project)
    assert res.exit_code == 2, res.output
    assert "reading-list.apa.md" in res.stderr and "symbolic link" in res.stderr
    assert not victim.exists() and not victim.parent.exists()
    # refused before anything was written
    assert not (site / "index.html").exists()


def test_build_refuses_symlink_to_existing_file_outside_output(project: Path,
                                                               tmp_path: Path) -> None:
    site = project / "site"
    site.mkdir()
    victim = tmp_path / "victim.html"
    victim.write_text("keep me", encoding="utf-8")
    (site / "index.html").symlink_to(victim)
    assert _build(project).exit_code == 2
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_atomic_write_refuses_dangling_link_into_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "f.txt").symlink_to(tmp_path / "missing" / "deeper" / "f.txt")
    with pytest.raises(OSError) as info:
        atomic_write(out / "f.txt", b"x", make_dirs=True)
    assert info.value.errno == errno.ELOOP and info.value.filename == str(out / "f.txt")
    assert not (tmp_path / "missing").exists()


def test_atomic_write_refuses_linked_folder_leading_out_of_within(tmp_path: Path) -> None:
    out, away = tmp_path / "out", tmp_path / "away"
    out.mkdir()
    away.mkdir()
    (out / "sub").symlink_to(away)
    with pytest.raises(OSError):
        atomic_write(out / "sub" / "f.txt", b"x", within=out)
    assert list(away.iterdir()) == []


def test_atomic_write_follows_link_inside_its_folder(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_bytes(b"old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    atomic_write(tmp_path / "link.txt", b"new")
    assert (tmp_path / "link.txt").is_symlink()
    assert (tmp_path / "real.txt").read_bytes() == b"new"


@pytest.mark.parametrize("output", ["/", "..", ".", "bib", "bib/inner"])
def test_build_output_may_not_be_root_parent_project_or_records(project: Path,
                                                                output: str) -> None:
    (project / "bibvault.yaml").write_text(f"records: [bib]\nbuild:\n  output: {output!r}\n",
                                           encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bibvault.yaml: build.output: "):
        load_config(project / "bibvault.yaml")


def test_build_output_may_not_be_the_home_folder(project: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    (project / "bibvault.yaml").write_text(f"records: [bib]\nbuild:\n  output: '{home}'\n",
                                           encoding="utf-8")
    with pytest.raises(ConfigError, match="the home folder"):
        load_config(project / "bibvault.yaml")


def test_build_output_option_may_not_be_the_root_folder(project: Path) -> None:
    res = _build(project, "-o", "/")
    assert res.exit_code == 2 and "--output: '/' is the root folder" in res.stderr
    assert not Path("/index.html").exists()


def test_build_output_beside_the_project_is_accepted(project: Path) -> None:
    (project / "bibvault.yaml").write_text(
        "records: [bib]\nbuild:\n  output: ../public\n  formats: [md]\n  styles: [apa]\n"
        "  exports: []\n", encoding="utf-8")
    assert _build(project).exit_code == 0
    assert (project.parent / "public" / "reading-list.apa.md").is_file()


@pytest.mark.parametrize("command", [["validate", "--fix"], ["list"], ["build", "--force"]])
def test_empty_records_folder_is_a_configuration_error(project: Path, command: list[str]) -> None:
    (project / "bib" / "list.bib").unlink()
    res = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), *command])
    assert res.exit_code == 2, res.output
    assert "records: 'bib' holds no .bib file" in res.stderr
    assert not (project / "site").exists()


def test_records_file_that_is_an_empty_folder_is_a_configuration_error(project: Path) -> None:
    (project / "refs.bib").mkdir()
    (project / "bibvault.yaml").write_text("records: [refs.bib]\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), "validate"])
    assert res.exit_code == 2 and "holds no .bib file" in res.stderr


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_stale_temp_files_of_dead_runs_are_removed_on_the_next_write(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    dead = tmp_path / f".refs.bib.{_dead_pid()}.k2j3h4.tmp"
    live = tmp_path / f".refs.bib.{os.getppid()}.a8b7c6.tmp"  # a running process
    legacy_old = tmp_path / ".refs.bib.x1y2z3w4.tmp"
    legacy_new = tmp_path / ".refs.bib.q1w2e3r4.tmp"
    other = tmp_path / f".other.bib.{_dead_pid()}.k2j3h4.tmp"
    for p in (dead, live, legacy_old, legacy_new, other):
        p.write_bytes(b"partial")
    for p in (dead, live, legacy_old, other):
        _age(p, 2 * 3600)
    bf = load(bib)
    bf.set_field("alpha", "year", "{2022}")
    bf.save()
    assert not dead.exists() and not legacy_old.exists()
    assert live.exists() and legacy_new.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".refs")) == sorted(
        [live.name, legacy_new.name])


def test_temp_file_of_a_dead_run_younger_than_this_run_is_kept(tmp_path: Path) -> None:
    fresh = tmp_path / f".refs.bib.{_dead_pid()}.k2j3h4.tmp"
    fresh.write_bytes(b"partial")
    _age(fresh, -60)  # written after this run started: not ours to judge
    assert remove_stale_temps(tmp_path, "refs.bib") == []
    assert fresh.exists()


def test_failed_write_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    target = tmp_path / "refs.bib"
    target.write_bytes(b"old")
    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError) as info:
        atomic_write(target, b"new")
    assert info.value.filename == str(target)
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]
    assert target.read_bytes() == b"old"
