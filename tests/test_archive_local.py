"""Local copies as BagIt bags, their verification, and writing archive fields back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bibvault.archive import ArchiveTarget, archive_records, verify_all, verify_bag, write_bag
from bibvault.archive.writeback import apply_updates, archive_targets, verify_records
from bibvault.bibfile import parse
from bibvault.config import ArchiveConfig
from bibvault.net import HostGate
from bibvault.records import records_from_file
from webfarm import PDF_BYTES, Farm, running_farm

WHEN = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    yield from running_farm()


@pytest.fixture(scope="module")
def site(farm: Farm) -> str:
    return farm.site("127.0.0.50")


@pytest.fixture(scope="module")
def wayback(farm: Farm) -> str:
    return farm.archive("127.0.0.51")


@pytest.fixture()
def session() -> Iterator[requests.Session]:
    s = requests.Session()
    yield s
    s.close()


def test_bag_layout(tmp_path: Path) -> None:
    bag = write_bag(tmp_path, "smith:2021/x", "http://a.test/p.pdf", PDF_BYTES,
                    "application/pdf", WHEN)
    assert bag.path == tmp_path / "smith+3a2021+2fx"
    assert bag.filename == "source.pdf"
    assert sorted(p.name for p in bag.path.iterdir()) == [
        "bag-info.txt", "bagit.txt", "data", "manifest-sha256.txt", "tagmanifest-sha256.txt"]
    assert (bag.path / "bagit.txt").read_text() == \
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    digest = hashlib.sha256(PDF_BYTES).hexdigest()
    assert bag.sha256 == digest
    assert (bag.path / "manifest-sha256.txt").read_text() == f"{digest}  data/source.pdf\n"
    info = (bag.path / "bag-info.txt").read_text()
    assert f"Payload-Oxum: {len(PDF_BYTES)}.1\n" in info and "Bagging-Date: 2026-11-21\n" in info
    assert verify_bag(bag.path) == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


def test_verify_reports_changed_missing_and_extra_files(tmp_path: Path) -> None:
    a = write_bag(tmp_path, "a", "http://a.test/", b"<html>a</html>", "text/html", WHEN)
    b = write_bag(tmp_path, "b", "http://b.test/", b"<html>b</html>", "text/html", WHEN)
    c = write_bag(tmp_path, "c", "http://c.test/", b"<html>c</html>", "text/html", WHEN)
    (a.path / "data" / "source.html").write_bytes(b"<html>A</html>")
    (b.path / "data" / "source.html").unlink()
    (c.path / "data" / "notes.txt").write_text("mine")
    (tmp_path / "d").mkdir()
    codes = {(Path(f.file).name, f.code) for f in verify_all(tmp_path)}
    assert codes == {("a", "A503"), ("b", "A504"), ("c", "A505"), ("d", "A506")}


@pytest.mark.parametrize("manifest, words", [
    (b"\xff\xfe garbage\n", "not UTF-8"),
    (b"garbage\n", "manifest-sha256.txt:1: not '<sha256> <path>'"),
    (b"0" * 64 + b"  ../../outside.txt\n", "'../../outside.txt' is not a path under data/"),
])
def test_verify_reports_a_broken_manifest(tmp_path: Path, manifest: bytes, words: str) -> None:
    bag = write_bag(tmp_path, "a", "http://a.test/", b"12345", "text/plain", WHEN)
    (bag.path / "manifest-sha256.txt").write_bytes(manifest)
    (bag.path / "bag-info.txt").write_bytes(b"\xff not UTF-8 either\n")
    found = verify_all(tmp_path)
    assert [f.code for f in found] == ["A506"] and words in found[0].message


def test_a_different_new_copy_keeps_the_old_one(tmp_path: Path) -> None:
    first = write_bag(tmp_path, "a", "http://a.test/", b"<html>the article</html>", "text/html", WHEN)
    again = write_bag(tmp_path, "a", "http://a.test/", b"<html>the article</html>", "text/html", WHEN)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"] and again.sha256 == first.sha256
    later = WHEN + dt.timedelta(days=30)
    write_bag(tmp_path, "a", "http://a.test/", b"<html>Page not found</html>", "text/html", later)
    kept = tmp_path / "a.replaced-20261221T120000"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", kept.name]
    assert (kept / "data" / "source.html").read_bytes() == b"<html>the article</html>"
    assert verify_all(tmp_path) == []


def test_payload_oxum_is_checked(tmp_path: Path) -> None:
    bag = write_bag(tmp_path, "a", "http://a.test/", b"12345", "text/plain", WHEN)
    info = bag.path / "bag-info.txt"
    info.write_text(info.read_text().replace("Payload-Oxum: 5.1", "Payload-Oxum: 6.1"))
    assert [f.code for f in verify_bag(bag.path)] == ["A507"]


def test_local_copy_of_pdf_and_html(farm: Farm, site: str, wayback: str,
                                    session: requests.Session, tmp_path: Path) -> None:
    cfg = dataclasses.replace(ArchiveConfig(), wayback_url=wayback, memento_url=wayback)
    targets = [ArchiveTarget("pdf", site + "/paper.pdf"), ArchiveTarget("html", site + "/ok")]
    run = archive_records(targets, session, cfg, None, local_root=tmp_path,
                          gate=HostGate(2, 0.0))
    pdf, html = run.outcomes
    assert pdf.bag is not None and (pdf.bag.path / "data" / "source.pdf").read_bytes() == PDF_BYTES
    assert pdf.updates["archivesha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert html.bag is not None and html.bag.filename == "source.html"
    assert verify_all(tmp_path) == []
    # With the checksum recorded and the bag in place, nothing is downloaded again.
    seen = len(farm.log.for_host("127.0.0.50"))
    again = archive_records(
        [dataclasses.replace(targets[0], archivesha256=pdf.updates["archivesha256"])],
        session, cfg, None, local_root=tmp_path, gate=HostGate(2, 0.0))
    assert again.outcomes[0].bag is None and "archivesha256" not in again.outcomes[0].updates
    assert len(farm.log.for_host("127.0.0.50")) == seen


def test_oversized_source_is_not_kept(site: str, wayback: str, session: requests.Session,
                                      tmp_path: Path) -> None:
    cfg = dataclasses.replace(ArchiveConfig(), wayback_url=wayback, memento_url=wayback, max_download_bytes=100_000)
    run = archive_records([ArchiveTarget("big", site + "/huge")], session, cfg, None,
                          local_root=tmp_path, gate=HostGate(2, 0.0))
    assert [f.code for f in run.findings] == ["A509", "A501", "A508"]
    assert "cap" in run.findings[-1].message
    assert list(tmp_path.iterdir()) == []


BIB = """% reading list
@online{smith2021,
  title  = {A Paper},
  url    = {URL1},
  urldate = {2021-09-03},
}

@article{doe2020,
    title = "Other",
    url = {URL2},
    archiveurl = {http://old.example/web/1/x},
    archivedate = {2001-01-01}
}
"""


def test_write_back_changes_only_archive_fields(site: str, wayback: str, farm: Farm,
                                                session: requests.Session, tmp_path: Path) -> None:
    from webfarm import Capture

    text = BIB.replace("URL1", site + "/ok").replace("URL2", site + "/paper.pdf")
    farm.archive_state.captures[site + "/ok"] = [Capture("20210901000000")]
    bf = parse(text, path=str(tmp_path / "refs.bib"))
    targets = archive_targets(records_from_file(bf))
    assert [t.key for t in targets] == ["smith2021", "doe2020"]
    cfg = dataclasses.replace(ArchiveConfig(), wayback_url=wayback, memento_url=wayback)
    run = archive_records(targets, session, cfg, None, local_root=tmp_path / "archive",
                          gate=HostGate(2, 0.0))
    touched = apply_updates(run.outcomes, [bf])
    assert touched == [bf]
    out = bf.to_text()
    sha_pdf = hashlib.sha256(PDF_BYTES).hexdigest()
    expected = text.replace(
        "  urldate = {2021-09-03},\n",
        "  urldate = {2021-09-03},\n"
        f"  archiveurl = {{{wayback}/web/20210901000000/{site}/ok}},\n"
        "  archivedate = {2021-09-01},\n"
        f"  archivesha256 = {{{run.outcomes[0].updates['archivesha256']}}},\n",
    )
    assert out.split("@article")[0] == expected.split("@article")[0]
    # doe2020 already had archive fields: only the checksum is added, in its layout.
    assert run.outcomes[1].updates == {"archivesha256": sha_pdf}
    assert out.split("@article")[1] == text.split("@article")[1].replace(
        "    archivedate = {2001-01-01}\n",
        f"    archivedate = {{2001-01-01}},\n    archivesha256 = {{{sha_pdf}}}\n")
    records = records_from_file(parse(out, path=bf.path))
    assert verify_records(records, tmp_path / "archive") == []
    other = records_from_file(parse(out.replace(sha_pdf, "0" * 64), path=bf.path))
    assert [f.code for f in verify_records(other, tmp_path / "archive")] == ["A512"]


def test_a_record_whose_bag_is_broken_is_not_called_missing(tmp_path: Path) -> None:
    bag = write_bag(tmp_path, "k", "http://a.test/", b"12345", "text/plain", WHEN)
    (bag.path / "manifest-sha256.txt").unlink()
    bf = parse("@online{k, title = {T}, url = {http://a.test/}, archivesha256 = {" + bag.sha256 + "}}\n",
               "r.bib")
    found = verify_records(records_from_file(bf), tmp_path)
    assert [f.code for f in found] == ["A504"] and "unreadable" in found[0].message
    shutil.rmtree(bag.path)
    found = verify_records(records_from_file(bf), tmp_path)
    assert [f.code for f in found] == ["A504"] and "missing" in found[0].message


def test_write_back_leaves_a_duplicated_key_alone(site: str, wayback: str, farm: Farm,
                                                  session: requests.Session, tmp_path: Path) -> None:
    from webfarm import Capture

    farm.archive_state.captures[site + "/ok?dupkey"] = [Capture("20210901000000")]
    text = ("@online{k, title = {First}, url = {" + site + "/paper.pdf?dupkey}}\n"
            "@online{k, title = {Second}, url = {" + site + "/ok?dupkey}}\n")
    bf = parse(text, path=str(tmp_path / "refs.bib"))
    cfg = dataclasses.replace(ArchiveConfig(), wayback_url=wayback, memento_url=wayback)
    run = archive_records(archive_targets(records_from_file(bf)), session, cfg, None,
                          gate=HostGate(2, 0.0))
    assert any(o.updates for o in run.outcomes)  # the second 'k' has a capture
    assert apply_updates(run.outcomes, [bf]) == [] and bf.to_text() == text
