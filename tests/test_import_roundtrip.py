"""The bundled records exported as RIS and as CSL-JSON, imported into an empty project,
are the same records again (type, title, names, date, URL, outlet or institution, topics)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bibvault.cli import cli
from bibvault.collection import load_collection
from bibvault.records import Record

ROOT = Path(__file__).resolve().parents[1]
COMPARED = ("title", "date", "url", "journaltitle", "entrysubtype", "organization",
            "institution", "type", "howpublished", "pagetotal", "duration")


def _empty_project(tmp_path: Path) -> Path:
    config: dict[str, Any] = yaml.safe_load((ROOT / "bibvault.yaml").read_text(encoding="utf-8"))
    config["records"] = ["refs.bib"]
    tmp_path.mkdir()
    (tmp_path / "bibvault.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return tmp_path


def _shape(r: Record) -> dict[str, Any]:
    return {"entry_type": r.entry_type, "topics": sorted(r.topics),
            "names": {role: [str(p) for p in r.names(role)] for role in ("author", "editor")},
            **{name: r.fields.get(name) for name in COMPARED}}


@pytest.mark.parametrize("fmt", ["ris", "csl-json"])
def test_bundled_records_survive_export_and_import(tmp_path: Path, fmt: str) -> None:
    runner = CliRunner()
    exported = tmp_path / f"bundled.{fmt}"
    # The full profile: the paper profile leaves out keywords, and so the topics.
    done = runner.invoke(cli, ["--config", str(ROOT / "bibvault.yaml"), "export", "--to", fmt,
                               "--profile", "full", "-o", str(exported)])
    assert done.exit_code == 0, done.stderr
    project = _empty_project(tmp_path / "project")
    done = runner.invoke(cli, ["--config", str(project / "bibvault.yaml"), "import",
                               str(exported)])
    assert done.exit_code == 0, done.stdout + done.stderr
    original = list(load_collection(sorted((ROOT / "bib").glob("*.bib"))).records)
    collection = load_collection([project / "refs.bib"])
    imported, findings = list(collection.records), collection.findings
    assert findings == []
    by_old_key = {r.fields.get("ids", r.key): r for r in imported}
    assert sorted(by_old_key) == sorted(r.key for r in original)
    expected = {r.key: _shape(r) for r in original}
    got = {key: _shape(r) for key, r in by_old_key.items()}
    if fmt == "ris":  # RIS has no tag for how a report was published ("PDF")
        for shape in expected.values():
            if shape["entry_type"] == "report":
                shape["howpublished"] = None
    assert got == expected
