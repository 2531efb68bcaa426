"""The built site in a real headless Chromium (Debian's /usr/bin/chromium via Playwright).

Pages load from a local http.server on 127.0.0.1 (and from file://): no console errors or
CSP violations, every internal link resolves, screenshots are not blank, the in-page
verifier says "valid" for the real credentials and "invalid" once anything is tampered
with, and a record with script in every text field renders inert.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from sitehelpers import NOW, REPO, fixed_key, png_pixels, write_xss_program

from conftest import Built
from microcred.keyring import KeyRing
from microcred.publish import change_status
from microcred.records import load_issuer_settings
from microcred.site import build_site, scaffold

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts" / "site"
VERDICT = '[data-mc-verify-result]:not([data-mc-verify-result="pending"])'

if not CHROMIUM.is_file():
    pytest.skip(
        "BROWSER TESTS SKIPPED: /usr/bin/chromium is not installed (apt-get install chromium); "
        "the in-browser verifier and XSS checks did not run",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="BROWSER TESTS SKIPPED: no playwright")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.allow_hosts(["127.0.0.1"]),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        del format, args


@dataclass
class Server:
    root: Path
    base: str


def _serve(root: Path) -> Iterator[Server]:
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(root, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site(built_example: Built) -> Iterator[Server]:
    yield from _serve(built_example.site)


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("xss")
    project = write_xss_program(base / "program")
    build_site(project, base / "site", now=NOW, key=fixed_key("xss"))
    yield from _serve(base / "site")


@pytest.fixture(scope="module")
def portfolio_site(built_portfolio: tuple[Path, Path]) -> Iterator[Server]:
    yield from _serve(built_portfolio[1])


@pytest.fixture(scope="module")
def revoked_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`microcred init` output (did:web), issued, then its one credential revoked."""
    base = tmp_path_factory.mktemp("revoked")
    root = base / "program"
    scaffold(root, url="https://org.github.io/interns/", today=dt.date(2026, 10, 1))
    KeyRing(root).new_key(load_issuer_settings(root).identity, now=NOW - dt.timedelta(days=30))
    build_site(root, base / "site", now=NOW)
    change_status(
        root, "example-record", action="revoke", who="test", now=NOW, reason="issued in error"
    )
    build_site(root, base / "site", now=NOW + dt.timedelta(hours=1))
    yield from _serve(base / "site")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


@dataclass
class Watch:
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    watch = Watch()
    tab.on(
        "console",
        lambda m: (
            watch.errors.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    tab.on("pageerror", lambda e: watch.errors.append(f"page error: {e}"))
    # A request the browser aborts because the test navigated on (the favicon, fetched after
    # load) is no fault of the page; a missing file still shows as an HTTP 404 below.
    tab.on(
        "requestfailed",
        lambda r: (
            None
            if "ERR_ABORTED" in (r.failure or "")
            else watch.errors.append(f"request failed: {r.url} ({r.failure})")
        ),
    )
    tab.on(
        "response",
        lambda r: watch.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    yield tab, watch
    context.close()


def _verdict(tab: Any) -> str:
    tab.wait_for_selector(VERDICT, timeout=10_000)
    return str(tab.get_attribute("[data-mc-verify-result]", "data-mc-verify-result"))


def _internal_links(tab: Any) -> list[str]:
    return list(tab.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"))


def _file_for(url: str, server: Server) -> Path:
    path = unquote(urlsplit(url).path).lstrip("/")
    target = server.root / path
    return target / "index.html" if path == "" or path.endswith("/") else target


# --------------------------------------------------------------------------- the example site


def test_every_page_loads_clean_and_every_internal_link_resolves(
    site: Server, page: tuple[Any, Watch]
) -> None:
    tab, watch = page
    pages = sorted(
        p.relative_to(site.root).as_posix()
        for p in site.root.rglob("*.html")
        if p.name != "404.html"
    )
    assert len(pages) > 25
    checked = 0
    for rel in pages:
        tab.goto(site.base + rel)
        if tab.query_selector("[data-mc-verify-result][data-mc-auto]"):
            assert _verdict(tab) == "valid", rel
        for link in _internal_links(tab):
            if link.startswith(site.base):
                assert _file_for(link, site).is_file(), f"{rel} links to missing {link}"
                checked += 1
    assert checked > 200
    assert watch.errors == []
    assert watch.dialogs == []


def _not_blank(tab: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    sample = tab.screenshot(clip={"x": 0, "y": 0, "width": 480, "height": 360})
    width, height, channels, pixels = png_pixels(sample)
    colours = {pixels[i : i + channels] for i in range(0, len(pixels), channels)}
    assert (width, height) == (480, 360)
    assert len(colours) > 20, f"{name} screenshot is (nearly) one colour"


def test_screenshots_are_not_blank(site: Server, page: tuple[Any, Watch]) -> None:
    tab, watch = page
    for name, rel in [
        ("home", "index.html"),
        ("catalog", "catalog/index.html"),
        ("brief", "catalog/data-analysis-sprint/index.html"),
        ("credential", "credentials/data-2026-03-01/index.html"),
        ("portfolio", "people/zoe-unal/index.html"),
        ("verify", "verify.html"),
    ]:
        tab.goto(site.base + rel)
        if name == "credential":
            assert _verdict(tab) == "valid"
        _not_blank(tab, name)
    assert watch.errors == []


def test_verdict_is_shown_in_words(site: Server, page: tuple[Any, Watch]) -> None:
    tab, _ = page
    tab.goto(site.base + "credentials/ux-2026-04-01/index.html")
    assert _verdict(tab) == "valid"
    words = tab.inner_text("[data-mc-verdict]")
    assert words.startswith("Valid:")
    checks = tab.text_content("[data-mc-checks]")
    for label in (
        "Signature (eddsa-jcs-2022): passed",
        "Signed by the issuer: passed",
        "Not revoked: passed",
    ):
        assert label in checks


def _tamper_route(tab: Any, url: str, old: str, new: str) -> None:
    def handle(route: Any) -> None:
        response = route.fetch()
        body = response.text()
        assert old in body
        route.fulfill(response=response, body=body.replace(old, new, 1))

    tab.route(url, handle)


def test_tampered_credential_is_invalid(site: Server, page: tuple[Any, Watch]) -> None:
    tab, _ = page
    url = site.base + "credentials/data-2026-03-01/index.html"
    _tamper_route(tab, url, '"creditsEarned": 1.5', '"creditsEarned": 15')
    tab.goto(url)
    assert _verdict(tab) == "invalid"
    assert "CRYPTOGRAPHIC_SECURITY_ERROR" in tab.text_content("[data-mc-checks]")


def test_tampered_status_list_is_invalid(site: Server, page: tuple[Any, Watch]) -> None:
    tab, _ = page
    url = site.base + "credentials/ux-2026-04-01/index.html"
    _tamper_route(
        tab,
        url,
        '"statusPurpose": "revocation", "ttl"',
        '"statusPurpose": "revocation", "ttl": 1, "x"',
    )
    tab.goto(url)
    assert _verdict(tab) == "invalid"
    assert "STATUS_VERIFICATION_ERROR" in tab.text_content("[data-mc-checks]")


def test_missing_status_snapshot_is_indeterminate(site: Server, page: tuple[Any, Watch]) -> None:
    tab, _ = page
    url = site.base + "credentials/ux-2026-04-01/index.html"
    _tamper_route(tab, url, '"statusLists": {"https://', '"statusLists": {"x-https://')
    tab.goto(url)
    assert _verdict(tab) == "indeterminate"


def _vc_fragment(credential: dict[str, Any]) -> str:
    raw = json.dumps(credential).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_verify_page_checks_a_credential_from_the_fragment(
    site: Server, page: tuple[Any, Watch]
) -> None:
    tab, watch = page
    credential = json.loads((site.root / "credentials" / "sales-2026-05-01.json").read_text())
    tab.goto(site.base + "verify.html#vc=" + _vc_fragment(credential))
    assert _verdict(tab) == "valid"
    assert credential["name"] in tab.inner_text("#mc-summary")
    credential["credentialSubject"]["achievement"]["name"] = "Something else"
    tab.goto("about:blank")
    tab.goto(site.base + "verify.html#vc=" + _vc_fragment(credential))
    assert _verdict(tab) == "invalid"
    assert watch.errors == []


def test_verify_page_reads_baked_png_and_refuses_duplicate_keys(
    site: Server, page: tuple[Any, Watch]
) -> None:
    tab, _ = page
    tab.goto(site.base + "verify.html")
    tab.set_input_files("#mc-file", str(site.root / "credentials" / "ux-2026-04-01.png"))
    assert _verdict(tab) == "valid"
    tab.goto("about:blank")
    tab.goto(site.base + "verify.html")
    text = (site.root / "credentials" / "ux-2026-04-01.json").read_text()
    tab.fill(
        "#mc-input", text.replace('{\n  "@context"', '{"name": "x",\n  "name": "y", "@context"', 1)
    )
    tab.click("#mc-check")
    assert _verdict(tab) == "invalid"
    assert "duplicate key" in tab.inner_text("[data-mc-checks]")


def test_works_from_file_urls_without_network(
    built_example: Built, page: tuple[Any, Watch]
) -> None:
    tab, watch = page
    tab.route("http*://**", lambda route: route.abort())  # no network at all
    tab.goto((built_example.site / "credentials" / "data-2026-03-01" / "index.html").as_uri())
    assert _verdict(tab) == "valid"
    home = tab.get_attribute("header a[href$='index.html'], a.md-header__button.md-logo", "href")
    assert home is None or home.endswith("index.html")
    tab.click("text=The full brief, rubric and skills")
    assert tab.url.endswith("catalog/data-analysis-sprint/index.html")
    assert watch.errors == []


# --------------------------------------------------------------------------- hostile input


def test_script_in_every_field_renders_inert(xss_site: Server, page: tuple[Any, Watch]) -> None:
    tab, watch = page
    pages = sorted(
        p.relative_to(xss_site.root).as_posix()
        for p in xss_site.root.rglob("*.html")
        if p.name != "404.html"
    )
    assert any(p.startswith("credentials/") for p in pages)
    for rel in pages:
        tab.goto(xss_site.base + rel)
        if tab.query_selector("[data-mc-verify-result][data-mc-auto]"):
            assert _verdict(tab) == "valid", rel
        tab.mouse.move(200, 300)
        tab.mouse.move(600, 500)
        assert tab.query_selector("#injected") is None, rel
        assert tab.query_selector("[onerror], [onload], [onmouseover], [onclick]") is None, rel
        assert (
            tab.eval_on_selector_all(
                "a[href]",
                "els => els.filter(e => /^(javascript|vbscript|data):/i.test(e.href)).length",
            )
            == 0
        ), rel
        assert (
            tab.evaluate(
                "document.querySelectorAll('.mc-page script:not([type=\"application/json\"])').length"
            )
            == 0
        ), rel
        assert (
            tab.evaluate(
                "[...document.scripts].filter(s => s.textContent.includes('alert(')"
                " && s.type !== 'application/json').length"
            )
            == 0
        ), rel
    assert watch.dialogs == []
    assert watch.errors == []
    private = (xss_site.root / "credentials" / "hostile-private" / "index.html").read_text()
    assert "Name &lt;/script&gt;" not in private and "Name </script>" not in private


def test_revoked_credential_is_invalid_and_says_so(
    revoked_site: Server, page: tuple[Any, Watch]
) -> None:
    tab, watch = page
    tab.goto(revoked_site.base + "credentials/example-record/index.html")
    assert _verdict(tab) == "invalid"
    assert "revoked (status list as of" in tab.text_content("[data-mc-checks]")
    assert "Status: revoked by the issuer" in tab.inner_text(".mc-state")
    assert watch.errors == []


def test_portfolio_pages_verify_and_stay_inert(
    portfolio_site: Server, page: tuple[Any, Watch]
) -> None:
    tab, watch = page
    tab.goto(portfolio_site.base + "index.html")
    _not_blank(tab, "portfolio-project")
    for slug, expected in [
        ("churn", "valid"),
        ("churn-baked", "valid"),
        ("audit-baked", "valid"),
        ("tampered", "invalid"),
        ("hostile", "invalid"),
    ]:
        tab.goto(portfolio_site.base + f"badges/{slug}/index.html")
        assert _verdict(tab) == expected, slug
        assert tab.query_selector("#injected") is None
    assert watch.dialogs == []
    assert watch.errors == []


# --------------------------------------------------------------------------- verify.js units


@pytest.mark.conformance
def test_javascript_jcs_matches_rfc8785_vectors(
    site: Server, page: tuple[Any, Watch], standards: Path
) -> None:
    tab, _ = page
    tab.goto(site.base + "verify.html")
    folder = standards / "vectors" / "jcs-rfc8785"
    for source in sorted((folder / "input").glob("*.json")):
        value = json.loads(source.read_text(encoding="utf-8"))
        expected = (folder / "output" / source.name).read_text(encoding="utf-8")
        assert tab.evaluate("v => window.microcredVerify.jcs(v)", value) == expected, source.name


@pytest.mark.conformance
def test_javascript_checks_the_w3c_eddsa_jcs_vector(
    site: Server, page: tuple[Any, Watch], standards: Path
) -> None:
    tab, _ = page
    tab.goto(site.base + "verify.html")
    signed = json.loads(
        (standards / "vectors" / "eddsa-jcs-2022" / "alumni" / "signed.json").read_text()
    )
    script = "c => window.microcredVerify.verifyCredential(c, {})"
    outcome = tab.evaluate(script, signed)
    proof = next(c for c in outcome["checks"] if c["id"] == "proof")
    assert proof["outcome"] == "passed"
    signed["credentialSubject"]["alumniOf"] = "Another University"
    outcome = tab.evaluate(script, signed)
    assert outcome["result"] == "invalid"
    assert next(c for c in outcome["checks"] if c["id"] == "proof")["outcome"] == "failed"


def test_javascript_small_order_screen_agrees_with_python(
    site: Server, page: tuple[Any, Watch]
) -> None:
    from microcred.proof.keys import is_small_order

    tab, _ = page
    tab.goto(site.base + "verify.html")
    p = 2**255 - 19
    candidates = [
        (1).to_bytes(32, "little"),  # identity
        (p - 1).to_bytes(32, "little"),  # order 2
        bytes(32),  # y = 0: order 4
        fixed_key().public_key,  # a real key
        bytes.fromhex(
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"
        ),  # order 8
        bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
    ]
    for key in candidates:
        js = tab.evaluate("b => window.microcredVerify.isSmallOrder(new Uint8Array(b))", list(key))
        assert js is is_small_order(key), key.hex()
    assert (
        tab.evaluate(
            "b => window.microcredVerify.isSmallOrder(new Uint8Array(b))", list(candidates[0])
        )
        is True
    )
