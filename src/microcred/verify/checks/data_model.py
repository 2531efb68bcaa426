"""Check 2, ``data_model``: VC 2.0 (or 1.1) core rules, OB 3.0 rules, and the OB schema.

Hand-written rules cover what every credential must satisfy (MC-54..58); the 1EdTech JSON
Schema is applied only when the credential names it, from an offline copy: a
``credentialSchema.id`` is never fetched (MC-57), and a schema that cannot be checked is a
warning, never a pass in disguise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from microcred._util import JSON_SCALARS, is_mapping, spelled
from microcred.errors import MicrocredError
from microcred.proof.timestamps import parse_datetimestamp
from microcred.verify.checks.schema_input import schema_inputs, schema_problems
from microcred.verify.context import Ctx, result, types_of
from microcred.verify.report import (
    LEGACY_DATA_MODEL,
    MALFORMED_VALUE_ERROR,
    NONSTANDARD_VALUE,
    RECIPIENT_NOT_IDENTIFIED,
    SCHEMA_NOT_CHECKED,
    UNSUPPORTED_FORMAT,
    CheckResult,
    Finding,
)

URL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+", re.ASCII)
OB_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
ENDORSEMENT_TYPE = "EndorsementCredential"
KNOWN_TYPES = OB_TYPES | {ENDORSEMENT_TYPE, "ClrCredential", "BitstringStatusListCredential"}
"""microcred verifies Open Badges (and what travels with them), not arbitrary VCs (MC-57)."""
_HASH_RE = {
    "sha256": re.compile(r"[0-9A-Fa-f]{64}", re.ASCII),
    "md5": re.compile(r"[0-9A-Fa-f]{32}", re.ASCII),
}
_IDENTITY_KEYS = frozenset({"type", "hashed", "identityHash", "identityType", "salt"})
_VALUE_OBJECT_KEYS = frozenset({"@value", "@language", "@direction", "@type", "@index"})
_TYPED_LISTS = ("credentialStatus", "termsOfUse", "evidence", "refreshService", "credentialSchema")
SCHEMA_VALIDATORS = frozenset({"1EdTechJsonSchemaValidator2019", "JsonSchema"})
ONEEDTECH_SCHEMA_PREFIXES = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/",
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/",
)


def is_url(value: object) -> bool:
    return isinstance(value, str) and bool(URL_RE.fullmatch(value))


def _blank(text: str) -> bool:
    """Nothing a reader would see: spaces, separators, format and control characters only."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc") for ch in text)


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value]


class _Rules:
    """Collects every data-model problem in one pass (like jsonschema's iter_errors)."""

    def __init__(self) -> None:
        self.problems: list[Finding] = []
        self.warnings: list[Finding] = []

    def bad(self, where: str, message: str) -> None:
        self.problems.append(Finding(MALFORMED_VALUE_ERROR, f"{where}: {message}"))

    def require_url(self, obj: Mapping[str, Any], key: str, where: str, required: bool) -> None:
        if key not in obj:
            if required:
                self.bad(where, f"'{key}' is required")
            return
        if not is_url(obj[key]):
            self.bad(f"{where}.{key}", f"{obj[key]!r} is not a URL")

    def require_text(self, obj: Mapping[str, Any], key: str, where: str) -> None:
        value = obj.get(key)
        if value is None:
            self.bad(where, f"'{key}' is required")
        elif isinstance(value, str) and _blank(value):
            # the OB 3.0 schema asks only for a string: blank is odd, not invalid
            detail = f"{where}.{key} is blank: nothing on the badge reads as its {key}"
            self.warnings.append(Finding(NONSTANDARD_VALUE, detail))
        elif not isinstance(value, str | Mapping | list):
            self.bad(f"{where}.{key}", "must be text")

    def require_type(self, obj: Mapping[str, Any], where: str, wanted: str | None) -> None:
        if "type" not in obj:
            self.bad(where, "'type' is required")
            return
        types = obj["type"]
        if not types_of(types) or (isinstance(types, list) and len(types_of(types)) != len(types)):
            self.bad(f"{where}.type", "must be a string or an array of strings")
            return
        if wanted is not None and wanted not in types_of(types):
            self.bad(f"{where}.type", f"must include {wanted!r}")

    def stamp(self, obj: Mapping[str, Any], key: str, where: str) -> None:
        if key in obj:
            try:
                parse_datetimestamp(obj[key], field=f"{where}.{key}")
            except MicrocredError as exc:
                self.bad(f"{where}.{key}", exc.message.split(": ", 1)[-1])

    # ------------------------------------------------------------------ VC core

    def credential(self, doc: Mapping[str, Any], vcdm1: bool) -> None:
        where = "$"
        self.require_type(doc, where, "VerifiableCredential")
        if "id" in doc and not is_url(doc["id"]):
            self.bad("$.id", f"{doc['id']!r} is not a single URL")
        self.issuer(doc)
        self.subjects(doc)
        if vcdm1:
            self.warnings.append(
                Finding(LEGACY_DATA_MODEL, "VC Data Model 1.1 credential: checked with 1.1 rules")
            )
            if "issuanceDate" not in doc:
                self.bad(where, "'issuanceDate' is required in a VC 1.1 credential")
            self.stamp(doc, "issuanceDate", where)
            self.stamp(doc, "expirationDate", where)
            self.ordered(doc, "issuanceDate", "expirationDate")
        else:
            for legacy in ("issuanceDate", "expirationDate"):
                if legacy in doc:
                    self.bad(f"$.{legacy}", "is VC 1.1; VC 2.0 uses validFrom/validUntil")
            self.stamp(doc, "validFrom", where)
            self.stamp(doc, "validUntil", where)
            self.ordered(doc, "validFrom", "validUntil")
        for key in _TYPED_LISTS:
            if key in doc:
                items = _as_list(doc[key])
                if not items:
                    self.bad(f"$.{key}", "must not be an empty array")
                for n, item in enumerate(items):
                    place = f"$.{key}[{n}]" if isinstance(doc[key], list) else f"$.{key}"
                    if not isinstance(item, Mapping):
                        self.bad(place, "must be an object")
                        continue
                    self.require_type(item, place, None)
                    if "id" in item and not is_url(item["id"]):
                        self.bad(f"{place}.id", f"{item['id']!r} is not a URL")
                    if key == "credentialSchema":
                        self.require_url(item, "id", place, True)
        self.related_resources(doc)
        self.value_objects(doc, "$")

    def ordered(self, doc: Mapping[str, Any], start: str, end: str) -> None:
        if start in doc and end in doc:
            try:
                a = parse_datetimestamp(doc[start], field=start)
                b = parse_datetimestamp(doc[end], field=end)
            except MicrocredError:
                return
            if a > b:
                self.bad(f"$.{end}", f"is before {start}")

    def issuer(self, doc: Mapping[str, Any]) -> None:
        if "issuer" not in doc:
            self.bad("$", "'issuer' is required")
            return
        issuer = doc["issuer"]
        if isinstance(issuer, str):
            if not is_url(issuer):
                self.bad("$.issuer", f"{issuer!r} is not a URL")
        elif isinstance(issuer, Mapping):
            self.require_url(issuer, "id", "$.issuer", True)
        else:
            self.bad("$.issuer", "must be a URL or an object with an 'id'")

    def subjects(self, doc: Mapping[str, Any]) -> None:
        if "credentialSubject" not in doc:
            self.bad("$", "'credentialSubject' is required")
            return
        subjects = _as_list(doc["credentialSubject"])
        if not subjects:
            self.bad("$.credentialSubject", "must not be empty")
        for n, subject in enumerate(subjects):
            place = "$.credentialSubject" + (
                f"[{n}]" if isinstance(doc["credentialSubject"], list) else ""
            )
            if not isinstance(subject, Mapping) or not subject:
                self.bad(place, "must be a non-empty object")
            elif "id" in subject and not is_url(subject["id"]):
                self.bad(f"{place}.id", f"{subject['id']!r} is not a URL")

    def related_resources(self, doc: Mapping[str, Any]) -> None:
        if "relatedResource" not in doc:
            return
        seen: set[str] = set()
        for n, item in enumerate(_as_list(doc["relatedResource"])):
            place = f"$.relatedResource[{n}]"
            if not isinstance(item, Mapping):
                self.bad(place, "must be an object with id and a digest")
                continue
            self.require_url(item, "id", place, True)
            if isinstance(item.get("id"), str):
                if item["id"] in seen:
                    self.bad(f"{place}.id", "appears twice")
                seen.add(item["id"])
            digests = [k for k in ("digestSRI", "digestMultibase") if k in item]
            if not digests:
                self.bad(place, "needs digestSRI or digestMultibase")
            for key in digests:
                if not isinstance(item[key], str) or not item[key]:
                    self.bad(f"{place}.{key}", "must be a non-empty string")

    def value_objects(self, node: Any, where: str) -> None:
        """Language value objects allow only @value/@language/@direction (MC-56)."""
        stack: list[tuple[Any, Any]] = [(node, None)]  # paths linked, spelled for a finding
        while stack:
            item, path = stack.pop()
            if is_mapping(item):
                if "@value" in item:
                    extra = sorted(str(k) for k in set(item) - _VALUE_OBJECT_KEYS)
                    if extra:
                        place = spelled(where, path)
                        self.bad(place, f"a value object must not have {', '.join(extra)}")
                for k, v in item.items():
                    if type(v) not in JSON_SCALARS:  # leaves hold no value object
                        stack.append((v, (path, k)))
            elif isinstance(item, list):
                for i, v in enumerate(item):
                    if type(v) not in JSON_SCALARS:
                        stack.append((v, (path, i)))

    # ------------------------------------------------------------------ OB 3.0

    def open_badge(self, doc: Mapping[str, Any]) -> None:
        issuer = doc.get("issuer")
        if isinstance(issuer, Mapping):
            self.require_type(issuer, "$.issuer", "Profile")
        # A plain URI is allowed too (OB 3.0 since 2024, 1EdTech schemas: URI or Profile).
        subject = doc.get("credentialSubject")
        if isinstance(subject, list):
            if len(subject) != 1:
                self.bad("$.credentialSubject", "an Open Badge has exactly one subject")
                return
            subject = subject[0]
        if not isinstance(subject, Mapping):
            return
        where = "$.credentialSubject"
        if "id" not in subject and "identifier" not in subject:
            # OB 3.0 section 9 step 1 requires one, but real issuers (DCC) omit both: the
            # credential stays verifiable, it just cannot be matched to a person (--strict fails).
            self.warnings.append(
                Finding(
                    RECIPIENT_NOT_IDENTIFIED,
                    f"{where} has neither 'id' nor 'identifier': nothing says who earned the badge",
                )
            )
        if "identifier" in subject:
            for n, identity in enumerate(_as_list(subject["identifier"])):
                self.identity_object(identity, f"{where}.identifier[{n}]")
        achievement = subject.get("achievement")
        if not isinstance(achievement, Mapping):
            self.bad(where, "'achievement' (one object) is required")
            return
        place = f"{where}.achievement"
        self.require_url(achievement, "id", place, True)
        self.require_type(achievement, place, "Achievement")
        self.require_text(achievement, "name", place)
        self.require_text(achievement, "description", place)
        criteria = achievement.get("criteria")
        if not isinstance(criteria, Mapping):
            self.bad(place, "'criteria' (an object with 'narrative' and/or 'id') is required")
        elif "narrative" not in criteria and "id" not in criteria:
            self.bad(f"{place}.criteria", "needs 'narrative' or 'id'")

    def identity_object(self, identity: Any, where: str) -> None:
        if not isinstance(identity, Mapping):
            self.bad(where, "an IdentityObject must be an object")
            return
        extra = sorted(str(k) for k in set(identity) - _IDENTITY_KEYS)
        if extra:
            self.bad(where, f"unexpected key(s) {', '.join(extra)} in an IdentityObject")
        if "IdentityObject" not in types_of(identity.get("type")):
            self.bad(f"{where}.type", "must be 'IdentityObject'")
        hashed = identity.get("hashed")
        if not isinstance(hashed, bool):
            self.bad(f"{where}.hashed", "must be true or false")
        value = identity.get("identityHash")
        if not isinstance(value, str) or not value:
            self.bad(f"{where}.identityHash", "must be a non-empty string")
        elif hashed is True:
            alg, sep, digest = value.partition("$")
            pattern = _HASH_RE.get(alg.lower()) if sep else None
            if pattern is None or not pattern.fullmatch(digest):
                self.bad(
                    f"{where}.identityHash", "must be 'sha256$<64 hex>' (or legacy 'md5$<32 hex>')"
                )
        if not isinstance(identity.get("identityType"), str) or not identity.get("identityType"):
            self.bad(f"{where}.identityType", "must be a string such as 'emailAddress'")
        if "salt" in identity and not isinstance(identity["salt"], str):
            self.bad(f"{where}.salt", "must be a string")

    def endorsement(self, doc: Mapping[str, Any]) -> None:
        subjects = _as_list(doc.get("credentialSubject"))
        for n, subject in enumerate(subjects):
            place = "$.credentialSubject" + (
                f"[{n}]" if isinstance(doc.get("credentialSubject"), list) else ""
            )
            if isinstance(subject, Mapping):
                self.require_type(subject, place, "EndorsementSubject")
                self.require_url(subject, "id", place, True)

    def schemas(self, doc: Mapping[str, Any], ctx: Ctx) -> None:
        """The schemas the signed view names, applied to the JSON as written and to the signed
        view, the worse outcome winning (checks/schema_input.py says why)."""
        if "credentialSchema" not in doc:
            return
        inputs: tuple[Any, Any] | None = None
        for item in _as_list(doc["credentialSchema"]):
            if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
                continue
            url = item["id"]
            validator = set(types_of(item.get("type")))
            if not validator & SCHEMA_VALIDATORS:
                self.warnings.append(
                    Finding(
                        SCHEMA_NOT_CHECKED, f"credentialSchema {url}: validator type not supported"
                    )
                )
                continue
            schema = _offline_schema(url)
            if schema is None:
                self.warnings.append(
                    Finding(
                        SCHEMA_NOT_CHECKED,
                        f"credentialSchema {url} has no offline copy here (it is never fetched)",
                    )
                )
                continue
            if inputs is None:
                inputs = schema_inputs(ctx)
            for message in _schema_errors(*inputs, schema):
                self.bad("schema " + url.rsplit("/", 1)[-1], message)


def _offline_schema(url: str) -> Mapping[str, Any] | None:
    """The 1EdTech schema's offline copy from the credential layer, if it has one."""
    if not url.startswith(ONEEDTECH_SCHEMA_PREFIXES):
        return None
    from microcred.credential.schemas import ob_schema  # jsonschema: only when a schema is named

    return ob_schema(url)


def _schema_errors(written: Any, signed: Any, schema: Mapping[str, Any]) -> list[str]:
    try:
        return schema_problems(written, signed, schema)
    except Exception as exc:
        return [f"the schema could not be applied: {exc}"]


def check_data_model(ctx: Ctx) -> CheckResult:
    doc = ctx.view
    assert doc is not None
    rules = _Rules()
    rules.credential(doc, ctx.vcdm1)
    types = set(ctx.types())
    other: list[Finding] = []
    if ctx.role != "status_list":
        if "VerifiableCredential" in types and not types & KNOWN_TYPES:
            if _claims_open_badge(doc):
                rules.bad(
                    "$.type",
                    "uses the Open Badges vocabulary but its type includes none of "
                    "OpenBadgeCredential, AchievementCredential, EndorsementCredential, "
                    "ClrCredential",
                )
            else:
                other.append(not_open_badges(types))
        if types & OB_TYPES:
            rules.open_badge(doc)
        if ENDORSEMENT_TYPE in types:
            rules.endorsement(doc)
        rules.schemas(doc, ctx)
    return result("data_model", rules.problems, warnings=rules.warnings, indeterminate=other)


def _claims_open_badge(doc: Mapping[str, Any]) -> bool:
    """Written as an Open Badge (OB/CLR context, or an achievement): then a wrong type is a
    defect; a credential of another vocabulary is simply not microcred's to judge."""
    contexts = [c for c in _as_list(doc.get("@context")) if isinstance(c, str)]
    if any(c.startswith(("https://purl.imsglobal.org/spec/ob/", CLR_PREFIX)) for c in contexts):
        return True
    subject = _as_list(doc.get("credentialSubject"))
    return any(isinstance(s, Mapping) and "achievement" in s for s in subject)


CLR_PREFIX = "https://purl.imsglobal.org/spec/clr/"


def not_open_badges(types: set[str]) -> Finding:
    """A verifiable credential that is not an Open Badge: undecided here, not malformed."""
    shown = ", ".join(sorted(types - {"VerifiableCredential"})) or "VerifiableCredential"
    return Finding(
        UNSUPPORTED_FORMAT,
        f"microcred does not check {shown} credentials (it checks Open Badges 3.0 and CLR "
        "2.0: OpenBadgeCredential, AchievementCredential, EndorsementCredential, "
        "ClrCredential) — verify it with a general Verifiable Credentials verifier (for "
        "example Digital Bazaar's @digitalbazaar/vc library)",
    )
