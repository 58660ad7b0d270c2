#!/usr/bin/env bash
# Create (or reuse) the Python venv of `npm run test:interop`, OUTSIDE the repository.
#   TREECOT_INTEROP_VENV  venv folder   (default ~/.cache/treecot/interop-venv)
#   PIP_CACHE_DIR         pip's cache   (default ~/.cache/treecot/pip; keeps wheels, and the
#                                        llama-cpp-python wheel built from its sdist, between runs)
# The venv is rebuilt only when interop/requirements.txt changes (venv-lib.sh).
# torch's Linux wheel on PyPI is the CUDA build; it needs its nvidia-* packages even on CPU
# (measured: `pip install --no-deps torch` fails on import with "libcudart.so.13: cannot open").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/venv-lib.sh"
venv="${TREECOT_INTEROP_VENV:-$HOME/.cache/treecot/interop-venv}"
if venv_is_current "$venv" "$here/requirements.txt"; then
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
# llama.cpp compiles with cmake on every core (2 here): several minutes on a cold cache.
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
# Only the library and its server are used: skip the multimodal (mtmd/llava) build.
export CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF}"
install_venv "interop venv" "$venv" "$here/requirements.txt"
