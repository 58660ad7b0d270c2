#!/usr/bin/env bash
# Create (or reuse) the Python venv of interop/tests/llama-factory.test.ts, OUTSIDE the repository.
# LLaMA-Factory pins older transformers/datasets/trl than interop/requirements.txt, so it cannot
# share the interop venv (setup-venv.sh).
#   TREECOT_LLAMAFACTORY_VENV  venv folder  (default ~/.cache/treecot/llamafactory-venv)
#   PIP_CACHE_DIR              pip's cache  (default ~/.cache/treecot/pip, shared with setup-venv.sh:
#                                            the same torch wheel and its nvidia-* packages)
# The venv is rebuilt only when interop/requirements-llamafactory.txt changes (venv-lib.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/venv-lib.sh"
venv="${TREECOT_LLAMAFACTORY_VENV:-$HOME/.cache/treecot/llamafactory-venv}"
if venv_is_current "$venv" "$here/requirements-llamafactory.txt"; then
  echo "llamafactory venv: reusing $venv"
  exit 0
fi
install_venv "llamafactory venv" "$venv" "$here/requirements-llamafactory.txt"
