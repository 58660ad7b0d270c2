#!/usr/bin/env bash
# Create (or reuse) the Python venv of `npm run test:interop`, OUTSIDE the repository.
#   TREECOT_INTEROP_VENV  venv folder   (default ~/.cache/treecot/interop-venv)
#   PIP_CACHE_DIR         pip's cache   (default ~/.cache/treecot/pip; keeps wheels, and the
#                                        llama-cpp-python wheel built from its sdist, between runs)
# The venv is rebuilt only when interop/requirements.txt changes (its hash is stored in the venv).
# torch's Linux wheel on PyPI is the CUDA build; it needs its nvidia-* packages even on CPU
# (measured: `pip install --no-deps torch` fails on import with "libcudart.so.13: cannot open").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${TREECOT_INTEROP_VENV:-$HOME/.cache/treecot/interop-venv}"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/treecot/pip}"
# llama.cpp compiles with cmake on every core (2 here): several minutes on a cold cache.
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ -f "$venv/.treecot-requirements" ] && [ "$(cat "$venv/.treecot-requirements")" = "$want" ]; then
  echo "interop venv: reusing $venv"
  exit 0
fi
if ! command -v cmake >/dev/null || ! command -v g++ >/dev/null; then
  # llama-cpp-python is an sdist: it needs cmake and a C++ compiler (Debian packages).
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -q && apt-get install -y -q cmake build-essential
  else
    echo "interop venv: cmake and g++ are needed to build llama-cpp-python (apt-get install -y cmake build-essential)" >&2
    exit 1
  fi
fi
# Only the library and its server are used: skip the multimodal (mtmd/llava) build.
export CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF}"
start=$(date +%s)
python3 -m venv "$venv"
"$venv/bin/pip" install --disable-pip-version-check -q -r "$here/requirements.txt"
echo "$want" > "$venv/.treecot-requirements"
echo "interop venv: installed $venv in $(( $(date +%s) - start )) s"
