"""A candidate's portfolio: credentials from any issuer, verified at build time, shown with
their state in words; imported content is untrusted (MC-64) and uploaded SVGs are not re-served."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sitehelpers import NOW

from microcred.errors import ConfigError
from microcred.site.portfolio import load_settings, view


@pytest.fixture(scope="module")
def portfolio(built_portfolio: tuple[Path, Path]) -> tuple[Path, Path]:
    return built_portfolio


def test_each_credential_is_verified_and_shown_in_words(portfolio: tuple[Path, Path]) -> None:
    _, site = portfolio
    home = (site / "index.html").read_text()
    assert home.count('<span class="mc-chip mc-chip--valid">Verified</span>') == 3
    assert home.count('<span class="mc-chip mc-chip--invalid">Not valid</span>') == 3
    assert "credentials/garbage.json" in home  # show_invalid = true: unreadable ones listed
    page = (site / "badges" / "churn" / "index.html").read_text()
    assert "<strong>Verified:</strong> “Data Analysis Sprint: Customer Churn” issued by" in page
    assert "Checked offline by microcred on 2026-11-01T12:00:00Z: checked: proofs eddsa-rdfc-2022" in page
    tampered = (site / "badges" / "tampered" / "index.html").read_text()
    assert "CRYPTOGRAPHIC_SECURITY_ERROR" in tampered


def test_manifest_lets_verify_check_the_portfolio_offline(portfolio: tuple[Path, Path]) -> None:
    _, site = portfolio
    manifest = json.loads((site / "microcred-site.json").read_text())
    assert manifest["kind"] == "portfolio" and manifest["holder"] == "Zoë Ünal"
    assert sorted(manifest["credentials"]) == [
        "badges/audit-baked.json",
        "badges/churn-baked.json",
        "badges/churn.json",
        "badges/hostile.json",
        "badges/tampered.json",
    ]
    for rel in [*manifest["credentials"], *manifest["status_lists"].values()]:
        assert (site / rel).is_file()
    from microcred.verify import verify_paths

    results = {Path(r.path).name: r.result for r in verify_paths([site], now=NOW)}
    assert results["churn.json"] == "valid" and results["tampered.json"] == "invalid"


def test_uploaded_svg_is_not_served_again(portfolio: tuple[Path, Path]) -> None:
    root, site = portfolio
    served = (site / "badges" / "audit-baked.svg").read_text()
    assert "openbadges:credential" not in served  # our generated picture, not the upload
    assert served != (root / "credentials" / "audit-baked.svg").read_text()
    assert (site / "badges" / "churn-baked.png").read_bytes() == (
        root / "credentials" / "churn-baked.png"
    ).read_bytes()


def test_imported_content_is_untrusted(portfolio: tuple[Path, Path]) -> None:
    _, site = portfolio
    page = (site / "badges" / "hostile" / "index.html").read_text()
    content = page.split("<!-- mc:content:start -->")[1].split("<!-- mc:content:end -->")[0]
    assert "<script>alert" not in content and '<b id="injected">' not in content
    assert 'src="data:image/svg' not in content and 'href="javascript:' not in content
    assert "<bdi>\u202eevil" in content
    home = (site / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in home and "<script>alert(1)" not in home
    assert '<h2 id="mc-u-profile-about-me">About me</h2>' in home  # Markdown, not fallback text


def test_view_tolerates_any_shape() -> None:
    shown = view(
        {
            "credentialSubject": [{"achievement": "not an object"}],
            "issuer": 7,
            "evidence": "x",
            "name": ["list"],
        }
    )
    assert shown["name"] == "Credential" and shown["issuer_name"] == "unknown issuer"
    assert shown["evidence"] == [] and shown["results"] == []


def test_portfolio_settings_are_checked(tmp_path: Path) -> None:
    (tmp_path / "microcred.toml").write_text('[portfolio]\nname = "A"\nbase_url = "ftp://x/"\n')
    with pytest.raises(ConfigError, match="base_url"):
        load_settings(tmp_path)
    (tmp_path / "microcred.toml").write_text(
        '[portfolio]\nname = "A"\nbase_url = "https://a.example/"\ncolour = "red"\n'
    )
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(tmp_path)
    (tmp_path / "microcred.toml").write_text(
        '[portfolio]\nname = "A"\nbase_url = "https://a.example/"\nprofile = "../x.md"\n'
    )
    with pytest.raises(ConfigError, match="inside the portfolio"):
        load_settings(tmp_path)
