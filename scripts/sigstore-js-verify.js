// Verify a Sigstore bundle with sigstore-js (@sigstore/verify, the verifier
// npm uses for provenance), offline, against a given trusted root: the
// interop check of our keyless bundles (builder/tests/keyless.rs).
//
// Usage: node sigstore-js-verify.js TRUSTED_ROOT.json BUNDLE.json SAN ISSUER FILE|sha256:HEX
// Exit 0 when the bundle verifies, the certificate names SAN and ISSUER, and
// (for a DSSE in-toto statement) FILE's sha256 or sha512, or the given
// sha256 (a model signature's subject is its manifest's digest, no file's),
// is a subject. Exit 1 when sigstore-js refuses the bundle (a verification,
// policy or bundle-validation error, or input that is not JSON); exit 2 when
// something else broke (a crash is not a verdict).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { toSignedEntity, toTrustMaterial, Verifier } = require('@sigstore/verify');

const [rootPath, bundlePath, san, issuer, file] = process.argv.slice(2);

/** A refusal of ours, as sigstore-js's own errors are. */
class Refused extends Error {}

function main() {
  const root = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8')));
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const given = /^sha256:([0-9a-f]{64})$/.exec(file);
  const dsse = bundle.content.$case === 'dsseEnvelope';
  if (given && !dsse) {
    throw new Refused('a message signature needs the file itself, not a digest');
  }
  const artifact = given ? Buffer.alloc(0) : fs.readFileSync(file);
  const entity = toSignedEntity(bundle, dsse ? undefined : artifact);
  const tlog = bundle.verificationMaterial.tlogEntries.length;
  const verifier = new Verifier(toTrustMaterial(root), {
    tlogThreshold: tlog > 0 ? 1 : 0,
    ctlogThreshold: root.ctlogs.length > 0 ? 1 : 0,
    tsaThreshold: tlog > 0 ? 0 : 1,
  });
  verifier.verify(entity, { subjectAlternativeName: san, extensions: { issuer } });
  if (dsse) {
    const statement = JSON.parse(bundle.content.dsseEnvelope.payload.toString('utf8'));
    const digest = (alg) =>
      given ? (alg === 'sha256' ? given[1] : null) : crypto.createHash(alg).update(artifact).digest('hex');
    const covered = statement.subject.some(
      (s) => s.digest && (s.digest.sha256 === digest('sha256') || s.digest.sha512 === digest('sha512')),
    );
    if (!covered) {
      throw new Refused(`no subject of the statement is ${file}`);
    }
  }
  console.log(`sigstore-js: verified ${bundlePath} (${san})`);
}

// sigstore-js's refusals: its verification and policy errors, a bundle that
// does not validate, input that is not JSON, and our subject check.
const REFUSALS = new Set(['VerificationError', 'PolicyError', 'ValidationError', 'SyntaxError']);
try {
  main();
} catch (e) {
  const refused = e instanceof Refused || REFUSALS.has(e.name) || REFUSALS.has(e.constructor && e.constructor.name);
  console.error(`sigstore-js: ${refused ? 'refused' : 'CRASHED'}: ${e.name}: ${e.message}`);
  if (!refused) {
    console.error(e.stack);
  }
  process.exit(refused ? 1 : 2);
}
