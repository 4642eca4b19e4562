#!/usr/bin/env bash
# A GPU check anyone with an NVIDIA GPU can run (docs/gpu.md).
#
#   bash scripts/gpu-check.sh build [DIR]   # here (x86-64): the CUDA trainer, with the
#                                           # PyPI toolchain, and the verifier, into DIR
#                                           # (default target/gpu-check); each under 64 MiB
#   bash scripts/gpu-check.sh run [DIR]     # on the GPU machine: Python with torch and numpy
#
# `run` trains the wide MLP and the MNIST-class CNN of scripts/bench-training.py
# on CUDA twice each, trains the same jobs in PyTorch on the same GPU, and
# prints one table. It is the test that trains on a GPU: it fails (exit 1)
# unless both runs of each job give identical model bytes, every release
# verifies, and each model reaches the minimum test accuracy.
# GPU_CHECK_DEVICE=cpu runs the same flow on the CPU (a dry run of the
# script where there is no GPU); GPU_CHECK_JOBS picks other jobs and
# GPU_CHECK_PEERS other peers (empty: none).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mode="${1:-}"
dir="${2:-$root/target/gpu-check}"
limit=$((64 * 1024 * 1024))

case "$mode" in
  build)
    # shellcheck source=scripts/cuda-toolchain.sh
    source scripts/cuda-toolchain.sh
    CARGO_TARGET_DIR="$root/target/cuda" cargo build --release --locked -p slsa-aibom-builder --features cuda
    cargo build --release --locked -p slsa-aibom-verify --features cli
    mkdir -p "$dir"
    install -m 0755 "$root/target/cuda/release/slsa-aibom-build" "$dir/slsa-aibom-build"
    install -m 0755 "$root/target/release/slsa-aibom-verify" "$dir/slsa-aibom-verify"
    strip "$dir/slsa-aibom-build" "$dir/slsa-aibom-verify"
    for bin in "$dir/slsa-aibom-build" "$dir/slsa-aibom-verify"; do
      size=$(stat -c %s "$bin")
      echo "gpu-check: $(basename "$bin") $((size / 1024 / 1024)) MiB, sha256 $(sha256sum "$bin" | cut -d ' ' -f 1)"
      if [ "$size" -ge "$limit" ]; then
        echo "gpu-check: $bin is over 64 MiB" >&2
        exit 1
      fi
    done
    ;;
  run)
    python="${PYTHON:-python3}"
    device="${GPU_CHECK_DEVICE:-cuda}"
    [ -x "$dir/slsa-aibom-build" ] || { echo "gpu-check: no $dir/slsa-aibom-build; run 'gpu-check.sh build' first" >&2; exit 2; }
    if [ "$device" = cuda ]; then
      # The trainer links the CUDA 13 runtime libraries; take them from the
      # machine's Python install (PyTorch's nvidia wheels) when the loader
      # does not already know them.
      if ! ldconfig -p 2>/dev/null | grep -q 'libcublas\.so\.13'; then
        libs="$("$python" - <<'PY'
import glob, os, site
dirs = set()
for base in site.getsitepackages() + [site.getusersitepackages()]:
    for so in glob.glob(os.path.join(base, "nvidia", "**", "lib*.so.*"), recursive=True):
        dirs.add(os.path.dirname(so))
print(":".join(sorted(dirs)))
PY
)"
        export LD_LIBRARY_PATH="${libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
      fi
      missing="$(ldd "$dir/slsa-aibom-build" | grep 'not found' || true)"
      if [ -n "$missing" ]; then
        echo "gpu-check: the CUDA trainer cannot find: $missing" >&2
        exit 2
      fi
      nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    fi
    "$python" scripts/bench-training.py --device "$device" --threads "$(nproc)" \
      --binary "$dir/slsa-aibom-build" --verifier "$dir/slsa-aibom-verify" \
      --peers "${GPU_CHECK_PEERS-torch}" --jobs "${GPU_CHECK_JOBS:-mlp-wide,cnn-mnist}" --determinism
    ;;
  *)
    echo "usage: gpu-check.sh build|run [DIR]" >&2
    exit 2
    ;;
esac
