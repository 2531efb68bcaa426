// Test-only bridge for the suites microcred verifies but does not issue (issue 9): ECDSA Data
// Integrity (ecdsa-rdfc-2019, ecdsa-jcs-2019), Ed25519Signature2018 and VC-JWT (jose).
// Never used at runtime.
//
// Protocol: ONE JSON request on stdin ({"op": "batch", "requests": [...], "defaults": {...}}),
// ONE JSON response on stdout ({"responses": [...]}); a failing request answers {"error"}.
//
// sign-di    {"suite": "ecdsa-rdfc-2019"|"ecdsa-jcs-2019"|"Ed25519Signature2018",
//             "curve": "P-256"|"P-384", "document", "contexts", "created"}
//            -> {"signed", "didDocument"?}   (a FRESH key each call; ECDSA keys are did:key,
//               and an issuer (id) "ISSUER" becomes that did:key; the Ed25519Signature2018
//               key is did:web:issuer.example#key-1, whose DID document comes back)
// verify-di  {"document", "contexts", "didDocuments"?} -> {"verified", "message"}
// sign-jwt   {"alg": "EdDSA"|"ES256"|"ES384"|"RS256", "payload", "kid"?}
//            -> {"jwt", "jwk"}   (fresh key; jwk is the public key)
// verify-jwt {"jwt", "jwk", "alg"} -> {"verified", "message"}
//
// Contexts come only from the request; did:key is derived from the key, did:web only from
// "didDocuments"; any other URL throws (nothing is fetched).

import * as vc from '@digitalbazaar/vc';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as ecdsaRdfc} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {
  createSignCryptosuite as ecdsaJcsSign,
  createVerifyCryptosuite as ecdsaJcsVerify
} from '@digitalbazaar/ecdsa-jcs-2019-cryptosuite';
import {Ed25519Signature2018} from '@digitalbazaar/ed25519-signature-2018';
import {Ed25519VerificationKey2018} from '@digitalbazaar/ed25519-verification-key-2018';
import {driver as didKeyDriverFactory} from '@digitalbazaar/did-method-key';
import jsigs from 'jsonld-signatures';
import * as jose from 'jose';

const didKeyDriver = didKeyDriverFactory();
didKeyDriver.use({multibaseMultikeyHeader: 'zDna', fromMultibase: EcdsaMultikey.from});
didKeyDriver.use({multibaseMultikeyHeader: 'z82L', fromMultibase: EcdsaMultikey.from});
const WEB_DID = 'did:web:issuer.example';

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}

function makeLoader({contexts = {}, didDocuments = {}} = {}) {
  return async function documentLoader(url) {
    if(Object.prototype.hasOwnProperty.call(contexts, url)) {
      return {contextUrl: null, documentUrl: url, document: clone(contexts[url])};
    }
    if(url.startsWith('did:key:')) {
      return {contextUrl: null, documentUrl: url, document: await didKeyDriver.get({url})};
    }
    if(url.startsWith('did:web:')) {
      const [did] = url.split('#');
      if(!Object.prototype.hasOwnProperty.call(didDocuments, did)) {
        throw new Error(`offline loader: no DID document for "${did}"`);
      }
      const doc = clone(didDocuments[did]);
      if(!url.includes('#')) {
        return {contextUrl: null, documentUrl: url, document: doc};
      }
      const vm = (doc.verificationMethod || []).find(m => m.id === url);
      if(!vm) {
        throw new Error(`offline loader: "${url}" is not a key of "${did}"`);
      }
      return {
        contextUrl: null, documentUrl: url,
        document: {'@context': doc['@context'], ...vm}
      };
    }
    throw new Error(`offline loader: refusing to load "${url}"`);
  };
}

function messages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => messages(e, out));
  } else if(error.errors) {
    [].concat(error.errors).forEach(e => messages(e, out));
  } else {
    out.push(error.message || String(error));
  }
  return out;
}

async function signDi(req) {
  const documentLoader = makeLoader(req);
  const credential = clone(req.document);
  const date = req.created;
  if(req.suite === 'Ed25519Signature2018') {
    const key = await Ed25519VerificationKey2018.generate({
      id: `${WEB_DID}#key-1`, controller: WEB_DID
    });
    const didDocument = {
      '@context': [
        'https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/ed25519-2018/v1'
      ],
      id: WEB_DID,
      verificationMethod: [key.export({publicKey: true, includeContext: false})],
      assertionMethod: [key.id]
    };
    const suite = new Ed25519Signature2018({key, date});
    const signed = await vc.issue({credential, suite, documentLoader});
    return {signed, didDocument};
  }
  const key = await EcdsaMultikey.generate({curve: req.curve || 'P-256'});
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  // the issuer is the fresh key's did:key: "ISSUER" in the request stands for it
  if(credential.issuer === 'ISSUER') {
    credential.issuer = did;
  } else if(credential.issuer && credential.issuer.id === 'ISSUER') {
    credential.issuer.id = did;
  }
  const cryptosuite = req.suite === 'ecdsa-jcs-2019' ? ecdsaJcsSign() : ecdsaRdfc;
  const suite = new DataIntegrityProof({signer: key.signer(), date, cryptosuite});
  const signed = await vc.issue({credential, suite, documentLoader});
  return {signed};
}

async function verifyDi(req) {
  const documentLoader = makeLoader(req);
  const suite = [
    new DataIntegrityProof({cryptosuite: ecdsaRdfc}),
    new DataIntegrityProof({cryptosuite: ecdsaJcsVerify()}),
    new Ed25519Signature2018()
  ];
  const result = await jsigs.verify(clone(req.document), {
    suite, purpose: new jsigs.purposes.AssertionProofPurpose(), documentLoader
  });
  return {verified: result.verified === true, message: messages(result.error).join(' | ')};
}

async function signJwt(req) {
  const alg = req.alg;
  const options = {extractable: true};
  if(alg === 'EdDSA') {
    options.crv = 'Ed25519';
  }
  if(alg === 'RS256') {
    options.modulusLength = 2048;
  }
  const {publicKey, privateKey} = await jose.generateKeyPair(alg, options);
  const header = {alg, typ: req.typ || 'JWT'};
  if(req.kid) {
    header.kid = req.kid;
  }
  const bytes = new TextEncoder().encode(JSON.stringify(req.payload));
  const jwt = await new jose.CompactSign(bytes).setProtectedHeader(header).sign(privateKey);
  return {jwt, jwk: await jose.exportJWK(publicKey)};
}

async function verifyJwt(req) {
  try {
    const key = await jose.importJWK(req.jwk, req.alg);
    await jose.compactVerify(req.jwt, key, {algorithms: [req.alg]});
    return {verified: true, message: ''};
  } catch(e) {
    return {verified: false, message: e.message || String(e)};
  }
}

const OPS = {
  'sign-di': signDi, 'verify-di': verifyDi, 'sign-jwt': signJwt, 'verify-jwt': verifyJwt
};

async function handle(req) {
  const op = OPS[req.op];
  if(!op) {
    return {error: `unknown op "${req.op}"`};
  }
  try {
    return await op(req);
  } catch(e) {
    return {error: messages(e).join(' | ') || String(e)};
  }
}

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const responses = [];
for(const req of request.requests || []) {
  responses.push(await handle({...(request.defaults || {}), ...req}));
}
process.stdout.write(JSON.stringify({responses}));
