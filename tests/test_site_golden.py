"""Golden files: the bundled reading list as ``bibvault build`` writes it.

Regenerate with ``UPDATE_GOLDEN=1`` and read the diff before committing it.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from bibvault.build import BuildOptions, run_build
from bibvault.config import load_config

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden" / "site"
FILES = ["index.html", "reading-list.site.txt", "reading-list.site.md",
         "reading-list.apa.txt", "reading-list.chicago-ad.md"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden-site")
    config = load_config(REPO / "bibvault.yaml")
    # No link history: a `bibvault check` run in the checkout must not change the goldens.
    no_history = str(out / "no-links.sqlite")
    config = dataclasses.replace(config, check=dataclasses.replace(config.check,
                                                                   database=no_history))
    result = run_build(config, BuildOptions(output=str(out), exports=()))
    assert not result.stopped
    return out


@pytest.mark.parametrize("name", FILES)
def test_bundled_list_matches_golden(built: Path, name: str):
    got = (built / name).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}; run with UPDATE_GOLDEN=1"
    assert got == golden.read_text(encoding="utf-8")
