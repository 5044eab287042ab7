"""One list of rules, severities read from it, and exceptions mapped to exit codes in one place."""

from __future__ import annotations

import pytest

from bibvault.archive.memento import CopyStatus, CopyVerdict
from bibvault.archive.remote import STATUS_RULES, RemoteCopy
from bibvault.archive.rules import RULES as ARCHIVE_RULES
from bibvault.cli.errors import ending_for, handle_errors, internal_error
from bibvault.config import ConfigError
from bibvault.exitcodes import ExitCode
from bibvault.ingest.import_rules import RULES as IMPORT_RULES
from bibvault.ingest.rules_add import RULES as ADD_RULES
from bibvault.links.checker import LinkOutcome, LinkTarget
from bibvault.links.report import outcome_findings
from bibvault.links.result import CheckResult, LinkStatus
from bibvault.links.rules import RULES as LINK_RULES
from bibvault.merge import MergeError
from bibvault.registry import all_rules
from bibvault.rules import CORE_RULES, Rule


def test_every_family_is_in_the_registry_once() -> None:
    codes = [r.code for r in all_rules()]
    assert codes == sorted(set(codes))
    for family, prefix in ((LINK_RULES, "L4"), (ARCHIVE_RULES, "A5"), (ADD_RULES, "N8"),
                           (IMPORT_RULES, "I7")):
        assert family and all(isinstance(r, Rule) and r.code.startswith(prefix) for r in family)
        assert set(family) <= set(all_rules())
    assert len(codes) == len(CORE_RULES + LINK_RULES + ARCHIVE_RULES + ADD_RULES + IMPORT_RULES)


@pytest.mark.parametrize("status", [s for s in LinkStatus if s is not LinkStatus.ALIVE])
def test_link_findings_carry_their_rules_severity(status: LinkStatus) -> None:
    target = LinkTarget("k", "https://example.org/x", "refs.bib", 3)
    outcome = LinkOutcome(target, CheckResult(target.url, status, 0.0, detail="why"))
    rules = {r.code: r for r in LINK_RULES}
    for f in outcome_findings(outcome):
        assert f.severity is rules[f.code].severity
        assert (f.file, f.line, f.key) == ("refs.bib", 3, "k")


@pytest.mark.parametrize("status", list(STATUS_RULES))
def test_archived_copy_findings_carry_their_rules_severity(status: CopyStatus) -> None:
    copy = RemoteCopy("k", "https://web.archive.org/web/2021/x", CopyVerdict(status, detail="why"))
    found = copy.finding()
    assert found is not None
    assert found.severity is {r.code: r for r in ARCHIVE_RULES}[found.code].severity


@pytest.mark.parametrize(("exc", "code", "message"), [
    (KeyboardInterrupt(), ExitCode.INTERRUPTED, "Interrupted."),
    (ConfigError("check.per_host: not a number"), ExitCode.USAGE,
     "bibvault: configuration error: check.per_host: not a number"),
    (MergeError("no record with key x"), ExitCode.USAGE, "bibvault: error: no record with key x"),
    (FileNotFoundError(2, "No such file or directory", "refs.bib"), ExitCode.USAGE,
     "bibvault: I/O error: refs.bib: No such file or directory"),
    (BrokenPipeError(), ExitCode.OK, None),
])
def test_expected_exceptions_end_with_a_message_and_a_code(
        exc: BaseException, code: ExitCode, message: str | None) -> None:
    ending = ending_for(exc)
    assert ending is not None and (ending.code, ending.message) == (code, message)


def test_an_unexpected_exception_is_a_bug_and_passes_through() -> None:
    bug = ZeroDivisionError("division by zero")
    assert ending_for(bug) is None
    assert "internal error: ZeroDivisionError" in (internal_error(bug).message or "")
    with pytest.raises(ZeroDivisionError), handle_errors():
        raise bug
