"""Model building: slugs that are safe to use as paths, ModelError mapped onto lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from microcred.records import candidate_slug, check_program, slugify

from .conftest import FIXTURES, materialise


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Søren Ødegård", "soren-odegard"),
        ("Nguyễn Thị Mai", "nguyen-thi-mai"),
        ("Zoë Ünal", "zoe-unal"),
        ("Aoife Ní Bhraonáin", "aoife-ni-bhraonain"),
        ("José Ñúñez", "jose-nunez"),
        ("Jose\u0301 N\u0303un\u0303ez", "jose-nunez"),  # NFD spelling, same slug
        ("Straße Æsir Łódź", "strasse-aesir-lodz"),
        ("../../index", "index"),
        ("C:\\x %2e%2e%2f", "c-x-2e-2e-2f"),
        ("李雷", None),
        ("---", None),
        ("a" * 100, "a" * 64),
    ],
)
def test_slugify(name: str, slug: str | None) -> None:
    assert slugify(name) == slug


def test_candidate_slug_never_uses_a_name_without_consent() -> None:
    base = {"explicit": None, "name": "Zoë Ünal", "record": "rec-1"}
    assert candidate_slug(**base, pseudonym=None, consent=True) == "zoe-unal"
    assert candidate_slug(**base, pseudonym=None, consent=False) == "rec-1"
    hashed = candidate_slug(**base, pseudonym="did:example:123", consent=False)
    assert hashed.startswith("id-")
    assert len(hashed) == 19
    assert "zoe" not in hashed
    assert candidate_slug(**{**base, "explicit": "zed"}, pseudonym=None, consent=True) == "zed"
    assert candidate_slug(**{**base, "name": "李雷"}, pseudonym=None, consent=True) == "rec-1"


def test_model_errors_map_to_the_line_of_the_field(tmp_path: Path) -> None:
    root = materialise("brief_unreferenced", tmp_path / "p")
    record = root / "records" / "ada.md"
    text = record.read_text(encoding="utf-8")
    record.write_text(
        text.replace("  consent_publish: true\n", "  consent_publish: true\n  id: mailto:x@y.z\n"),
        encoding="utf-8",
    )
    (root / "achievements" / "seo-review.md").unlink()
    assert [str(p) for p in check_program(root)] == [
        "records/ada.md:6: $.candidate.id: must be a DID, an https URL or a URN",
    ]


def test_fixture_base_is_untouched_by_overlays() -> None:
    assert not (FIXTURES / "base" / "records" / "bob.md").exists()
