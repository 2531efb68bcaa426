"""RDF-preserving rewrites of a signed document: the attacker's toolbox against JSON-reading checks.

Every rewrite keeps the canonical N-Quads of the document (without its proofs) byte for byte,
so an eddsa-rdfc-2022 proof still verifies; each candidate is checked for exactly that and
dropped otherwise, so the generator cannot pass off a real tamper as a rewrite. Techniques,
applied to every property a check reads (``READ_KEYS``):

* ``full-iri``: the key written as its absolute IRI (value wrapped as ``{"@id"}`` or a typed
  value object where the term's coercion would otherwise be lost);
* ``compact-iri:<prefix>``: through any prefix the pinned contexts define;
* ``nest``: moved under ``@nest``;
* ``alias``: ``type``/``id`` written as the keywords ``@type``/``@id``;
* ``value-object``: a string or number written as ``{"@value": ...}`` (typed when the term is);
* ``type-variant``: a one-element ``type`` array as a string and the reverse, a type as its IRI;
* ``drop-proof``: one proof of a proof set removed (not RDF-checked: proofs are not content);
* ``proof-option``: an eddsa-rdfc-2022 proof's option (``expires``, ``created``...) written as
  its IRI or under ``@nest`` (checked against the canonical N-Quads of the proof options).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from microcred.jsonld.loader import OfflineLoader, default_loader
from microcred.jsonld.rdfc import canonicalize

CRED = "https://www.w3.org/2018/credentials#"
STATUS = "https://www.w3.org/ns/credentials/status#"
OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
SEC = "https://w3id.org/security#"
XSD = "http://www.w3.org/2001/XMLSchema#"
CONTEXTS = Path(__file__).resolve().parents[2] / "src" / "microcred" / "jsonld" / "contexts"

READ_KEYS: Mapping[str, tuple[str, ...]] = {
    "validFrom": (CRED + "validFrom",),
    "validUntil": (CRED + "validUntil",),
    "issuanceDate": (CRED + "issuanceDate",),
    "expirationDate": (CRED + "expirationDate",),
    "issuer": (CRED + "issuer",),
    "credentialSubject": (CRED + "credentialSubject",),
    "credentialStatus": (CRED + "credentialStatus",),
    "credentialSchema": (CRED + "credentialSchema",),
    "statusPurpose": (STATUS + "statusPurpose", CRED + "statusPurpose"),
    "statusListIndex": (STATUS + "statusListIndex", CRED + "statusListIndex"),
    "statusListCredential": (STATUS + "statusListCredential", CRED + "statusListCredential"),
    "encodedList": (STATUS + "encodedList", CRED + "encodedList"),
    "ttl": (STATUS + "ttl", CRED + "ttl"),
    "statusSize": (STATUS + "statusSize",),
    "endorsement": (OB + "endorsement",),
    "identifier": (OB + "identifier",),
    "identityHash": (OB + "identityHash",),
    "salt": (OB + "salt",),
    "hashed": (OB + "hashed",),
    "identityType": (OB + "identityType",),
    "achievement": (OB + "achievement", OB + "Achievement"),
    "name": ("https://schema.org/name", OB + "name"),
    # Properties only the 1EdTech JSON Schema constrains (data_model applies it to the JSON
    # as written and to the signed shape, checks/schema_input.py).
    "achievementType": (OB + "achievementType",),
    "creditsAvailable": (OB + "creditsAvailable",),
    "inLanguage": ("https://schema.org/inLanguage",),
    "humanCode": (OB + "humanCode",),
}
TYPE_NAMESPACES = (CRED, OB, STATUS, SEC)
SKIP = frozenset({"@context", "proof"})


def _prefixes() -> dict[str, str]:
    """Every prefix-looking definition in the pinned contexts (namespace IRIs ending # or /)."""
    found: dict[str, str] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if (
                    isinstance(item, str)
                    and item.startswith("http")
                    and item.endswith(("#", "/"))
                    and ":" not in key
                ):
                    found.setdefault(key, item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted(CONTEXTS.glob("*.json*")):
        if path.name == "manifest.json":
            continue
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


PREFIXES = _prefixes()


def nquads(document: Mapping[str, Any], loader: OfflineLoader) -> str:
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    return canonicalize(unsecured, loader)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every (path to a dict, key) pair below ``value``, outside @context and proofs."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SKIP:
                continue
            yield (*path, key)
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _paths(item, (*path, n))


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _value_variants(value: Any) -> list[Any]:
    out = [value]
    if isinstance(value, str):
        out += [
            {"@id": value},
            {"@value": value, "@type": XSD + "dateTime"},
            {"@value": value, "@type": "xsd:dateTime"},  # a compact IRI through a context prefix
            {"@value": value},
            # Terms coerced to a number type (OB 3.0 spells XML Schema with https).
            {"@value": value, "@type": XSD + "float"},
            {"@value": value, "@type": "https://www.w3.org/2001/XMLSchema#float"},
        ]
    elif isinstance(value, bool):
        out += [{"@value": value}]
    elif isinstance(value, int):
        out += [{"@value": value}, {"@value": value, "@type": XSD + "integer"}]
    return out


def _renamed(
    doc: dict[str, Any], path: tuple[Any, ...], new_key: str, value: Any
) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    parent = _get(out, path[:-1])
    items = list(parent.items())
    parent.clear()
    for key, item in items:
        if key == path[-1]:
            parent[new_key] = value
        else:
            parent[key] = item
    return out


def _candidates(doc: dict[str, Any], path: tuple[Any, ...]) -> Iterator[tuple[str, list[Any]]]:
    """(technique, alternatives) for one key; the first alternative keeping the RDF wins."""
    key = path[-1]
    value = _get(doc, path)
    iris = list(READ_KEYS.get(key, ()))
    for iri in iris:
        yield "full-iri", [_renamed(doc, path, iri, v) for v in _value_variants(value)]
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                compact = f"{prefix}:{iri[len(namespace) :]}"
                yield (
                    f"compact-iri:{prefix}",
                    [_renamed(doc, path, compact, v) for v in _value_variants(value)],
                )
    if key in READ_KEYS or key in ("type", "id"):
        nested = copy.deepcopy(doc)
        parent = _get(nested, path[:-1])
        if isinstance(parent, dict):
            moved = parent.pop(key)
            parent.setdefault("@nest", {})
            if isinstance(parent["@nest"], dict):
                parent["@nest"][key] = moved
                yield "nest", [nested]
    if key in ("type", "id"):
        yield "alias", [_renamed(doc, path, "@" + key, value)]
    if key in READ_KEYS and not isinstance(value, dict | list):
        yield "value-object", [_renamed(doc, path, key, v) for v in _value_variants(value)[1:]]
    if key == "type":
        names = [value] if isinstance(value, str) else list(value)
        if isinstance(value, list) and len(value) == 1:
            yield "type-variant", [_renamed(doc, path, key, value[0])]
        if isinstance(value, str):
            yield "type-variant", [_renamed(doc, path, key, [value])]
        for n, name in enumerate(names):
            alternatives = []
            for namespace in TYPE_NAMESPACES:
                swapped = list(names)
                swapped[n] = namespace + name
                alternatives.append(_renamed(doc, path, key, swapped))
            yield f"type-variant:{name}", alternatives


def rdf_rewrites(
    doc: dict[str, Any], loader: OfflineLoader | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, rewritten document) for every RDF-preserving rewrite found. Proofs are kept as
    they are (callers keep only the eddsa-rdfc-2022 ones: the JSON spelling breaks JCS)."""
    loader = loader or default_loader()
    original = nquads(doc, loader)
    seen: set[str] = set()
    for path in list(_paths(doc)):
        if not isinstance(path[-1], str):
            continue
        for technique, alternatives in _candidates(doc, path):
            for candidate in alternatives:
                try:
                    same = nquads(candidate, loader) == original
                except Exception:
                    same = False
                text = json.dumps(candidate, sort_keys=True)
                if same and text not in seen:
                    seen.add(text)
                    where = ".".join(str(p) for p in path)
                    yield f"{technique} {where}", candidate
                    break


def drop_each_proof(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    proofs = doc.get("proof")
    if not isinstance(proofs, list) or len(proofs) < 2:
        return
    for n in range(len(proofs)):
        out = copy.deepcopy(doc)
        del out["proof"][n]
        yield f"drop-proof {n}", out


def rdfc_only(doc: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    proofs = out.get("proof")
    items = proofs if isinstance(proofs, list) else [proofs]
    kept = [p for p in items if isinstance(p, dict) and p.get("cryptosuite") == "eddsa-rdfc-2022"]
    out["proof"] = kept if len(kept) != 1 else kept[0]
    return out


RANK = {"invalid": 0, "indeterminate": 1, "valid": 2}


def not_better(original: Any, rewritten: Any) -> str | None:
    """Why ``rewritten`` (a report) is better than ``original``, or None. Better: a higher
    result, or the same valid result with fewer warnings."""
    if RANK[rewritten.result] > RANK[original.result]:
        return f"{original.result} became {rewritten.result}"
    if rewritten.result == original.result == "valid":
        lost = _warnings(original) - _warnings(rewritten)
        if lost:
            return f"warnings disappeared: {sorted(lost)}"
    if rewritten.trusted is True and original.trusted is not True:
        return "became trusted"
    return None


def _warnings(report: Any) -> set[tuple[str, str]]:
    return {(c.id, w.code) for c in report.checks for w in c.warnings}


PROOF_IRIS: Mapping[str, tuple[str, ...]] = {
    "expires": (SEC + "expiration", SEC + "expires"),
    "created": ("http://purl.org/dc/terms/created",),
    "proofPurpose": (SEC + "proofPurpose",),
    "verificationMethod": (SEC + "verificationMethod",),
    "cryptosuite": (SEC + "cryptosuite",),
}


def _proof_nquads(proof: Mapping[str, Any], context: Any, loader: OfflineLoader) -> str:
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = context
    return canonicalize(config, loader)


def proof_option_rewrites(
    doc: dict[str, Any], loader: OfflineLoader | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, document with its eddsa-rdfc-2022 proof's options respelled), keeping only the
    eddsa-rdfc-2022 proofs (the respelling keeps their signature, not a JCS one)."""
    loader = loader or default_loader()
    base = rdfc_only(doc)
    proofs = base["proof"] if isinstance(base["proof"], list) else [base["proof"]]
    for n, proof in enumerate(proofs):
        original = _proof_nquads(proof, doc.get("@context"), loader)
        for key, iris in PROOF_IRIS.items():
            if key not in proof:
                continue
            candidates: list[dict[str, Any]] = []
            for iri in iris:
                candidates += [_renamed(proof, (key,), iri, v) for v in _value_variants(proof[key])]
            nested = {k: v for k, v in proof.items() if k != key}
            nested["@nest"] = {key: proof[key]}
            candidates.append(nested)
            for candidate in candidates:
                try:
                    same = _proof_nquads(candidate, doc.get("@context"), loader) == original
                except Exception:
                    same = False
                if same:
                    out = copy.deepcopy(base)
                    if isinstance(out["proof"], list):
                        out["proof"][n] = candidate
                    else:
                        out["proof"] = candidate
                    yield f"proof-option proof[{n}].{key}", out
