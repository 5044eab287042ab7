"""The pre-commit hooks (.pre-commit-hooks.yaml), run by pre-commit itself.

A scratch project's ``.pre-commit-config.yaml`` names a snapshot of this
checkout (its files committed to a throwaway repository, so uncommitted work
is tested too) at a fixed rev. pre-commit clones it, installs bibvault into
a fresh environment (language ``python``: a virtualenv and pip, which fetches
bibvault's dependencies from PyPI once), and runs the hooks the way a project
using them would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")

GOOD = """@online{good2024,
  title = {A Good Record},
  organization = {Example},
  date = {2024-01-02},
  url = {https://example.org/good},
  keywords = {t},
}
"""
BAD_DATE = GOOD.replace("2024-01-02", "2nd of January").replace("good2024", "bad2024")
UGLY = "@online{ugly2024, title={Ugly   Layout}, organization={Example},date={2024-01-02},\n" \
       "url={https://example.org/ugly}, keywords={t}}\n"


def test_hook_manifest_names_both_hooks():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"bibvault-validate", "bibvault-fmt"}
    for h in hooks:
        assert h["language"] == "python" and h["files"] == r"\.bib$"
        assert h["entry"].split()[0] == "bibvault"


def _run(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True,
                          check=False, timeout=900)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    if not PRE_COMMIT.is_file() or shutil.which("git") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pre-commit (test extra) and git are required in CI")
        pytest.skip("pre-commit or git not installed")
    base = tmp_path_factory.mktemp("precommit")
    repo = base / "project"
    (repo / "bib").mkdir(parents=True)
    (repo / "bibvault.yaml").write_text("records: [bib]\ntopics: {t: {label: T}}\n",
                                        encoding="utf-8")
    env = {**os.environ, "PRE_COMMIT_HOME": str(base / "cache"), "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    snapshot = base / "bibvault"
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, snapshot / name)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "snapshot"]):
        assert _run(snapshot, "git", *args, env=env).returncode == 0
    rev = _run(snapshot, "git", "rev-parse", "HEAD", env=env).stdout.strip()
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{
        "repo": str(snapshot), "rev": rev,
        "hooks": [{"id": "bibvault-validate"}, {"id": "bibvault-fmt"}]}]}), encoding="utf-8")
    assert _run(repo, "git", "init", "-q", env=env).returncode == 0
    return repo, env


def _try(repo: Path, env: dict[str, str], hook: str) -> subprocess.CompletedProcess[str]:
    _run(repo, "git", "add", "-A", env=env)
    return _run(repo, str(PRE_COMMIT), "run", hook, "--all-files", env=env)


def test_validate_hook_passes_good_records_and_stops_bad_ones(scratch):
    repo, env = scratch
    (repo / "bib" / "a.bib").write_text(GOOD, encoding="utf-8")
    ok = _try(repo, env, "bibvault-validate")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "bibvault validate" in ok.stdout and "Passed" in ok.stdout
    (repo / "bib" / "b.bib").write_text(BAD_DATE, encoding="utf-8")
    bad = _try(repo, env, "bibvault-validate")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout and "F202" in bad.stdout and "bad2024" in bad.stdout
    (repo / "bib" / "b.bib").unlink()


def test_fmt_hook_rewrites_and_stops_the_commit_once(scratch):
    repo, env = scratch
    (repo / "bib" / "c.bib").write_text(UGLY, encoding="utf-8")
    first = _try(repo, env, "bibvault-fmt")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    text = (repo / "bib" / "c.bib").read_text(encoding="utf-8")
    assert text != UGLY and "title" in text and "Ugly   Layout" in text
    second = _try(repo, env, "bibvault-fmt")
    assert second.returncode == 0, second.stdout + second.stderr
