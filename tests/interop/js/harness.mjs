// Test-only bridge to Digital Bazaar's reference Data Integrity stack (never used at runtime).
//
// Protocol: ONE JSON request on stdin, ONE JSON response on stdout. A request that fails
// answers {"error": "..."} instead of crashing, so a batch keeps going.
//
// sign      {"op": "sign", "suite": "eddsa-rdfc-2022"|"eddsa-jcs-2022"|[suite, ...],
//            "document": {...},
//            "key": {"publicKeyMultibase", "secretKeyMultibase"|"privateKeyMultibase",
//                    "controller", "id"},
//            "created": "2026-01-01T00:00:00Z", "contexts": {url: doc}}
//           -> {"signed": {...}}  (the proof exactly as vc.issue writes it; a list of suites
//              makes a proof set, as jsigs does it)
// verify    {"op": "verify", "document": {...}, "contexts": {...}, "didDocuments": {did: doc},
//            "statusLists": {url: listCredential}, "now": ISO?, "issuerCheck": bool?}
//           -> {"verified": bool, "error": "...", "statusChecked": bool,
//               "proofs": [{"cryptosuite", "verified"}]}
//           NOTE: jsonld-signatures calls a proof SET verified when ANY proof verifies;
//           callers that need every proof to hold must read "proofs".
// canonize  {"op": "canonize", "document": {...}, "contexts": {...}, "safe": bool?}
//           -> {"nquads": "..."}   (the eddsa-rdfc-2022 cryptosuite's own canonize: RDFC-1.0)
// jcs       {"op": "jcs", "value": any} -> {"jcs": "..."}   (RFC 8785, npm `canonicalize`)
// stringify {"op": "stringify", "value": any} -> {"text": JSON.stringify(value, null, 2)}
// versions  {"op": "versions"} -> {"versions": {package: version}, "node": "v…"}
// batch     {"op": "batch", "requests": [...], "defaults": {...}?} -> {"responses": [...]}
//           (each request is answered as if it were {...defaults, ...request})
//
// The document loader is strict and offline: contexts come only from the request, did:key is
// derived from the key itself, did:web only from "didDocuments"; any other URL throws. (On top
// of it jsonld-signatures serves the security contexts bundled in its own package.)
//
// Status: when "statusLists" (url -> BitstringStatusListCredential) holds EVERY list a
// credential's `credentialStatus` names, @digitalbazaar/vc-bitstring-status-list checks it: it
// verifies the list credential, requires the same issuer and reads the bit; the harness turns
// a set bit into "verified": false (the library only reports it) and "statusChecked" is true.
// Otherwise the status check is SKIPPED, not failed, and "statusChecked" is false.

import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as rdfcSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  createSignCryptosuite as jcsSignSuite,
  createVerifyCryptosuite as jcsVerifySuite
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {driver as didKeyDriverFactory} from '@digitalbazaar/did-method-key';
import canonicalize from 'canonicalize';
import {checkStatus as bitstringCheckStatus} from '@digitalbazaar/vc-bitstring-status-list';
import jsigs from 'jsonld-signatures';

const PACKAGES = [
  '@digitalbazaar/vc', '@digitalbazaar/data-integrity',
  '@digitalbazaar/vc-bitstring-status-list',
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite', '@digitalbazaar/eddsa-jcs-2022-cryptosuite',
  '@digitalbazaar/ed25519-multikey', '@digitalbazaar/did-method-key', 'jsonld',
  'jsonld-signatures', 'rdf-canonize', 'canonicalize'
];

const didKeyDriver = didKeyDriverFactory();
didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}

function makeLoader({contexts = {}, didDocuments = {}, statusLists = {}} = {}) {
  return async function documentLoader(url) {
    if(Object.prototype.hasOwnProperty.call(contexts, url)) {
      return {contextUrl: null, documentUrl: url, document: clone(contexts[url])};
    }
    if(Object.prototype.hasOwnProperty.call(statusLists, url)) {
      return {contextUrl: null, documentUrl: url, document: clone(statusLists[url])};
    }
    if(typeof url === 'string' && url.startsWith('did:key:')) {
      const document = await didKeyDriver.get({url});
      return {contextUrl: null, documentUrl: url, document};
    }
    if(typeof url === 'string' && url.startsWith('did:web:')) {
      const [did, fragment] = url.split('#');
      if(!Object.prototype.hasOwnProperty.call(didDocuments, did)) {
        throw new Error(`offline loader: no DID document given for "${did}"`);
      }
      const doc = clone(didDocuments[did]);
      if(fragment === undefined) {
        return {contextUrl: null, documentUrl: url, document: doc};
      }
      const vms = doc.verificationMethod || [];
      const vm = vms.find(m => m.id === url || m.id === `#${fragment}`);
      if(!vm) {
        throw new Error(`offline loader: "${url}" is not a verification method of "${did}"`);
      }
      const document = {...vm, id: url};
      if(!document['@context']) {
        document['@context'] = doc['@context'];
      }
      return {contextUrl: null, documentUrl: url, document};
    }
    throw new Error(`offline loader: refusing to load "${url}" (not in the request)`);
  };
}

// jsigs wraps the real causes in "Verification error(s)." aggregates: report those, not it.
function errorMessages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => errorMessages(e, out));
    return out;
  }
  if(error.errors) {
    [].concat(error.errors).forEach(e => errorMessages(e, out));
  } else {
    out.push(error.message || String(error));
  }
  // jsonld.js keeps its cause in `details.cause`
  const cause = error.cause || (error.details && error.details.cause);
  if(cause) {
    errorMessages(cause, out);
  }
  return out;
}

function errorText(error) {
  return [...new Set(errorMessages(error))].join('; ');
}

function resultErrors(result) {
  const messages = [];
  if(result.error) {
    messages.push(errorText(result.error));
  }
  for(const r of result.results || []) {
    if(!r.verified) {
      if(r.error) {
        messages.push(errorText(r.error));
      }
      if(r.purposeResult && !r.purposeResult.valid && r.purposeResult.error) {
        messages.push(errorText(r.purposeResult.error));
      }
    }
  }
  if(result.statusResult && !result.statusResult.verified) {
    messages.push(errorText(result.statusResult.error) || 'status check failed');
  }
  return [...new Set(messages.filter(Boolean))].join(' | ');
}

async function opSign(req) {
  const {document, key, created} = req;
  const secretKeyMultibase = key.secretKeyMultibase || key.privateKeyMultibase;
  const controller = key.controller || `did:key:${key.publicKeyMultibase}`;
  const id = key.id || `${controller}#${key.publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.from({
    type: 'Multikey', id, controller,
    publicKeyMultibase: key.publicKeyMultibase, secretKeyMultibase
  });
  const documentLoader = makeLoader(req);
  // a list of suites signs one after the other: a proof set, as jsigs builds it
  let signed = clone(document);
  for(const suite of [].concat(req.suite)) {
    let cryptosuite;
    if(suite === 'eddsa-rdfc-2022') {
      cryptosuite = rdfcSuite;
    } else if(suite === 'eddsa-jcs-2022') {
      cryptosuite = jcsSignSuite();
    } else {
      throw new Error(`unknown suite "${suite}"`);
    }
    const diSuite = new DataIntegrityProof({
      signer: keyPair.signer(), date: created, cryptosuite
    });
    signed = await vc.issue({credential: signed, suite: diSuite, documentLoader});
    const proofs = [].concat(signed.proof);
    const proof = proofs[proofs.length - 1];
    if(created && proof.created !== created) {
      throw new Error(`reference wrote created "${proof.created}", asked for "${created}"`);
    }
  }
  return {signed};
}

function makeCheckStatus(req, state) {
  const lists = req.statusLists || {};
  return async function checkStatus(options) {
    const entries = [].concat(options.credential.credentialStatus || []);
    const missing = entries.filter(e => !Object.prototype.hasOwnProperty.call(
      lists, e && e.statusListCredential));
    if(missing.length > 0) {
      state.skipped = true;  // not every list was given: no status verdict at all
      return {verified: true};
    }
    // the reference's own Bitstring Status List check; lists come through the offline loader.
    // Its "verified" only means "the check ran": a set bit is `status: true` in `results`.
    const result = await bitstringCheckStatus(options);
    state.checked = result.verified === true;
    const set = (result.results || []).filter(r => r.status === true);
    if(result.verified && set.length > 0) {
      const what = set.map(r => `${r.credentialStatus.statusPurpose} bit ` +
        `${r.credentialStatus.statusListIndex} is set`).join(', ');
      return {
        verified: false, error: new Error(`credential status: ${what}`), results: result.results
      };
    }
    return result;
  };
}

async function opVerify(req) {
  const documentLoader = makeLoader(req);
  const suite = [
    new DataIntegrityProof({cryptosuite: rdfcSuite}),
    new DataIntegrityProof({cryptosuite: jcsVerifySuite()})
  ];
  const state = {checked: false, skipped: false};
  const now = req.now ? new Date(req.now) : new Date();
  // issuerCheck=false keeps the assertionMethod check but drops "issuer must be the key's
  // controller" (the W3C vectors name an https issuer and a did:key signer).
  const purpose = req.issuerCheck === false ?
    new jsigs.purposes.AssertionProofPurpose() : undefined;
  const result = await vc.verifyCredential({
    credential: clone(req.document), suite, documentLoader, now, purpose,
    checkStatus: makeCheckStatus(req, state)
  });
  const hasStatus = req.document && req.document.credentialStatus !== undefined;
  return {
    verified: result.verified === true,
    error: result.verified ? '' : resultErrors(result),
    statusChecked: hasStatus && state.checked && !state.skipped,
    proofs: (result.results || []).map(r => ({
      cryptosuite: r.proof && r.proof.cryptosuite, verified: r.verified === true
    }))
  };
}

async function opCanonize(req) {
  const nquads = await rdfcSuite.canonize(clone(req.document), {
    documentLoader: makeLoader(req), safe: req.safe !== false
  });
  return {nquads};
}

function opVersions() {
  const versions = {};
  for(const name of PACKAGES) {
    const url = new URL(`./node_modules/${name}/package.json`, import.meta.url);
    versions[name] = JSON.parse(readFileSync(url, 'utf8')).version;
  }
  return {versions, node: process.version};
}

const OPS = {
  sign: opSign,
  verify: opVerify,
  canonize: opCanonize,
  jcs: async req => ({jcs: canonicalize(req.value)}),
  stringify: async req => ({text: JSON.stringify(req.value, null, 2)}),
  versions: async () => opVersions()
};

async function handle(req) {
  try {
    if(req === null || typeof req !== 'object') {
      throw new Error('request must be a JSON object');
    }
    if(req.op === 'batch') {
      const responses = [];
      // "defaults" (e.g. the contexts) are merged under every request: sent once, not N times
      const defaults = req.defaults || {};
      for(const sub of req.requests || []) {
        responses.push(sub && sub.op === 'batch' ?
          {error: 'nested batch not allowed'} : await handle({...defaults, ...sub}));
      }
      return {responses};
    }
    const op = OPS[req.op];
    if(!op) {
      throw new Error(`unknown op "${req.op}"`);
    }
    return await op(req);
  } catch(error) {
    return {error: errorText(error) || 'unknown error'};
  }
}

const input = readFileSync(0, 'utf8');
let request;
try {
  request = JSON.parse(input);
} catch(error) {
  request = null;
  process.stdout.write(JSON.stringify({error: `bad JSON request: ${error.message}`}));
}
if(request !== null) {
  process.stdout.write(JSON.stringify(await handle(request)));
}
