"""The validate, rules, fmt and list commands, through click's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bibvault.cli import all_commands, cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "bib", tmp_path / "bib")
    shutil.copy(ROOT / "bibvault.yaml", tmp_path / "bibvault.yaml")
    return tmp_path


def invoke(project: Path, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(cli, ["--config", str(project / "bibvault.yaml"), *args])
    return result.exit_code, result.stdout, result.stderr


def test_validate_bundled_is_clean_of_errors(project: Path) -> None:
    code, out, err = invoke(project, "validate")
    assert code == 0, out + err
    assert "F209" in out and "0 errors" in err
    first = out.splitlines()[0]
    path, line, col, rest = first.split(":", 3)
    assert path.endswith(".bib") and int(line) > 0 and int(col) > 0


def test_validate_json_and_exit_one(project: Path) -> None:
    bad = project / "bib" / "bad.bib"
    bad.write_text("@online{x,\n  title = {T},\n  url = {javascript:alert(1)},\n  keywords = {nrf},\n}\n",
                   encoding="utf-8")
    code, out, _ = invoke(project, "validate", "--format", "json", str(bad))
    assert code == 1
    data = json.loads(out)
    f207 = [d for d in data if d["code"] == "F207"]
    assert f207 == [{**f207[0], "file": str(bad), "line": 3, "column": 3, "key": "x",
                     "severity": "error"}]


def test_select_and_ignore(project: Path) -> None:
    _, out, _ = invoke(project, "validate", "--select", "F209")
    assert out and all(" F209 " in line for line in out.splitlines())
    _, out, _ = invoke(project, "validate", "--ignore", "F2")
    assert " F2" not in out
    code, _, err = invoke(project, "validate", "--select", "Z9")
    assert code == 2 and "unknown rule code" in err


def test_fix_reports_changes(project: Path) -> None:
    bib = project / "bib" / "videos.bib"
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text.replace("{2022-12-29}", "{29 December 2022}"), encoding="utf-8")
    code, out, err = invoke(project, "validate", "--fix", str(bib))
    assert "2022-12-29" in err and "fixed" in err
    assert bib.read_text(encoding="utf-8") == text


def test_missing_file_is_exit_two(project: Path) -> None:
    code, _, err = invoke(project, "validate", str(project / "nope.bib"))
    assert code == 2 and "nope.bib" in err


def test_unreadable_file_is_named(project: Path) -> None:
    # Reading /proc/self/mem fails with an error that carries no file name of its own.
    for command in ("validate", "list", "fmt"):
        code, _, err = invoke(project, command, "/proc/self/mem")
        assert code == 2 and "/proc/self/mem" in err, (command, err)


@pytest.mark.parametrize("data, words", [
    (b'[{"id": "a", "title": "caf\xe9"}]', "refs.json:1: not UTF-8 (byte 0xe9)"),
    (b'[{"id": "a",\n  "title": }]', "refs.json:2:12: not valid CSL-JSON"),
])
def test_format_bad_csl_json_is_located(project: Path, data: bytes, words: str) -> None:
    path = project / "refs.json"
    path.write_bytes(data)
    code, out, err = invoke(project, "format", str(path))
    assert code == 2 and out == ""
    assert words in err and "internal error" not in err


def test_format_csl_json_with_bom(project: Path) -> None:
    path = project / "refs.json"
    path.write_bytes(b'\xef\xbb\xbf[{"id": "a", "type": "book", "title": "Title"}]')
    code, out, err = invoke(project, "format", str(path))
    assert code == 0 and "Title" in out, err


def test_bad_config_is_exit_two(project: Path) -> None:
    (project / "bibvault.yaml").write_text("recods: x\n", encoding="utf-8")
    code, _, err = invoke(project, "validate")
    assert code == 2 and "bibvault.yaml:1" in err and "unknown key" in err


def test_rules_lists_every_code() -> None:
    result = CliRunner().invoke(cli, ["rules"])
    assert result.exit_code == 0
    assert "F202" in result.stdout and "D601" in result.stdout
    one = CliRunner().invoke(cli, ["rules", "F207"])
    assert "javascript:" in one.stdout
    data = json.loads(CliRunner().invoke(cli, ["rules", "--format", "json"]).stdout)
    assert len({d["code"] for d in data}) == len(data)


def test_fmt_check_then_write_then_idempotent(project: Path) -> None:
    bib = project / "bib" / "x.bib"
    bib.write_text('% head\n@ARTICLE{k, Title="A {B} c",year=2021, Author = {Doe, J.}}\n',
                   encoding="utf-8")
    code, _, err = invoke(project, "fmt", "--check", str(bib))
    assert code == 1 and "would reformat" in err
    code, out, _ = invoke(project, "fmt", "--diff", str(bib))
    assert code == 0 and out.startswith("---")
    code, _, _ = invoke(project, "fmt", str(bib))
    assert code == 0
    assert bib.read_text(encoding="utf-8") == (
        "% head\n\n@article{k,\n  author = {Doe, J.},\n  title  = {A {B} c},\n"
        "  year   = {2021},\n}\n")
    assert invoke(project, "fmt", "--check", str(bib))[0] == 0


def test_list_newest_first_and_filters(project: Path) -> None:
    code, out, _ = invoke(project, "list")
    assert code == 0
    dates = [line.split()[0] for line in out.splitlines()]
    dated = [d for d in dates if d != "----"]
    assert dated == sorted(dated, reverse=True) and dates[-1] == "----"
    assert len(dates) == 16
    _, out, _ = invoke(project, "list", "--topic", "exile", "--format", "json")
    keys = {d["key"] for d in json.loads(out)}
    assert keys == {"odonnell2021mulls", "intercept2021fled"}
    _, out, _ = invoke(project, "list", "--type", "video", "--since", "2022")
    assert out.split()[1] == "rooftop2022dejavu"
    code, _, err = invoke(project, "list", "--topic", "nope")
    assert code == 2 and "unknown topic" in err


def test_readme_documents_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in all_commands().items():
        assert f"`bibvault {name}" in readme, f"README lacks {name}"
        assert command.help, f"{name} has no --help text"


def test_readme_quick_start_has_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = quick.split("```sh\n")[1:]
    commands = [b.split("```", 1)[0].strip() for b in blocks]
    assert len(commands) == 2
    assert commands[0].endswith("bibvault build")
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in ci


def test_show_source_prints_the_excerpt(project: Path) -> None:
    bad = project / "bib" / "bad.bib"
    bad.write_text("@online{x,\n  author = {A}\n  title = {T},\n}\n", encoding="utf-8")
    code, out, _ = invoke(project, "validate", "--show-source", "--select", "B", str(bad))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].endswith("B103 missing comma before field 'title' [x]")
    assert lines[1] == "    | title = {T},"


def _run_with_terminal_stderr(project: Path, *args: str) -> tuple[int, bytes, bytes]:
    """Run the console script with stderr on a pseudo-terminal and stdout on a pipe."""
    import os
    import pty
    import subprocess
    import sys

    primary, secondary = pty.openpty()
    script = Path(sys.executable).with_name("bibvault")
    proc = subprocess.Popen([str(script), "--config", str(project / "bibvault.yaml"), *args],
                            stdout=subprocess.PIPE, stderr=secondary, cwd=project)
    os.close(secondary)
    err = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closes when the program ends
            break
        if not chunk:
            break
        err += chunk
    assert proc.stdout is not None
    with proc.stdout:
        out = proc.stdout.read()
    os.close(primary)
    return proc.wait(timeout=60), out, err


@pytest.mark.parametrize("command, words", [
    (("validate",), b"validating 16 entries"),
    (("list",), b"reading 16 entries"),
    (("export", "--to", "ris"), b"exporting 16 records as ris"),
    (("format", "--style", "apa"), b"formatting 16 items in apa"),
    (("fmt", "--check"), b"formatting bib/news.bib"),
])
def test_progress_on_a_terminal_and_not_in_the_data(project: Path, command: tuple[str, ...],
                                                    words: bytes) -> None:
    code, out, err = _run_with_terminal_stderr(project, *command)
    assert code in (0, 1), err
    assert b"reading bib/news.bib" in err and words in err
    assert b"\r\x1b[K" in err  # the line is erased before the results
    assert b"reading bib/" not in out and b"\x1b" not in out
    # Not on a terminal: no progress at all.
    code, _, plain_err = invoke(project, *command)
    assert "reading bib/" not in plain_err and "\x1b" not in plain_err


def test_unknown_locale_is_a_usage_error(project: Path) -> None:
    code, out, err = invoke(project, "format", "--locale", "xx-YY")
    assert code == 2 and out == "" and "unknown locale 'xx-YY'" in err
    code, _, err = invoke(project, "cite", "--locale", "zz", "kohzad2021offer")
    assert code == 2 and "unknown locale 'zz'" in err
    code, out, _ = invoke(project, "format", "--locale", "de")  # the language's main dialect
    assert code == 0 and out


@pytest.mark.parametrize("data, words", [
    ({"a": 1}, "expected a list of CSL-JSON items"),
    ([{"type": "book", "title": "T"}], "item 1: needs an \"id\""),
    ([{"id": "a", "title": "T"}], "item 1 (id 'a'): needs a \"type\""),
    ([{"id": "a", "type": "book", "author": "Doe"}], "item 1 (id 'a'): 'author' must be a list of names"),
    ([{"id": "a", "type": "book", "issued": "2020"}], "item 1 (id 'a'): 'issued' must be a date"),
])
def test_format_malformed_csl_items_are_named(project: Path, data: object, words: str) -> None:
    # A processor skips variables of the wrong shape: the item would lose its
    # author or date, or vanish from the bibliography, without a word.
    path = project / "refs.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = invoke(project, "format", str(path))
    assert code == 2 and out == ""
    assert f"{path}: " in err and words in err


@pytest.mark.parametrize("command", [("validate", "--format", "json"), ("list", "--format", "json")])
def test_json_is_valid_utf8_for_bytes_that_are_not(project: Path, command: tuple[str, ...]) -> None:
    bib = project / "latin9.bib"
    bib.write_bytes(b"@book{test\xa6, title = {\xa6ome title}, year = 1999}\n")
    result = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), *command, str(bib)])
    data = json.loads(result.stdout_bytes.decode("utf-8"))
    assert data and all(d["key"] == "test\ufffd" for d in data)
    assert bib.read_bytes().startswith(b"@book{test\xa6,")  # the file itself keeps its bytes


def test_format_style_files_that_cannot_serve(project: Path) -> None:
    broken = project / "broken.csl"
    broken.write_text("<style>\n", encoding="utf-8")
    code, out, err = invoke(project, "format", "--style", str(broken))
    assert code == 2 and out == "" and f"{broken}: " in err and "bibvault styles" not in err
    notes = project / "citations-only.csl"
    notes.write_text('<?xml version="1.0"?><style xmlns="http://purl.org/net/xbiblio/csl" '
                     'version="1.0" class="in-text"><info><title>t</title><id>t</id></info>'
                     '<citation><layout><text variable="title"/></layout></citation></style>',
                     encoding="utf-8")
    code, out, err = invoke(project, "format", "--style", str(notes))
    assert code == 2 and out == "" and "has no bibliography" in err
    code, out, _ = invoke(project, "cite", "--style", str(notes), "kohzad2021offer")
    assert code == 0 and out.strip()


BROKEN_BIB = ("@article{good, title = {Good}, year = 2001}\n"
              "@article{bad, title = {Open, year = 2002}\n"
              "@article{after, title = {After}, year = 2003}\n")


@pytest.mark.parametrize("command", [("list",), ("format",), ("cite", "--each", "--from"),
                                     ("export", "--to", "ris")])
def test_entries_left_out_for_syntax_errors_are_reported(project: Path,
                                                         command: tuple[str, ...]) -> None:
    bib = project / "broken.bib"
    bib.write_text(BROKEN_BIB, encoding="utf-8")
    code, out, err = invoke(project, *command, str(bib))
    assert code == 1 and out  # what could be read is still there
    assert f"bibvault: warning: {bib}:" in err and "[bad]" in err and "1 error reading the .bib files" in err


@pytest.mark.parametrize("command", ["validate", "list", "fmt", "format"])
def test_a_directory_without_bib_files_is_a_usage_error(project: Path, command: str) -> None:
    empty = project / "notes"
    empty.mkdir()
    (empty / "readme.txt").write_text("no records here\n", encoding="utf-8")
    code, out, err = invoke(project, command, str(empty))
    assert code == 2 and out == "" and f"{empty}: no .bib files" in err


def test_list_since_and_until_take_dates_as_build_does(project: Path) -> None:
    code, out, _ = invoke(project, "list", "--since", "2022-09", "--until", "2022-12", "--format", "json")
    assert code == 0
    dates = [d["date"] for d in json.loads(out)]
    assert dates and all("2022-09" <= d[:7] <= "2022-12" for d in dates)
    code, _, err = invoke(project, "list", "--since", "2022-13")
    assert code == 2 and "not a date" in err


def test_bundled_records_are_in_canonical_layout(project: Path) -> None:
    code, _, err = invoke(project, "fmt", "--check")
    assert code == 0, err
