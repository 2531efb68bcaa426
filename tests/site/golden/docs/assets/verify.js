/*
 * microcred in-browser verifier (DESIGN section 6).
 *
 * Checks the eddsa-jcs-2022 proof of a credential with nothing but the browser: RFC 8785
 * JSON canonicalisation, SHA-256 and Ed25519 from WebCrypto, base58btc, and gzip through
 * DecompressionStream for Bitstring Status Lists. It needs no network and works from file://.
 * The eddsa-rdfc-2022 proof needs RDF canonicalisation, which a page cannot do without a
 * JSON-LD library; the site build checked that one (the page says so).
 *
 * Verdict words: "valid", "invalid", "indeterminate"; while running: "pending".
 */
(function () {
  "use strict";

  var B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  var B58_MAP = {};
  for (var bi = 0; bi < B58.length; bi++) B58_MAP[B58.charAt(bi)] = bi;

  function Problem(code, detail) { this.code = code; this.detail = detail; }

  function fail(code, detail) { throw new Problem(code, detail); }

  function b58decode(text) {
    if (typeof text !== "string" || text.length === 0 || text.length > 200) fail("MALFORMED_VALUE_ERROR", "base58 value has a bad length");
    var bytes = []; // little-endian accumulator
    for (var i = 0; i < text.length; i++) {
      var carry = B58_MAP[text.charAt(i)];
      if (carry === undefined) fail("MALFORMED_VALUE_ERROR", "character '" + text.charAt(i) + "' is not base58btc");
      for (var j = 0; j < bytes.length; j++) {
        carry += bytes[j] * 58;
        bytes[j] = carry & 0xff;
        carry >>= 8;
      }
      while (carry > 0) { bytes.push(carry & 0xff); carry >>= 8; }
    }
    for (var k = 0; k < text.length && text.charAt(k) === "1"; k++) bytes.push(0);
    return new Uint8Array(bytes.reverse());
  }

  function b64urlDecode(text) {
    if (!/^[A-Za-z0-9_-]*$/.test(text)) fail("MALFORMED_VALUE_ERROR", "not base64url");
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  /* RFC 8785: ES number/string serialisation, keys in UTF-16 code-unit order (Array.sort). */
  function jcs(value) {
    if (value === null || typeof value === "boolean") return JSON.stringify(value);
    if (typeof value === "number") {
      if (!isFinite(value)) fail("PARSING_ERROR", "JSON number is not finite");
      return JSON.stringify(value);
    }
    if (typeof value === "string") {
      if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) fail("PARSING_ERROR", "string holds a lone surrogate");
      return JSON.stringify(value);
    }
    if (Array.isArray(value)) return "[" + value.map(jcs).join(",") + "]";
    if (typeof value === "object") {
      var keys = Object.keys(value).sort();
      return "{" + keys.map(function (key) { return jcs(key) + ":" + jcs(value[key]); }).join(",") + "}";
    }
    fail("PARSING_ERROR", "value is not JSON");
  }

  function utf8(text) { return new TextEncoder().encode(text); }

  function sha256(bytes) {
    return crypto.subtle.digest("SHA-256", bytes).then(function (buf) { return new Uint8Array(buf); });
  }

  function concat(a, b) {
    var out = new Uint8Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  }

  /* --- edwards25519: screen small-order points (forgeable keys, MC-14) --------------- */
  var P = (1n << 255n) - 19n;
  function mod(a) { var r = a % P; return r < 0n ? r + P : r; }
  function pow(base, exp) {
    var result = 1n; base = mod(base);
    while (exp > 0n) { if (exp & 1n) result = mod(result * base); base = mod(base * base); exp >>= 1n; }
    return result;
  }
  function inv(a) { return pow(a, P - 2n); }
  var D = mod(-121665n * inv(121666n));
  var SQRT_M1 = pow(2n, (P - 1n) / 4n);

  function decodePoint(bytes) {
    var y = 0n;
    for (var i = 31; i >= 0; i--) y = (y << 8n) | BigInt(bytes[i]);
    var sign = y >> 255n;
    y &= (1n << 255n) - 1n;
    if (y >= P) return null;
    var u = mod(y * y - 1n), v = mod(D * y * y + 1n);
    var x = mod(u * pow(v, 3n) * pow(u * pow(v, 7n), (P - 5n) / 8n));
    var vx2 = mod(v * x * x);
    if (vx2 !== u) {
      if (vx2 === mod(-u)) x = mod(x * SQRT_M1); else return null;
    }
    if (x === 0n && sign === 1n) return null;
    if ((x & 1n) !== sign) x = P - x;
    return [x, y];
  }
  function addPoints(a, b) {
    var t = mod(D * a[0] * b[0] * a[1] * b[1]);
    return [mod((a[0] * b[1] + a[1] * b[0]) * inv(1n + t)), mod((a[1] * b[1] + a[0] * b[0]) * inv(mod(1n - t)))];
  }
  function isSmallOrder(bytes) {
    var point = decodePoint(bytes);
    if (point === null) return true; // not a canonical point: refuse just the same
    for (var i = 0; i < 3; i++) point = addPoints(point, point);
    return point[0] === 0n && point[1] === 1n;
  }

  /* --- keys and DID documents ------------------------------------------------------- */
  function publicKeyFromMultikey(value) {
    if (typeof value !== "string" || value.charAt(0) !== "z") fail("INVALID_VERIFICATION_METHOD", "publicKeyMultibase must start with 'z'");
    var raw = b58decode(value.slice(1));
    if (raw.length !== 34 || raw[0] !== 0xed || raw[1] !== 0x01) fail("INVALID_VERIFICATION_METHOD", "not an Ed25519 Multikey (0xed01 + 32 bytes)");
    var key = raw.slice(2);
    if (isSmallOrder(key)) fail("INVALID_VERIFICATION_METHOD", "the public key is a small-order point (anyone could forge it)");
    return key;
  }

  function asList(value) { return value === undefined || value === null ? [] : (Array.isArray(value) ? value : [value]); }

  function resolveMethod(vmId, didDocuments) {
    if (typeof vmId !== "string" || vmId.indexOf("#") < 0) fail("INVALID_VERIFICATION_METHOD", "verificationMethod must be a DID URL with a fragment");
    var base = vmId.slice(0, vmId.indexOf("#"));
    if (/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/.test(base)) {
      var fragment = vmId.slice(vmId.indexOf("#") + 1);
      if (fragment !== base.slice(8)) fail("INVALID_VERIFICATION_METHOD", "did:key fragment does not match the key");
      return { controller: base, key: publicKeyFromMultikey(base.slice(8)), revoked: null };
    }
    var doc = didDocuments && Object.prototype.hasOwnProperty.call(didDocuments, base) ? didDocuments[base] : null;
    if (!doc) throw new Problem("INVALID_CONTROLLED_IDENTIFIER_DOCUMENT", "the DID document of " + base + " is not embedded in this page");
    if (doc.id !== base) fail("INVALID_CONTROLLED_IDENTIFIER_DOCUMENT", "DID document id does not match " + base);
    var method = null;
    asList(doc.verificationMethod).forEach(function (vm) {
      if (vm && (vm.id === vmId || vm.id === vmId.slice(vmId.indexOf("#")))) method = vm;
    });
    if (!method) fail("INVALID_VERIFICATION_METHOD", vmId + " is not in the DID document");
    if (method.controller !== base) fail("INVALID_VERIFICATION_METHOD", "the key's controller is not " + base);
    var listed = asList(doc.assertionMethod).some(function (ref) {
      return ref === vmId || ref === vmId.slice(vmId.indexOf("#")) || (ref && typeof ref === "object" && ref.id === vmId);
    });
    if (!listed) fail("INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD", vmId + " is not an assertionMethod of " + base);
    return { controller: base, key: publicKeyFromMultikey(method.publicKeyMultibase), revoked: method.revoked || null };
  }

  /* --- eddsa-jcs-2022 ------------------------------------------------------------------ */
  function copyWithout(obj, name) {
    var out = {};
    Object.keys(obj).forEach(function (key) { if (key !== name) out[key] = obj[key]; });
    return out;
  }

  function sameJson(a, b) { return jcs(a) === jcs(b); }

  function verifyJcsProof(document, proof, didDocuments) {
    return Promise.resolve().then(function () {
      if (!proof || typeof proof !== "object") fail("PROOF_VERIFICATION_ERROR", "proof is not an object");
      if (proof.type !== "DataIntegrityProof" || proof.cryptosuite !== "eddsa-jcs-2022") fail("PROOF_VERIFICATION_ERROR", "not an eddsa-jcs-2022 proof");
      if (proof.proofPurpose !== "assertionMethod") fail("PROOF_VERIFICATION_ERROR", "proofPurpose must be assertionMethod");
      if (proof.previousProof !== undefined) fail("PROOF_VERIFICATION_ERROR", "chained proofs are not checked in the browser");
      if (typeof proof.proofValue !== "string" || proof.proofValue.charAt(0) !== "z") fail("PROOF_VERIFICATION_ERROR", "proofValue must be base58btc ('z')");
      var signature = b58decode(proof.proofValue.slice(1));
      if (signature.length !== 64) fail("PROOF_VERIFICATION_ERROR", "signature is " + signature.length + " bytes, not 64");
      if (isSmallOrder(signature.slice(0, 32))) fail("CRYPTOGRAPHIC_SECURITY_ERROR", "signature R is a small-order point");
      var unsecured = copyWithout(document, "proof");
      var options = copyWithout(proof, "proofValue");
      if (options["@context"] !== undefined) {
        var want = asList(options["@context"]), have = asList(document["@context"]);
        for (var i = 0; i < want.length; i++) {
          if (i >= have.length || !sameJson(want[i], have[i])) fail("PROOF_VERIFICATION_ERROR", "proof @context does not match the document");
        }
        unsecured["@context"] = options["@context"];
      }
      if (options.created !== undefined && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(options.created)) fail("PROOF_VERIFICATION_ERROR", "proof created is not a dateTimeStamp");
      var method = resolveMethod(proof.verificationMethod, didDocuments);
      if (method.revoked && (!options.created || Date.parse(options.created) >= Date.parse(method.revoked))) fail("INVALID_VERIFICATION_METHOD", "the key was revoked on " + method.revoked + " before this proof was made");
      return Promise.all([sha256(utf8(jcs(options))), sha256(utf8(jcs(unsecured)))]).then(function (hashes) {
        return crypto.subtle.importKey("raw", method.key, { name: "Ed25519" }, false, ["verify"]).then(function (key) {
          return crypto.subtle.verify({ name: "Ed25519" }, key, signature, concat(hashes[0], hashes[1]));
        }).then(function (ok) {
          if (!ok) fail("CRYPTOGRAPHIC_SECURITY_ERROR", "the eddsa-jcs-2022 signature does not match the content");
          return method;
        });
      });
    });
  }

  function issuerId(doc) {
    var issuer = doc && doc.issuer;
    if (typeof issuer === "string") return issuer;
    return issuer && typeof issuer.id === "string" ? issuer.id : null;
  }

  function jcsProofs(doc) {
    return asList(doc.proof).filter(function (p) { return p && p.cryptosuite === "eddsa-jcs-2022"; });
  }

  /* --- Bitstring Status List ----------------------------------------------------------- */
  function gunzip(bytes) {
    if (typeof DecompressionStream === "undefined") fail("STATUS_RETRIEVAL_ERROR", "this browser cannot decompress status lists");
    var MAX = 1 << 23; // 8 MiB = 2^26 bits (MC-60)
    var reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")).getReader();
    var chunks = [], total = 0;
    function pump() {
      return reader.read().then(function (step) {
        if (step.done) {
          var out = new Uint8Array(total), at = 0;
          chunks.forEach(function (c) { out.set(c, at); at += c.length; });
          return out;
        }
        total += step.value.length;
        if (total > MAX) { reader.cancel(); fail("MALFORMED_VALUE_ERROR", "status list expands beyond 8 MiB"); }
        chunks.push(step.value);
        return pump();
      });
    }
    return pump();
  }

  function checkEntry(entry, credential, data) {
    return Promise.resolve().then(function () {
      if (!entry || entry.type !== "BitstringStatusListEntry") return { state: "unknown", detail: "status type " + (entry && entry.type) + " is not checked here" };
      var url = entry.statusListCredential;
      var snapshots = data.statusLists || {};
      var snap = typeof url === "string" && Object.prototype.hasOwnProperty.call(snapshots, url) ? snapshots[url] : null;
      if (!snap) return { state: "unknown", detail: "no copy of the status list " + url + " is embedded" };
      var list = snap.credential || snap;
      if (!/^(0|[1-9][0-9]{0,9})$/.test(String(entry.statusListIndex))) fail("MALFORMED_VALUE_ERROR", "statusListIndex is not a non-negative integer");
      var index = parseInt(String(entry.statusListIndex), 10);
      var proofs = jcsProofs(list);
      if (!proofs.length) return { state: "unknown", detail: "the status list has no eddsa-jcs-2022 proof the browser can check" };
      if (issuerId(list) !== issuerId(credential)) fail("STATUS_VERIFICATION_ERROR", "the status list is not issued by the credential's issuer");
      return verifyJcsProof(list, proofs[0], data.didDocuments).catch(function (problem) {
        if (problem instanceof Problem && problem.code === "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT") throw problem;
        fail("STATUS_VERIFICATION_ERROR", "the status list's proof fails: " + (problem.detail || problem));
      }).then(function () {
        var subject = list.credentialSubject || {};
        var purposes = asList(subject.statusPurpose);
        if (purposes.indexOf(entry.statusPurpose) < 0) fail("STATUS_VERIFICATION_ERROR", "the list is not a " + entry.statusPurpose + " list");
        var encoded = subject.encodedList;
        if (typeof encoded !== "string" || encoded.charAt(0) !== "u") fail("MALFORMED_VALUE_ERROR", "encodedList must be multibase base64url ('u')");
        return gunzip(b64urlDecode(encoded.slice(1)));
      }).then(function (bits) {
        if (bits.length * 8 < 131072) fail("STATUS_LIST_LENGTH_ERROR", "the status list is shorter than 131072 entries");
        if (index >= bits.length * 8) fail("RANGE_ERROR", "statusListIndex is outside the list");
        var set = (bits[index >> 3] & (0x80 >> (index & 7))) !== 0;
        var asOf = snap.retrieved || list.validFrom || "";
        return { state: set ? entry.statusPurpose : "ok", purpose: entry.statusPurpose, asOf: asOf };
      });
    });
  }

  /* --- the whole check ------------------------------------------------------------------ */
  function isoNow(now) { return (now || new Date()).toISOString(); }

  var NEXT = { parse: "data_model", data_model: "proof", proof: "issuer_binding", issuer_binding: "validity_period", validity_period: "status", status: "status" };

  function verifyCredential(credential, data, now) {
    var checks = [];
    var stage = "parse";
    function record(id, outcome, detail) { checks.push({ id: id, outcome: outcome, detail: detail || "" }); stage = NEXT[id] || id; }
    function done(result) { return { result: result, checks: checks }; }
    data = data || {};
    return Promise.resolve().then(function () {
      if (!credential || typeof credential !== "object" || Array.isArray(credential)) fail("PARSING_ERROR", "not a JSON object");
      jcs(credential); // refuses non-JSON values and lone surrogates
      record("parse", "passed");
      var types = asList(credential.type);
      if (types.indexOf("VerifiableCredential") < 0 || !credential.credentialSubject || !issuerId(credential)) fail("MALFORMED_VALUE_ERROR", "not a verifiable credential with an issuer and a subject");
      record("data_model", "passed");
      var proofs = jcsProofs(credential);
      if (!proofs.length) {
        record("proof", "indeterminate", "no eddsa-jcs-2022 proof: the browser cannot check eddsa-rdfc-2022 or other suites");
        return done("indeterminate");
      }
      return Promise.all(proofs.map(function (p) { return verifyJcsProof(credential, p, data.didDocuments); })).then(function (methods) {
        record("proof", "passed", "eddsa-jcs-2022 signature verified (Ed25519, WebCrypto)");
        var issuer = issuerId(credential);
        var wrong = methods.filter(function (m) { return m.controller !== issuer; });
        if (wrong.length) fail("INVALID_VERIFICATION_METHOD", "signed by " + wrong[0].controller + ", not by the issuer " + issuer);
        record("issuer_binding", "passed", "the signing key belongs to " + issuer);
        var at = Date.parse(isoNow(now));
        var from = credential.validFrom ? Date.parse(credential.validFrom) : NaN;
        var until = credential.validUntil ? Date.parse(credential.validUntil) : NaN;
        if (credential.validFrom && (isNaN(from) || from > at + 300000)) fail("RANGE_ERROR", "not valid before " + credential.validFrom);
        if (credential.validUntil && (isNaN(until) || until < at - 300000)) fail("RANGE_ERROR", "expired on " + credential.validUntil);
        record("validity_period", "passed", credential.validFrom ? "valid from " + credential.validFrom : "");
        var entries = asList(credential.credentialStatus);
        if (!entries.length) {
          record("status", "passed", "the credential has no status list");
          return done("valid");
        }
        return Promise.all(entries.map(function (e) { return checkEntry(e, credential, data); })).then(function (states) {
          var bad = states.filter(function (s) { return s.state === "revocation" || s.state === "suspension"; });
          if (bad.length) fail(bad[0].state === "revocation" ? "REVOKED" : "SUSPENDED", (bad[0].state === "revocation" ? "revoked" : "suspended") + " (status list as of " + bad[0].asOf + ")");
          var unknown = states.filter(function (s) { return s.state === "unknown"; });
          if (unknown.length) {
            record("status", "indeterminate", unknown[0].detail);
            return done("indeterminate");
          }
          record("status", "passed", "not revoked" + (states[0].asOf ? " (status list as of " + states[0].asOf + ")" : ""));
          return done("valid");
        });
      });
    }).catch(function (problem) {
      if (problem instanceof Problem) {
        // A DID document we do not have means "cannot decide", never "invalid".
        var undecided = problem.code === "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT";
        record(stage, undecided ? "indeterminate" : "failed", problem.code + ": " + problem.detail);
        return done(undecided ? "indeterminate" : "invalid");
      }
      record(stage, "indeterminate", "the browser could not run the check: " + (problem && problem.message ? problem.message : problem));
      return done("indeterminate");
    });
  }

  var WORDS = {
    valid: "Valid: the signature, the issuer's key and the status check out.",
    invalid: "Invalid: this credential must not be trusted.",
    indeterminate: "Could not decide: some part could not be checked in this browser.",
    pending: "Checking…"
  };
  var LABELS = {
    parse: "Readable JSON", data_model: "Credential structure", proof: "Signature (eddsa-jcs-2022)",
    issuer_binding: "Signed by the issuer", validity_period: "Validity dates", status: "Not revoked", error: "Browser"
  };

  function show(element, outcome) {
    element.setAttribute("data-mc-verify-result", outcome.result);
    var verdict = element.querySelector("[data-mc-verdict]") || element;
    verdict.textContent = WORDS[outcome.result] || outcome.result;
    var details = element.querySelector("details");
    if (details && outcome.result !== "valid") details.open = true;  // a problem is never folded away
    var list = element.querySelector("[data-mc-checks]");
    if (!list) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    outcome.checks.forEach(function (check) {
      var item = document.createElement("li");
      item.className = "mc-check mc-check--" + check.outcome;
      item.textContent = (LABELS[check.id] || check.id) + ": " + check.outcome + (check.detail ? " — " + check.detail : "");
      list.appendChild(item);
    });
  }

  function readJsonScript(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    return JSON.parse(node.textContent);
  }

  window.microcredVerify = {
    verifyCredential: verifyCredential,
    show: show,
    jcs: jcs,
    b58decode: b58decode,
    b64urlDecode: b64urlDecode,
    isSmallOrder: function (bytes) { return isSmallOrder(bytes); },
    readJsonScript: readJsonScript,
    WORDS: WORDS
  };

  function boot() {
    var element = document.querySelector("[data-mc-verify-result][data-mc-auto]");
    if (!element) return;
    var data;
    try {
      data = readJsonScript("mc-verification-data");
    } catch (e) {
      show(element, { result: "invalid", checks: [{ id: "parse", outcome: "failed", detail: "embedded data is not JSON" }] });
      return;
    }
    if (!data || !data.credential) return;
    verifyCredential(data.credential, data).then(function (outcome) { show(element, outcome); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
