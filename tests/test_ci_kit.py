"""The CI kit around the commands: --version/-V, styles --path (with pandoc), shell
completion, and the workflows in docs/ci.md, whose bibvault commands must parse."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

import bibvault
from bibvault.cli import cli
from bibvault.cli import command as bibvault_command

REPO = Path(__file__).resolve().parents[1]
BIBVAULT = Path(sys.executable).with_name("bibvault")


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag: str):
    result = CliRunner().invoke(cli, [flag])
    assert result.exit_code == 0
    assert result.output == f"bibvault, version {bibvault.__version__}\n"


def test_styles_path_names_the_file(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(REPO)
    runner = CliRunner()
    site = runner.invoke(cli, ["styles", "--path", "site"])
    assert site.exit_code == 0 and Path(site.stdout.strip()) == REPO / "styles" / "site.csl"
    apa = runner.invoke(cli, ["styles", "--path", "apa"])
    path = Path(apa.stdout.strip())
    assert apa.exit_code == 0 and path.is_absolute() and path.suffix == ".csl"
    assert b"<style" in path.read_bytes()[:2000]
    missing = runner.invoke(cli, ["styles", "--path", "no-such-style"])
    assert missing.exit_code == 2 and "unknown style 'no-such-style'" in missing.stderr


def test_pandoc_formats_with_the_printed_style(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if shutil.which("pandoc") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pandoc is required in CI")
        pytest.skip("pandoc not installed")
    monkeypatch.chdir(REPO)
    runner = CliRunner()
    csl = runner.invoke(cli, ["styles", "--path", "apa"]).stdout.strip()
    refs = tmp_path / "refs.json"
    exported = runner.invoke(cli, ["export", "--to", "csl-json", "-o", str(refs)])
    assert exported.exit_code == 0, exported.output
    doc = tmp_path / "doc.md"
    doc.write_text("See [@lobo2021front].\n", encoding="utf-8")
    out = subprocess.run(["pandoc", str(doc), "--citeproc", "--bibliography", str(refs),
                          "--csl", csl, "-t", "plain"], capture_output=True, text=True,
                         check=True, timeout=120)
    # APA: no author, so the title leads the citation and the reference.
    assert "See (An Anti-Taliban Front Is Already Forming. Can It Last?, 2021)." in out.stdout
    assert "(2021, August\n21). Lobo Institute." in out.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_for_each_shell(shell: str):
    if not BIBVAULT.is_file():
        pytest.skip("the bibvault script is not installed next to this Python")
    env = {**os.environ, "_BIBVAULT_COMPLETE": f"{shell}_source"}
    out = subprocess.run([str(BIBVAULT)], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert f"_BIBVAULT_COMPLETE={shell}_complete" in out.stdout
    doc = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    assert f"_BIBVAULT_COMPLETE={shell}_source bibvault" in doc


def test_bash_completion_offers_ci_formats():
    if not BIBVAULT.is_file():
        pytest.skip("the bibvault script is not installed next to this Python")
    env = {**os.environ, "_BIBVAULT_COMPLETE": "bash_complete",
           "COMP_WORDS": "bibvault validate --format ", "COMP_CWORD": "3"}
    out = subprocess.run([str(BIBVAULT)], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["plain,text", "plain,json", "plain,github", "plain,sarif"]


def _doc_commands() -> list[str]:
    doc = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    assert len(blocks) == 3, "GitHub Actions, GitLab CI and pre-commit"
    commands: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("run", "script") and isinstance(v, str):
                    commands.append(v)
                elif k == "script" and isinstance(v, list):
                    commands.extend(str(x) for x in v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for block in blocks:
        walk(yaml.safe_load(block))
    return [c for c in commands if c.startswith("bibvault ")]


def test_ci_doc_workflows_use_real_commands_and_options():
    commands = _doc_commands()
    assert {c.split()[1] for c in commands} >= {"validate", "check", "build"}
    assert any("--format github" in c for c in commands)
    assert any("--format sarif" in c for c in commands)
    for line in commands:
        words = shlex.split(line.split(">")[0].split("||")[0])
        command = bibvault_command(words[1])
        with command.make_context(words[1], words[2:], obj=None) as ctx:
            assert isinstance(ctx, click.Context)
