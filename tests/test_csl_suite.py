"""The official CSL processor test suite, one parametrized test per fixture.

Fixtures listed in ``csl_suite_xfail.txt`` are known failures, marked strict
xfail so that fixing one makes the run fail until the list is updated.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bibvault.csl.processor import Resources
from bibvault.csl.suite import check_fixture

# shared/ sits beside the checkout; CSL_FIXTURES points elsewhere when needed.
FIXTURES = Path(
    os.environ.get("CSL_FIXTURES")
    or Path(__file__).resolve().parents[2] / "shared" / "csl-test-suite" / "fixtures"
)
XFAIL_FILE = Path(__file__).with_name("csl_suite_xfail.txt")


def _known_failures() -> dict[str, str]:
    out: dict[str, str] = {}
    if XFAIL_FILE.is_file():
        for line in XFAIL_FILE.read_text(encoding="utf-8").splitlines():
            name, _, reason = line.partition("#")
            if name.strip():
                out[name.strip()] = reason.strip() or "known failure"
    return out


def _params() -> list[object]:
    if not FIXTURES.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"CSL test suite not found at {FIXTURES}"))]
    known = _known_failures()
    params = []
    for path in sorted(FIXTURES.glob("*.txt")):
        marks = [pytest.mark.xfail(strict=True, reason=known[path.stem])] if path.stem in known else []
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


@pytest.fixture(scope="module")
def resources() -> Resources:
    return Resources()


@pytest.mark.parametrize("path", _params())
def test_fixture(path: Path, resources: Resources) -> None:
    ok, expected, actual = check_fixture(path, resources)
    assert actual == expected
    assert ok


def test_xfail_list_names_existing_fixtures() -> None:
    if not FIXTURES.is_dir():
        pytest.skip(f"CSL test suite not found at {FIXTURES}")
    stale = sorted(set(_known_failures()) - {p.stem for p in FIXTURES.glob("*.txt")})
    assert not stale, f"{XFAIL_FILE.name} names fixtures that do not exist: {stale}"
