/* verify.html: a credential from the URL fragment (#vc=<base64url JSON>), a pasted text,
 * a chosen or dropped file (JSON, or a baked PNG/SVG). Uses window.microcredVerify. */
(function () {
  "use strict";
  var V = window.microcredVerify;
  var result = document.getElementById("mc-result");
  var input = document.getElementById("mc-input");
  var fileInput = document.getElementById("mc-file");
  var drop = document.getElementById("mc-drop");
  var data = {};
  try { data = V.readJsonScript("mc-verification-data") || {}; } catch (e) { data = {}; }

  function say(outcome) { V.show(result, outcome); }
  function refuse(detail) { say({ result: "invalid", checks: [{ id: "parse", outcome: "failed", detail: detail }] }); }

  /* JSON.parse keeps the last of duplicate keys; a signature may cover another reading (MC-19). */
  function duplicateKey(text) {
    var stack = [], i = 0, n = text.length;
    while (i < n) {
      var ch = text.charAt(i);
      if (ch === "\"") {
        var j = i + 1;
        while (j < n && text.charAt(j) !== "\"") j += text.charAt(j) === "\\" ? 2 : 1;
        var k = j + 1;
        while (k < n && /\s/.test(text.charAt(k))) k++;
        var top = stack[stack.length - 1];
        if (text.charAt(k) === ":" && top && top.object) {
          var key = JSON.parse(text.slice(i, j + 1));
          if (Object.prototype.hasOwnProperty.call(top.keys, key)) return key;
          top.keys[key] = true;
        }
        i = j + 1;
        continue;
      }
      if (ch === "{") stack.push({ object: true, keys: Object.create(null) });
      else if (ch === "[") stack.push({ object: false });
      else if (ch === "}" || ch === "]") stack.pop();
      i++;
    }
    return null;
  }

  function summary(credential) {
    var box = document.getElementById("mc-summary");
    var list = document.getElementById("mc-summary-list");
    while (list.firstChild) list.removeChild(list.firstChild);
    var subject = credential && credential.credentialSubject;
    if (Array.isArray(subject)) subject = subject[0];
    var achievement = subject && subject.achievement;
    var issuer = credential && credential.issuer;
    var rows = [
      ["Achievement", achievement && achievement.name],
      ["Description", achievement && achievement.description],
      ["Issuer", issuer && (issuer.name || issuer.id || issuer)],
      ["Issuer id", issuer && (issuer.id || issuer)],
      ["Valid from", credential && credential.validFrom],
      ["Valid until", credential && credential.validUntil],
      ["Credential id", credential && credential.id]
    ];
    rows.forEach(function (row) {
      if (typeof row[1] !== "string") return;
      var dt = document.createElement("dt"); dt.textContent = row[0];
      var dd = document.createElement("dd"); dd.textContent = row[1]; dd.dir = "auto";
      list.appendChild(dt); list.appendChild(dd);
    });
    box.hidden = false;
  }

  function checkText(text) {
    var credential;
    try {
      credential = JSON.parse(text);
    } catch (e) {
      refuse("not JSON: " + e.message);
      return;
    }
    var dup = duplicateKey(text);
    if (dup !== null) { refuse("duplicate key " + JSON.stringify(dup) + ": readers would disagree on the content"); return; }
    summary(credential);
    say({ result: "pending", checks: [] });
    V.verifyCredential(credential, data).then(say);
  }

  function unbakePng(bytes) {
    var sig = [137, 80, 78, 71, 13, 10, 26, 10];
    for (var s = 0; s < 8; s++) if (bytes[s] !== sig[s]) throw new Error("not a PNG file");
    var at = 8, found = null;
    while (at + 8 <= bytes.length) {
      var len = ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
      var type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
      var body = bytes.subarray(at + 8, at + 8 + len);
      if (type === "iTXt") {
        var zero = body.indexOf(0);
        var keyword = String.fromCharCode.apply(null, body.subarray(0, zero));
        if (keyword === "openbadgecredential") {
          if (found !== null) throw new Error("the PNG holds two credentials");
          if (body[zero + 1] !== 0) throw new Error("compressed credentials are not allowed");
          var p = zero + 3;
          p = body.indexOf(0, p) + 1; // language tag
          p = body.indexOf(0, p) + 1; // translated keyword
          found = new TextDecoder("utf-8", { fatal: true }).decode(body.subarray(p));
        }
      }
      if (type === "IEND") break;
      at += 12 + len;
    }
    if (found === null) throw new Error("no Open Badges 3.0 credential is baked into this PNG");
    return found;
  }

  function unbakeSvg(text) {
    var doc = new DOMParser().parseFromString(text, "image/svg+xml");
    if (doc.getElementsByTagName("parsererror").length) throw new Error("not a well-formed SVG");
    var nodes = doc.getElementsByTagNameNS("https://purl.imsglobal.org/ob/v3p0", "credential");
    if (nodes.length !== 1) throw new Error(nodes.length ? "the SVG holds two credentials" : "no Open Badges 3.0 credential is baked into this SVG");
    if (nodes[0].getAttribute("verify")) throw new Error("VC-JWT credentials are not checked in the browser");
    return nodes[0].textContent;
  }

  function checkFile(file) {
    if (!file) return;
    if (file.size > 5000000) { refuse("the file is larger than 5 MB"); return; }
    file.arrayBuffer().then(function (buffer) {
      var bytes = new Uint8Array(buffer);
      var text;
      try {
        if (bytes[0] === 137 && bytes[1] === 80) text = unbakePng(bytes);
        else {
          text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
          if (/^\s*</.test(text)) text = unbakeSvg(text);
        }
      } catch (e) {
        refuse(e.message);
        return;
      }
      input.value = text;
      checkText(text);
    });
  }

  document.getElementById("mc-check").addEventListener("click", function () { checkText(input.value); });
  fileInput.addEventListener("change", function () { checkFile(fileInput.files[0]); });
  drop.addEventListener("dragover", function (e) { e.preventDefault(); });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) checkFile(e.dataTransfer.files[0]);
  });

  function fromFragment() {
    var match = /(?:^#|&)vc=([A-Za-z0-9_-]+)/.exec(location.hash);
    if (!match) return;
    var text;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(V.b64urlDecode(match[1]));
    } catch (e) {
      refuse("the #vc= fragment is not base64url UTF-8");
      return;
    }
    input.value = text;
    checkText(text);
  }
  window.addEventListener("hashchange", fromFragment);
  fromFragment();
})();
