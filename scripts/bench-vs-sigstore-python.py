#!/usr/bin/env python3
"""Whole-process verification time: slsa-aibom-verify against the Python
`sigstore` CLI (sigstore verify identity --offline, same trusted root), cold
process to cold process, on the same public-good bundles. Prints medians and
the ratio. Needs ../shared/vectors, a release build, and .venv-peers
(scripts/peers.sh). Usage: scripts/bench-vs-sigstore-python.py [RUNS]
"""
import json, os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
V = os.path.join(ROOT, "..", "shared", "vectors")
OURS = os.path.join(ROOT, "target", "release", "slsa-aibom-verify")
PY = os.path.join(ROOT, ".venv-peers", "bin", "sigstore")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
SAN = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
ISS = "https://token.actions.githubusercontent.com"
CASES = ["happy-path-v0.2", "happy-path-v0.3-new-mediaType", "happy-path-intoto-in-dsse-v3"]

root_path = os.path.join(V, "trust", "public-good.trusted_root.json")
trust_config = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
json.dump({"mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
           "trustedRoot": json.load(open(root_path)),
           "signingConfig": {"mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json"}}, trust_config)
trust_config.close()

def timed(cmd):
    samples = []
    for _ in range(RUNS):
        t = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples.append(time.perf_counter() - t)
        if r.returncode != 0:
            sys.exit(f"verification failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr.decode()}")
    return statistics.median(samples)

print(f"runs per command: {RUNS}; times are medians of cold processes")
print(f"{'bundle':34} {'slsa-aibom-verify':>18} {'sigstore-python':>16} {'ratio':>7}")
ratios = []
for case in CASES:
    bundle = os.path.join(V, "conformance", case, "bundle.sigstore.json")
    art = os.path.join(V, "conformance", "a.txt")
    ours = timed([OURS, "verify-bundle", "--bundle", bundle, "--trusted-root", root_path,
                  "--certificate-identity", SAN, "--certificate-oidc-issuer", ISS, art])
    theirs = timed([PY, "--trust-config", trust_config.name, "verify", "identity", "--offline",
                    "--bundle", bundle, "--cert-identity", SAN, "--cert-oidc-issuer", ISS, art])
    ratios.append(theirs / ours)
    print(f"{case:34} {ours * 1000:15.1f} ms {theirs * 1000:13.1f} ms {theirs / ours:6.1f}x")
print(f"geometric-mean speed-up: {statistics.geometric_mean(ratios):.1f}x")
