"""Every kind of mistake, one fixture each, with the exact line a user sees."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from microcred.errors import ProblemsError
from microcred.records import check_program, iter_problems, load_program
from microcred.records.yamlsafe import LOADERS

from .conftest import FIXTURES

UNUSED = (
    "achievements/web-audit.md:2: $.open: no record uses this brief; set open: true while it "
    "accepts candidates, or remove the file"
)
# libyaml (the default when present) and PyYAML word parser errors differently.
HERE = "in this context" if LOADERS[0].__name__ == "CoreCLoader" else "here"
NOT_SLUG = "lower-case letters, digits and '-', at most 64, no '-' at either end"

EXPECTED: dict[str, list[str]] = {
    "alias_bomb": [
        "records/ada.md:15: YAML: more than 20000 values (aliases counted as copies); front "
        "matter this large is refused (column 14)",
    ],
    "awarded_year_9999": [
        "records/ada.md:10: $.awarded: 9999-12-31T23:59:59Z is in the future; a credential is "
        "awarded once the work is done: write the real date and time, e.g. 2026-03-16T15:30:00Z",
    ],
    "duplicate_record_copy": [
        "records/ada.md:2: $.candidate: looks like a duplicate of records/ada-copy.md: same "
        "candidate (e-mail), same brief 'web-audit' and overlapping dates (2026-05-04..2026-05-15 "
        "and 2026-05-04..2026-05-15); delete the copy, or correct the dates if the candidate "
        "really completed the brief twice",
    ],
    "status_list_size_float": [
        "microcred.toml:7: $.site.status_list_size: must be a whole number of bits written "
        "without a decimal point, e.g. 131072 (not 131072.0)",
    ],
    "stipend_missing": [
        "achievements/web-audit.md:2: $.stipend: no stipend stated: add 'stipend:' (amount, "
        "currency, period) or, if the work is unpaid, 'unpaid: true', so the site can say what "
        "the brief pays",
        "records/ada.md:6: $.achievement: not checked against brief 'web-audit' (its rubric, "
        "levels and passing points) because that brief has errors: fix the brief, then run "
        "check again",
    ],
    "unpaid_with_stipend": [
        "achievements/web-audit.md:21: $.unpaid: unpaid: true, but the brief also states a "
        "stipend above 0",
        "records/ada.md:6: $.achievement: not checked against brief 'web-audit' (its rubric, "
        "levels and passing points) because that brief has errors: fix the brief, then run "
        "check again",
    ],
    "bad_currency": [
        "achievements/web-audit.md:20: $.stipend.currency: 'euro' must be an ISO 4217 currency "
        "code such as EUR, USD or GBP",
        "records/ada.md:6: $.achievement: not checked against brief 'web-audit' (its rubric, "
        "levels and passing points) because that brief has errors: fix the brief, then run "
        "check again",
    ],
    "base_url_without_slash": [
        "microcred.toml:6: $.site.base_url: 'https://issuer.example.org/badges' must be an "
        "absolute http(s) URL ending with '/', e.g. https://example.org/badges/",
    ],
    "below_passing": [
        "records/ada.md:11: $.results: scores 1 of 4 points, below the brief's passing_points 3; "
        "a completed record earns the credential, so it must pass",
    ],
    "brief_unreferenced": [
        "achievements/seo-review.md:2: $.open: no record uses this brief; set open: true while "
        "it accepts candidates, or remove the file",
    ],
    "control_character": [
        "records/ada.md:16: contains the control character U+0000; remove it",
    ],
    "credits_three_decimals": [
        "achievements/web-audit.md:20: $.credits.amount: at most two decimals",
        "records/ada.md:6: $.achievement: not checked against brief 'web-audit' (its rubric, "
        "levels and passing points) because that brief has errors: fix the brief, then run "
        "check again",
    ],
    "criterion_unknown": [
        "records/ada.md:11: $.results: criterion 'report' of brief 'web-audit' is not scored; "
        "add a result for it",
        "records/ada.md:13: $.results[1].criterion: 'reprot' is not a criterion of brief "
        "'web-audit'; did you mean 'report'? its criteria: findings, report",
    ],
    "date_in_words": [
        "records/ada.md:7: $.start_date: 'May 4th' is not a date; write YYYY-MM-DD, "
        "e.g. 2026-05-03",
    ],
    "did_web_without_did": [
        "microcred.toml:8: $.identity.did: a did:web identity needs did = "
        "'did:web:<host>[:<path>]' (no IP, no port colon)",
    ],
    "duplicate_candidate_casefold": [
        "records/bob.md:2: $.candidate: portfolio name 'ada-lovelace' is also used by "
        "records/ada.md for a different candidate (another e-mail); set candidate.slug to tell "
        "them apart",
    ],
    "duplicate_candidate_nfd": [
        "records/jose.md:2: $.candidate: portfolio name 'jose-diaz' is also used by "
        "records/ada.md for a different candidate (another e-mail); set candidate.slug to tell "
        "them apart",
    ],
    "duplicate_key": [
        "records/ada.md:10: $.hours: duplicate field 'hours' (first on line 9); keep one",
    ],
    "empty_achievements_folder": [
        "achievements/: no briefs: add achievements/<slug>.md with name, description, criteria "
        "and rubric",
        "records/ada.md:6: $.achievement: unknown brief 'web-audit'; known briefs: none",
    ],
    "empty_value": [
        "records/ada.md:9: $.hours: expected a number, found an empty value; write a value or "
        "remove the line",
    ],
    "end_before_start": [
        "records/ada.md:8: $.end_date: is before start_date",
    ],
    "evidence_not_https": [
        "records/ada.md:12: $.evidence[0].url: 'http://example.org/report.pdf' must be an "
        "https URL",
    ],
    "file_name_not_slug": [
        "records/Ada Lovelace.md:1: file name 'Ada Lovelace' is not a slug (lower-case letters, "
        "digits and '-', at most 64); rename it to ada-lovelace.md",
    ],
    "front_matter_is_list": [
        "records/ada.md:2: $: front matter must be fields ('name: value' lines), not a list or "
        "a single value",
    ],
    "image_missing": [
        "achievements/web-audit.md:20: $.image: 'images/badge.svg' not found in the program folder",
    ],
    "image_path_traversal": [
        "achievements/web-audit.md:20: $.image: '../../etc/passwd' must be a path inside the "
        "program folder (letters, digits, '.', '_', '-' and '/'; no '..', no leading '/') or an "
        "https URL",
        "records/ada.md:6: $.achievement: not checked against brief 'web-audit' (its rubric, "
        "levels and passing points) because that brief has errors: fix the brief, then run "
        "check again",
    ],
    "level_unknown": [
        "records/ada.md:13: $.results[1].level: 'excelent' is not a level of criterion "
        "'report'; did you mean 'excellent'? its levels: basic, good, excellent",
    ],
    "missing_achievements_folder": [
        "achievements/: folder not found: create achievements/ with one <slug>.md per brief",
        "records/ada.md:6: $.achievement: unknown brief 'web-audit'; known briefs: none",
    ],
    "missing_criterion": [
        "records/ada.md:11: $.results: criterion 'report' of brief 'web-audit' is not scored; "
        "add a result for it",
    ],
    "missing_front_matter": [
        "records/ada.md:1: has no front matter: start the file with a line '---', then the YAML "
        "fields, then another '---' line, then the Markdown text",
    ],
    "missing_records_folder": [
        "records/: folder not found: create records/ with one <slug>.md per internship record",
    ],
    "missing_toml": [
        "microcred.toml: file not found: every program needs one, with [issuer] name and url "
        "and [site] base_url (microcred init writes it)",
    ],
    "naive_datetime": [
        "records/ada.md:10: $.awarded: '2026-05-15T17:00:00' has no time zone (times are never "
        "guessed); add one, e.g. 2026-05-15T17:00:00Z for UTC or 2026-05-15T17:00:00+02:00",
    ],
    "non_text_key": [
        "records/ada.md:10: $: field names must be text; quote the key '1' or rename it",
    ],
    "not_utf8": [
        "records/ada.md:16: is not UTF-8 (byte 0xE8 at column 3); save the file as UTF-8",
    ],
    "number_as_text": [
        "records/ada.md:10: $.cohort: expected text, found the number 2026 (quote it if you "
        'mean the text: "2026")',
    ],
    "offer_accepted_without_offer": [
        "records/ada.md:13: $.outcome.offer_accepted: cannot accept an offer never made",
    ],
    "passing_points_above_max": [
        "achievements/web-audit.md:6: $.rubric.passing_points: must be between 0 and the rubric "
        "maximum 4",
        "records/ada.md:6: $.achievement: not checked against brief 'web-audit' (its rubric, "
        "levels and passing points) because that brief has errors: fix the brief, then run "
        "check again",
    ],
    "python_object_tag": [
        "records/ada.md:10: $.cohort: the YAML tag !!python/object/apply:os.system is not "
        "allowed; front matter holds plain data only",
    ],
    "record_unknown_achievement": [
        UNUSED,
        "records/ada.md:6: $.achievement: unknown brief 'web-audti'; did you mean 'web-audit'? "
        "known briefs: web-audit",
    ],
    "rubric_one_level": [
        "achievements/web-audit.md:10: $.rubric.criteria[0].levels: needs at least 2 items",
        "records/ada.md:6: $.achievement: not checked against brief 'web-audit' (its rubric, "
        "levels and passing points) because that brief has errors: fix the brief, then run "
        "check again",
    ],
    "slug_traversal": [
        f"records/ada.md:6: $.candidate.slug: '../../index' must be a slug: {NOT_SLUG}",
    ],
    "status_typo": [
        "records/ada.md:10: $.status: 'complete' is not one of: completed, withdrawn; did you "
        "mean 'completed'?",
    ],
    "toml_syntax_error": [
        "microcred.toml:2: TOML: Illegal character '\\n' (column 20)",
    ],
    "toml_unknown_field": [
        "microcred.toml:1: $.issuer: missing required field 'name'",
        "microcred.toml:2: $.issuer.nmae: unknown field 'nmae'; did you mean 'name'?",
    ],
    "unclosed_front_matter": [
        "records/ada.md:1: front matter is never closed: add a line '---' after the YAML fields",
    ],
    "underscore_number": [
        "achievements/web-audit.md:20: $.expected_hours: expected a whole number, found "
        "'1_000' (write the number without separators: 1000)",
        "records/ada.md:6: $.achievement: not checked against brief 'web-audit' (its rubric, "
        "levels and passing points) because that brief has errors: fix the brief, then run "
        "check again",
    ],
    "unknown_field_typo": [
        "records/ada.md:2: $: missing required field 'mentor'",
        "records/ada.md:10: $.mentr: unknown field 'mentr'; did you mean 'mentor'?",
    ],
    "withdrawn_with_unknown_level": [
        "records/ada.md:13: $.results[0].level: 'gold' is not a level of criterion 'findings'; "
        "did you mean 'good'? its levels: basic, good, excellent",
    ],
    "wrong_suffix_case": [
        "records/ada.MD: rename it to ada.md (only .md files are read)",
    ],
    "yaml_syntax_error": [
        f"records/ada.md:10: YAML: mapping values are not allowed {HERE} (column 8)",
    ],
    "yes_as_boolean": [
        "records/ada.md:5: $.candidate.consent_publish: expected true or false, found 'yes' "
        "(in YAML 1.2 yes/no/on/off are text: write true or false)",
    ],
    "several_problems_in_one_run": [
        "achievements/web-audit.md:20: $.stipend.currency: 'eur' must be an ISO 4217 currency "
        "code such as EUR, USD or GBP",
        "microcred.toml:6: $.site.base_url: 'https://issuer.example.org/badges' must be an "
        "absolute http(s) URL ending with '/', e.g. https://example.org/badges/",
        "records/ada.md:2: $: missing required field 'mentor'",
        "records/ada.md:5: $.candidate.consent_publish: expected true or false, found 'on' "
        "(in YAML 1.2 yes/no/on/off are text: write true or false)",
        "records/ada.md:10: $.mentr: unknown field 'mentr'; did you mean 'mentor'?",
        "records/ada.md:14: $.awarded: '2026-05-15 17:00' has no time zone (times are never "
        "guessed); add one, e.g. 2026-05-15 17:00Z for UTC or 2026-05-15 17:00+02:00",
        "records/bob.md:6: $.achievement: unknown brief 'web-audti'; did you mean 'web-audit'? "
        "known briefs: web-audit",
        "records/cy.md:1: has no front matter: start the file with a line '---', then the YAML "
        "fields, then another '---' line, then the Markdown text",
    ],
}


def test_every_fixture_has_an_expectation() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "base"}
    assert folders == set(EXPECTED)


def test_base_program_is_valid() -> None:
    assert check_program(FIXTURES / "base") == []
    program = load_program(FIXTURES / "base")
    assert [r.slug for r in program.records] == ["ada"]


@pytest.mark.parametrize("defect", sorted(EXPECTED))
def test_defect_is_reported_exactly(defect: str, program: Callable[[str], Path]) -> None:
    root = program(defect)
    assert [str(p) for p in check_program(root)] == EXPECTED[defect]


@pytest.mark.parametrize("defect", ["several_problems_in_one_run", "criterion_unknown"])
def test_load_program_raises_with_every_problem(
    defect: str, program: Callable[[str], Path]
) -> None:
    root = program(defect)
    with pytest.raises(ProblemsError) as caught:
        load_program(root)
    assert caught.value.diagnostics().splitlines() == EXPECTED[defect]
    assert sorted(map(str, iter_problems(root))) == sorted(EXPECTED[defect])


def test_symlinked_record_is_refused(program: Callable[[str], Path], tmp_path: Path) -> None:
    root = program("brief_unreferenced")
    outside = tmp_path / "outside.md"
    outside.write_text((root / "records" / "ada.md").read_text(encoding="utf-8"), "utf-8")
    (root / "records" / "linked.md").symlink_to(outside)
    assert [str(p) for p in check_program(root)] == [
        "records/linked.md:1: is a symbolic link; put the file itself here",
    ]


def test_symlinked_image_is_refused(program: Callable[[str], Path], tmp_path: Path) -> None:
    root = program("image_missing")
    secret = tmp_path / "secret.svg"
    secret.write_text("<svg/>", "utf-8")
    (root / "images").mkdir()
    (root / "images" / "badge.svg").symlink_to(secret)
    assert [str(p) for p in check_program(root)] == [
        "achievements/web-audit.md:20: $.image: 'images/badge.svg' points outside the program "
        "folder",
    ]
    (root / "images" / "badge.svg").unlink()
    (root / "images" / "badge.svg").write_text("<svg/>", "utf-8")
    assert check_program(root) == []


def test_missing_program_folder(tmp_path: Path) -> None:
    problems = check_program(tmp_path / "nowhere")
    assert len(problems) == 1
    assert problems[0].message.startswith("program folder not found")
