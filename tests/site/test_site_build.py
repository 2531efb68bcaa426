"""The example program built into a site: pages at the contract URLs, machine files,
privacy of non-consenting candidates, bounded navigation, page budget, hardening."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import Built
from microcred import bake
from microcred.records import load_program

SITE_BASE = "https://northwind-talent.example.org/microinternships/"


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def all_text(site: Path) -> str:
    chunks = []
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".svg", ".xml", ".js", ".txt"):
            chunks.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(chunks)


def test_pages_exist_at_the_urls_credentials_name(built_example: Built) -> None:
    site = built_example.site
    program = load_program(built_example.project)
    for record in program.completed():
        assert (site / "credentials" / record.slug / "index.html").is_file()
        assert (site / "credentials" / f"{record.slug}.json").is_file()
    for achievement in program.achievements:
        assert (site / "catalog" / achievement.slug / "index.html").is_file()
        assert (site / "badges" / f"{achievement.slug}.svg").is_file()
    lists = ["status/revocation-1.json"]
    if program.site.suspension:
        lists.append("status/suspension-1.json")
    for name in (
        "index.html",
        "catalog/index.html",
        "people/index.html",
        "verify.html",
        ".nojekyll",
        "microcred-site.json",
        *lists,
    ):
        assert (site / name).is_file(), name
    assert (site / "analytics" / "index.html").is_file()  # records exist: analytics page


def test_credential_json_matches_the_issued_file_and_urls_inside_resolve(
    built_example: Built,
) -> None:
    site = built_example.site
    for issued in sorted((built_example.project / "credentials").glob("*.json")):
        if issued.name == "index.json":
            continue
        published = json.loads((site / "credentials" / issued.name).read_text())
        assert published == json.loads(issued.read_text())
        achievement = published["credentialSubject"]["achievement"]
        for url in (achievement["id"], achievement["image"]["id"]):
            assert url.startswith(SITE_BASE)
            rel = url[len(SITE_BASE) :]
            assert (site / rel).is_file() or (site / rel / "index.html").is_file(), url
        status = published["credentialStatus"]
        for entry in status if isinstance(status, list) else [status]:
            assert (site / entry["statusListCredential"][len(SITE_BASE) :]).is_file()


def test_manifest(built_example: Built) -> None:
    manifest = json.loads((built_example.site / "microcred-site.json").read_text())
    assert manifest["microcred_site"] == 1
    assert manifest["base_url"] == SITE_BASE
    assert manifest["issuer"].startswith("did:key:z6Mk")
    assert manifest["did_documents"] == {}  # did:key: nothing to publish
    program = load_program(built_example.project)
    purposes = ["revocation", "suspension"] if program.site.suspension else ["revocation"]
    assert set(manifest["status_lists"]) == {f"{SITE_BASE}status/{p}-1.json" for p in purposes}
    completed = len(program.completed())
    endorsements = [c for c in manifest["credentials"] if c.startswith("endorsements/")]
    assert len(endorsements) == len(list((built_example.project / "endorsements").glob("*.md")))
    issued = len(manifest["credentials"]) - len(endorsements)
    assert issued == built_example.result.credentials == completed
    assert len(program.records) >= 40  # enough records for the analytics to mean something
    for rel in manifest["credentials"] + list(manifest["status_lists"].values()):
        assert (built_example.site / rel).is_file()
    assert manifest["built_at"] == "2026-11-01T12:00:00Z"


def test_baked_images_carry_the_credential(built_example: Built) -> None:
    site = built_example.site / "credentials"
    text = (site / "ux-2026-04-01.json").read_text()
    assert json.loads(bake.unbake_png((site / "ux-2026-04-01.png").read_bytes())) == json.loads(
        text
    )
    assert json.loads(bake.unbake_svg((site / "ux-2026-04-01.svg").read_bytes())) == json.loads(
        text
    )


def test_non_consenting_candidates_are_not_published(built_example: Built) -> None:
    program = load_program(built_example.project)
    site = built_example.site
    everything = all_text(site)
    hidden = [r for r in program.records if not r.candidate.consent_publish]
    assert hidden
    for record in hidden:
        assert record.candidate.name not in everything, record.slug
        assert not (site / "people" / (record.candidate.slug or record.slug)).exists()
    page = (site / "credentials" / "sales-2026-05-02" / "index.html").read_text()
    assert "Recipient: identified by a salted hash" in page
    assert "portfolio" not in page.lower().split("recipient")[1][:400]
    for record in program.records:  # no e-mail address of anyone, anywhere
        assert record.candidate.email not in everything
        assert record.candidate.email.split("@")[0] + "@" not in everything


def test_consenting_candidates_have_portfolios(built_example: Built) -> None:
    program = load_program(built_example.project)
    site = built_example.site
    people = (site / "people" / "index.html").read_text()
    shown = [r for r in program.completed() if r.candidate.consent_publish]
    for record in shown:
        assert f"<bdi>{record.candidate.name}</bdi>" in people
    portfolio = (site / "people" / "zoe-unal" / "index.html").read_text()
    assert "Data Analysis Sprint" in portfolio
    assert "../../credentials/data-2026-03-01/index.html" in portfolio


def test_credential_page_contents(built_example: Built) -> None:
    page = (built_example.site / "credentials" / "data-2026-03-01" / "index.html").read_text()
    assert 'data-mc-verify-result="pending"' in page
    assert (
        "Checked offline by microcred on 2026-11-01T12:00:00Z: checked: proofs eddsa-rdfc-2022 and"
        in page
    )
    assert "<strong>Verified:</strong> “Data Analysis Sprint: Customer Churn” issued by " in page
    assert " to Zoë Ünal on 2026-03-16." in page
    assert 'id="mc-verification-data"' in page
    assert "../../credentials/data-2026-03-01.png" in page and "data-2026-03-01.svg" in page
    assert 'class="mc-qr"' in page
    assert "microcred verify" in page
    assert "cannot check the eddsa-rdfc-2022 proof" in page
    link = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', page)
    assert link is not None
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == ["Data Analysis Sprint: Customer Churn"]
    assert query["organizationName"] == ["Northwind Talent Collective"]
    assert query["certUrl"] == [SITE_BASE + "credentials/data-2026-03-01/"]
    assert query["certId"][0].startswith("urn:uuid:")
    assert query["issueYear"] == ["2026"] and query["issueMonth"] == ["3"]


def test_brief_page_has_rubric_anchors_the_credentials_name(built_example: Built) -> None:
    cred = json.loads((built_example.site / "credentials" / "data-2026-03-01.json").read_text())
    page = (built_example.site / "catalog" / "data-analysis-sprint" / "index.html").read_text()
    for description in cred["credentialSubject"]["achievement"]["resultDescription"]:
        assert f'id="{description["id"].split("#")[1]}"' in page
        for level in description["rubricCriterionLevel"]:
            assert f'id="{level["id"].split("#")[1]}"' in page
    assert "1.5 ECTS" in page and "640 EUR in total" in page


def test_navigation_is_bounded_and_credentials_are_not_in_it(built_example: Built) -> None:
    config = (built_example.source / "mkdocs.yml").read_text()
    nav = config.split("\nnav:\n")[1]
    assert "credentials/" not in nav and len(nav.strip().splitlines()) == 4  # + Analytics
    home = (built_example.site / "index.html").read_text()
    assert "credentials/" not in home.split(CONTENT_MARK)[0]


CONTENT_MARK = "<!-- mc:content:start -->"


def test_every_page_hardened_and_within_budget(built_example: Built) -> None:
    pages = html_files(built_example.site)
    assert len(pages) == built_example.result.pages > 25
    for path in pages:
        html = path.read_text()
        assert len(html.encode()) < 80 * 1024, path
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
        assert csp is not None, path
        scripts = csp.group(1).split("script-src")[1].split(";")[0]
        assert "unsafe-inline" not in scripts and "unsafe-eval" not in scripts
        assert "fonts.googleapis" not in html
    assert built_example.result.oversized_pages == []


def test_no_secret_and_no_key_folder_in_output(built_example: Built) -> None:
    site = built_example.site
    assert not list(site.rglob(".microcred*"))
    assert "secretKeyMultibase" not in all_text(site)
    assert "privateKeyMultibase" not in all_text(site)


def test_source_pages_are_one_raw_html_block(built_example: Built) -> None:
    for path in (built_example.source / "docs").rglob("*.md"):
        text = path.read_text()
        front, body = text.split("---\n", 2)[1:]
        assert re.fullmatch(r'title: "[^"]*"\n', front)
        assert body.startswith('<div class="mc-page') and body.rstrip().endswith("</div>")


def test_build_result_numbers(built_example: Built) -> None:
    result = built_example.result
    completed = len(load_program(built_example.project).completed())
    assert result.kind == "issuer" and result.credentials == completed
    assert set(result.checks) == {
        p.stem for p in (built_example.site / "credentials").glob("*.json")
    }
    assert result.total_bytes > 0 and result.largest_page[1] < 80 * 1024


def test_every_credential_verified_valid_at_build_time(built_example: Built) -> None:
    assert {c.result for c in built_example.result.checks.values()} == {"valid"}


def test_the_collector_is_given_back_as_it_was(tmp_path: Path) -> None:
    """The build freezes its heap for its forked workers; after it, nothing stays frozen."""
    import gc

    from sitehelpers import NOW, copy_example, fixed_key

    from microcred.site import build_site

    project = copy_example(tmp_path / "program")
    assert gc.get_freeze_count() == 0
    build_site(project, tmp_path / "site", now=NOW, key=fixed_key())
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


@pytest.mark.parametrize("workers", ["forked", "one process"])
def test_check_issued_keeps_a_verdict_the_build_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    """`microcred issue`'s check: every credential read and verified (by forked workers or
    here), each verdict kept under the key the build looks it up by."""
    from sitehelpers import NOW, copy_example, fixed_key

    from microcred.issue import issue_program
    from microcred.publish import prepare_publication
    from microcred.site import build, cache

    monkeypatch.setattr(build, "PARALLEL_FROM_FORKED", 2 if workers == "forked" else 10**9)
    project = copy_example(tmp_path / "program")
    key = fixed_key()
    report = issue_program(project, now=NOW, key=key)
    checks = build.check_issued(project, report.issued, now=NOW, key=key)
    assert sorted(checks) == sorted(report.issued) and len(checks) > 20
    assert {c.result for c in checks.values()} == {"valid"}
    pub = prepare_publication(project, now=NOW, key=key)
    verdicts = build._verdict_cache(project, pub, NOW)
    # the issue run's fingerprints are the key's digest of the very credentials published
    assert sorted(pub.fingerprints) == sorted(pub.credentials)
    for slug, credential in pub.credentials.items():
        assert pub.fingerprints[slug] == cache.content_digest(credential), slug
        for digest in (None, pub.fingerprints[slug]):
            hit = verdicts.get(credential, NOW, digest)
            assert hit is not None and hit.result == checks[slug].result, slug
            assert hit.summary == checks[slug].summary
        assert verdicts.get(credential, NOW, "0" * 64) is None  # looked up by that digest


def test_the_build_takes_each_credential_s_digest_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check takes the digest of every credential the issue run did not (here: all, just
    signed), once, and keeps it on the publication for the build's input digest."""
    from sitehelpers import NOW, copy_example, fixed_key

    from microcred.publish import prepare_publication
    from microcred.site import build, cache

    project = copy_example(tmp_path / "program")
    pub = prepare_publication(project, now=NOW, key=fixed_key())
    taken = dict(pub.fingerprints)
    assert len(pub.credentials) > 20 and len(taken) < len(pub.credentials)
    calls: list[str] = []
    digest = cache.content_digest

    def counted(credential: Any) -> str:
        calls.append(credential["id"])
        return digest(credential)

    monkeypatch.setattr(cache, "content_digest", counted)
    checks = build.check_publication(pub, NOW, build._verdict_cache(project, pub, NOW))
    assert sorted(checks) == sorted(pub.credentials)
    assert len(calls) == len(pub.credentials) - len(taken) == len(set(calls))
    assert pub.fingerprints == {s: digest(c) for s, c in pub.credentials.items()}


def _pids(items: list[int], offset: int) -> list[tuple[int, int]]:
    """A stand-in for a chunk of checks: each item moved by ``offset``, with who did it."""
    return [(item + offset, os.getpid()) for item in items]


def _pids_not_in_a_child(items: list[int], offset: int, parent: int) -> list[tuple[int, int]]:
    if os.getpid() != parent:
        raise RuntimeError("the child died")
    return _pids(items, offset)


def test_few_checks_are_made_in_a_child_while_the_engine_is_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from microcred.site import build

    monkeypatch.setattr(build, "PARALLEL_FROM_FORKED", 10**9)
    calls: list[int] = []
    items = list(range(build.BESIDE_FROM + 3))
    found = build._in_workers(_pids, items, (100,), lambda: calls.append(os.getpid()))
    assert [value for value, _ in found] == [i + 100 for i in items]  # all, in order
    assert {pid for _, pid in found} != {os.getpid()}  # made by the child
    assert calls == [os.getpid()]  # meanwhile, here, once


def test_fewer_checks_are_made_here_and_leave_the_engine_to_the_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from microcred.site import build

    calls: list[int] = []
    items = list(range(build.BESIDE_FROM - 1))
    found = build._in_workers(_pids, items, (1,), lambda: calls.append(1))
    assert found == [(i + 1, os.getpid()) for i in items] and calls == []


def test_a_child_that_fails_leaves_the_checks_to_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from microcred.site import build

    monkeypatch.setattr(build, "PARALLEL_FROM_FORKED", 10**9)
    calls: list[int] = []
    items = list(range(build.BESIDE_FROM * 2))
    args = (7, os.getpid())
    found = build._in_workers(_pids_not_in_a_child, items, args, lambda: calls.append(1))
    assert found == [(i + 7, os.getpid()) for i in items] and calls == [1]


def test_with_a_pool_the_engine_is_imported_while_the_workers_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from microcred.site import build

    monkeypatch.setattr(build, "PARALLEL_FROM_FORKED", 2)
    calls: list[int] = []
    items = list(range(40))
    found = build._in_workers(_pids, items, (0,), lambda: calls.append(1))
    assert [value for value, _ in found] == items and calls == [1]
    assert len({pid for _, pid in found} - {os.getpid()}) >= 1


def test_the_engine_is_imported_once_whoever_asks_first() -> None:
    from microcred.site import build

    calls: list[int] = []
    once = build._Once(lambda: calls.append(1))
    once()
    once()
    assert calls == [1]
    build._Once(None)()  # nothing to do: nothing done


def test_checks_made_beside_are_the_checks_made_here(tmp_path: Path) -> None:
    """A build that signed its credentials verifies them in a child while it imports the
    engine: the same verdicts, the same reports for the verdict cache."""
    from sitehelpers import NOW, copy_example, fixed_key

    from microcred.publish import prepare_publication
    from microcred.site import build

    project = copy_example(tmp_path / "program")
    pub = prepare_publication(project, now=NOW, key=fixed_key())
    assert build.BESIDE_FROM <= len(pub.credentials) < build.PARALLEL_FROM_FORKED
    here = build.check_publication(pub, NOW)
    calls: list[int] = []
    beside = build.check_publication(pub, NOW, meanwhile=lambda: calls.append(1))
    assert calls == [1]
    assert beside.keys() == here.keys()
    for slug, check in here.items():
        other = beside[slug]
        assert (other.result, other.summary, other.problems) == (
            check.result,
            check.summary,
            check.problems,
        )
        assert getattr(other, "report", None) == getattr(check, "report", None) is not None
