"""What ``archive`` and ``check`` write lands where ``fmt`` would put it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bibvault.bibfile import parse
from bibvault.cli import cli
from bibvault.links.report import StatusChange, apply_changes
from webfarm import Capture, Farm, running_farm

REPO = Path(__file__).resolve().parent.parent
URL_LINE = re.compile(r"^(  url +)= \{[^}]*\},$", re.MULTILINE)


@pytest.fixture()
def farm() -> Iterator[Farm]:
    yield from running_farm()


def invoke(cfg: Path, *args: str) -> Result:
    env = {"HOME": str(cfg.parent), "XDG_CONFIG_HOME": None, "IA_CONFIG_FILE": None,
           "IA_ACCESS_KEY": None, "IA_SECRET_KEY": None, "BIBVAULT_WAYBACK_URL": None,
           "BIBVAULT_MEMENTO_URL": None}
    return CliRunner().invoke(cli, ["--config", str(cfg), *args], env=env)


def test_archive_keeps_the_bundled_files_formatted(tmp_path: Path, farm: Farm) -> None:
    site, wayback = farm.site("127.0.0.80"), farm.archive("127.0.0.81")
    shutil.copytree(REPO / "bib", tmp_path / "bib")
    n = 0
    for path in sorted((tmp_path / "bib").glob("*.bib")):
        text = path.read_text(encoding="utf-8")

        def local(m: re.Match[str]) -> str:
            nonlocal n
            n += 1
            url = f"{site}/ok?n={n}"
            farm.archive_state.captures[url] = [Capture("20230901083000")]
            return f"{m.group(1)}= {{{url}}},"

        path.write_text(URL_LINE.sub(local, text), encoding="utf-8")
    assert n >= 3
    cfg = tmp_path / "bibvault.yaml"
    cfg.write_text(f"records: bib\ncheck:\n  host_delay: 0\narchive:\n  wayback_url: {wayback}\n"
                   f"  memento_url: {wayback}\n"
                   "  local_dir: copies\n", encoding="utf-8")
    assert invoke(cfg, "fmt", "--check").exit_code == 0
    result = invoke(cfg, "archive", "--local")
    assert result.exit_code == 0, result.output
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "bib").glob("*.bib"))
    assert text.count("archivesha256 = {") == n and text.count("archiveurl    = {") == n
    formatted = invoke(cfg, "fmt", "--check")
    assert formatted.exit_code == 0, formatted.stderr


def test_urlstatus_goes_after_urldate_in_a_formatted_entry() -> None:
    text = ("% kept\n@online{a,\n  title   = {A},\n  url     = {https://example.org/a},\n"
            "  urldate = {2024-01-02},\n  note    = {N},\n}\n\n"
            "@online{b,\n title={B}, url={https://example.org/b},\n}\n")
    bf = parse(text, "refs.bib")
    [out] = apply_changes([StatusChange("refs.bib", "a", "{dead}"),
                           StatusChange("refs.bib", "b", "{dead}")], [bf])
    new = out.to_text()
    assert new.startswith("% kept\n@online{a,\n  title     = {A},\n"
                          "  url       = {https://example.org/a},\n  urldate   = {2024-01-02},\n"
                          "  urlstatus = {dead},\n  note      = {N},\n}\n")
    # An entry that was not in fmt's layout is edited minimally, as before.
    assert new.endswith("\n\n@online{b,\n title={B}, url={https://example.org/b}, "
                        "urlstatus={dead},\n}\n")
