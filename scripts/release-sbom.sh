#!/usr/bin/env bash
# The CycloneDX SBOM of each release binary, from the locked dependency
# graph, by cargo-cyclonedx (the CycloneDX project's own Cargo tool, pinned,
# built into .tools/):
#
#   scripts/release-sbom.sh TARGET OUT_DIR BINARY...
#
# writes OUT_DIR/BINARY-TARGET.cdx.json for slsa-aibom-verify (with its
# `cli` feature, as released) and slsa-aibom-build: every crate compiled into
# that binary for TARGET (normal and proc-macro dependencies; build scripts'
# dependencies left out), with purl, licence, crates.io checksum and the
# dependency graph. cargo-cyclonedx 0.5.9 writes CycloneDX 1.5, which is
# also valid against the 1.6 schema (scripts/check-release-tooling.sh checks
# both). The document is made reproducible: its timestamp is
# SOURCE_DATE_EPOCH's (the last commit's), its serial number a UUID derived
# from its content, and this checkout's path is written as /slsa-aibom.
set -euo pipefail
cd "$(dirname "$0")/.."
target=$1
out=$2
shift 2
# shellcheck source=scripts/cargo-tool.sh
source scripts/cargo-tool.sh
bin=$(cargo_tool cargo-cyclonedx 0.5.9)
mkdir -p "$out"
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
for binary in "$@"; do
  case "$binary" in
    slsa-aibom-verify) crate=verifier features=(--features cli) ;;
    slsa-aibom-build) crate=builder features=() ;;
    *) echo "release-sbom: unknown binary $binary" >&2; exit 2 ;;
  esac
  rm -f "$crate/${binary}_bin.cdx.json"
  "$bin" cyclonedx --manifest-path "$crate/Cargo.toml" ${features[@]+"${features[@]}"} \
    --describe binaries --target "$target" --spec-version 1.5 --format json \
    --no-build-deps --quiet
  python3 - "$crate/${binary}_bin.cdx.json" "$out/$binary-$target.cdx.json" "$PWD" "$SOURCE_DATE_EPOCH" <<'PY'
import datetime, hashlib, json, sys, uuid
src, dst, checkout, epoch = sys.argv[1:]
text = open(src).read().replace("file://" + checkout, "file:///slsa-aibom")
bom = json.loads(text)
bom["metadata"]["timestamp"] = datetime.datetime.fromtimestamp(
    int(epoch), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
bom.pop("serialNumber", None)
body = json.dumps(bom, sort_keys=True).encode()
bom["serialNumber"] = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, hashlib.sha256(body).hexdigest()))
with open(dst, "w") as f:
    json.dump(bom, f, indent=2, sort_keys=True)
    f.write("\n")
PY
  # cargo-cyclonedx writes one per workspace binary beside each manifest.
  rm -f builder/slsa-aibom-build_bin.cdx.json verifier/slsa-aibom-verify_bin.cdx.json
  echo "$out/$binary-$target.cdx.json"
done
