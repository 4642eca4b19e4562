#!/usr/bin/env bash
# A CUDA toolkit for building the `cuda` feature without a GPU or a system
# CUDA install: NVIDIA's own PyPI wheels (nvcc, headers, cuBLAS, cuRAND,
# NVRTC, the runtime), version 13.0 to match a 580-series driver, pinned by
# version and sha256 in scripts/cuda-toolchain.requirements.txt (Linux
# x86-64), in a local venv. Source it:
#
#   source scripts/cuda-toolchain.sh      # installs once, then exports
#   cargo build -p slsa-aibom-builder --features cuda
#
# It exports CUDA_HOME/CUDA_PATH (one folder laid out as a toolkit: bin,
# include, nvvm, lib64), PATH (nvcc) and CUDA_COMPUTE_CAP (default 80: PTX
# for sm_80 runs on Ampere, Hopper and newer through the driver's JIT;
# override it before sourcing).
#
# The wheels carry no driver. candle links libcuda.so (cudarc's
# `dynamic-linking`), so lib64/stubs gets a stub generated from the driver
# functions cudarc declares, with the driver's soname (libcuda.so.1), which
# is what the toolkit's own lib64/stubs/libcuda.so is for. Every stub
# function returns CUDA_ERROR_NO_DEVICE, so with lib64/stubs on
# LD_LIBRARY_PATH (the tests do this) a CUDA build runs as on a machine
# whose driver sees no GPU. Nothing else puts the stub on the loader's path:
# a binary built here loads the real driver of the machine it runs on.
# Sourced: strict mode applies inside the functions only (`local -`), never
# to the shell that sources this.

cuda_root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cuda-toolchain"
cuda_requirements="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cuda-toolchain.requirements.txt"

cuda_toolchain_install() {
  local -
  set -euo pipefail
  local venv="$cuda_root_dir/venv" kit="$cuda_root_dir/kit"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
  fi
  # Reinstall whenever the pinned list changes.
  local stamp
  stamp="$cuda_root_dir/installed-$(sha256sum "$cuda_requirements" | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    "$venv/bin/pip" install -q --disable-pip-version-check --no-cache-dir --no-deps \
      --only-binary :all: --require-hashes -r "$cuda_requirements"
    rm -f "$cuda_root_dir"/installed-*
    touch "$stamp"
  fi
  local wheels
  wheels="$("$venv/bin/python" -c 'import nvidia, os; print(os.path.join(list(nvidia.__path__)[0], "cu13"))')"
  rm -rf "$kit" && mkdir -p "$kit/lib64/stubs"
  ln -s "$wheels/bin" "$kit/bin"
  ln -s "$wheels/include" "$kit/include"
  ln -s "$wheels/nvvm" "$kit/nvvm"
  # The linker wants unversioned names; the wheels ship only sonames.
  local so base
  for so in "$wheels"/lib/lib*.so.*; do
    base="$(basename "$so")"
    ln -sf "$so" "$kit/lib64/$base"
    ln -sf "$so" "$kit/lib64/${base%%.so.*}.so"
  done
  cuda_driver_stub "$kit/lib64/stubs"
  ln -sf stubs/libcuda.so "$kit/lib64/libcuda.so"
}

# A shared object that defines every cu* function cudarc's driver bindings
# declare, each returning CUDA_ERROR_NO_DEVICE (100).
cuda_driver_stub() {
  local -
  set -euo pipefail
  local out="$1" sys
  sys="$(cargo metadata --format-version 1 --manifest-path "$cuda_root_dir/../Cargo.toml" \
        --features slsa-aibom-builder/cuda 2>/dev/null |
        python3 -c 'import json,sys,os
m=json.load(sys.stdin)
p=[x for x in m["packages"] if x["name"]=="cudarc"][0]
print(os.path.join(os.path.dirname(p["manifest_path"]),"src","driver","sys"))')"
  {
    grep -rhoE '\bfn cu[A-Za-z0-9_]+\(' "$sys" | sed 's/^fn //; s/($//' | sort -u |
      sed 's/.*/int &(void) { return 100; }/'
  } > "$out/libcuda-stub.c"
  cc -shared -fPIC -o "$out/libcuda.so" -Wl,-soname,libcuda.so.1 "$out/libcuda-stub.c"
  ln -sf libcuda.so "$out/libcuda.so.1"
}

cuda_toolchain_install || return 1
export CUDA_HOME="$cuda_root_dir/kit" CUDA_PATH="$cuda_root_dir/kit"
export PATH="$CUDA_HOME/bin:$PATH"
export CUDA_COMPUTE_CAP="${CUDA_COMPUTE_CAP:-80}"
# For running a CUDA build here: the wheels' libraries, and the no-GPU driver stub.
export CUDA_TOOLCHAIN_LIBRARY_PATH="$CUDA_HOME/lib64/stubs:$CUDA_HOME/lib64"
