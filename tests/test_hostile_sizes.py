"""Hostile sizes (issue 13): a clear error instead of a kill when memory runs out, and a
command about one record does one record's work. Speed and peak memory are measured
by bench/hostile.py, not here."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import bibvault.collection
from bibvault.bibfile import parse
from bibvault.cli import cli
from bibvault.validate import validate_files
from webfarm import Capture, running_farm

# Runs one command with the address space capped a little above what the imports use.
HARNESS = textwrap.dedent("""
    import re, resource, sys
    from bibvault.cli import main
    status = open("/proc/self/status").read()
    vm = int(re.search(r"VmSize:\\s+(\\d+) kB", status).group(1)) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (vm + 64 * 2**20, resource.RLIM_INFINITY))
    sys.argv = ["bibvault", *sys.argv[1:]]
    main()
""")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("command", [["validate"], ["list"], ["format", "-s", "apa"]])
def test_out_of_memory_is_a_clear_error_not_a_traceback(tmp_path: Path,
                                                        command: list[str]) -> None:
    big = tmp_path / "big.bib"
    big.write_bytes(b"".join(b"@misc{e%07d,title={T}}\n" % i for i in range(150_000)))
    proc = subprocess.run([sys.executable, "-c", HARNESS, *command, str(big)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        "bibvault: error: out of memory: the input is too large for the memory available "
        "to this command")


def test_archive_of_one_key_decodes_only_that_record(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[str] = []
    real = bibvault.collection.record_from_entry

    def counting(bf, entry):  # type: ignore[no-untyped-def]
        decoded.append(entry.key)
        return real(bf, entry)

    monkeypatch.setattr(bibvault.collection, "record_from_entry", counting)
    for farm in running_farm():
        site, wayback = farm.site("127.0.0.80"), farm.archive("127.0.0.81")
        farm.archive_state.captures[site + "/ok"] = [Capture("20210901083000")]
        others = "".join(f"@online{{k{i}, title = {{T{i}}}, url = {{{site}/x{i}}}}}\n"
                         for i in range(200))
        (tmp_path / "refs.bib").write_text(
            others + f"@online{{one, title = {{One}}, url = {{{site}/ok}}}}\n", encoding="utf-8")
        cfg = tmp_path / "bibvault.yaml"
        cfg.write_text(f"records: refs.bib\ncheck:\n  host_delay: 0\n"
                       f"archive:\n  wayback_url: {wayback}\n", encoding="utf-8")
        env = {"HOME": str(tmp_path), "IA_ACCESS_KEY": None, "IA_SECRET_KEY": None,
               "IA_CONFIG_FILE": None, "BIBVAULT_WAYBACK_URL": None}
        res = CliRunner().invoke(cli, ["--config", str(cfg), "archive", "--key", "one"], env=env)
        assert res.exit_code == 0, res.output
        assert decoded == ["one"]
        assert "archiveurl" in (tmp_path / "refs.bib").read_text(encoding="utf-8")
        assert farm.log.count("127.0.0.80") == 0  # the other 200 records were not touched
        break


def test_validate_reports_duplicates_without_keeping_records() -> None:
    # The duplicate index keeps (key, file, line); findings still name the first record.
    bf = parse("@misc{a, title={T}, url={https://x.example/p}}\n"
               "@misc{b, title={U}, url={https://www.x.example/p/}}\n"
               "@misc{A, title={V}}\n", path="refs.bib")
    found = {(f.code, f.key, f.message) for f in validate_files([bf])
             if f.code.startswith("D")}
    assert found == {("D602", "b", "same URL as 'a' (refs.bib:1)"),
                     ("D601", "A", "key 'A' is already used at refs.bib:1")}
