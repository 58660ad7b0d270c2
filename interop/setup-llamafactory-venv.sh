#!/usr/bin/env bash
# Create (or reuse) the Python venv of interop/tests/llama-factory.test.ts, OUTSIDE the repository.
# LLaMA-Factory pins older transformers/datasets/trl than interop/requirements.txt, so it cannot
# share the interop venv (setup-venv.sh).
#   TREECOT_LLAMAFACTORY_VENV  venv folder  (default ~/.cache/treecot/llamafactory-venv)
#   PIP_CACHE_DIR              pip's cache  (default ~/.cache/treecot/pip, shared with setup-venv.sh:
#                                            the same torch wheel and its nvidia-* packages)
# The venv is rebuilt only when interop/requirements-llamafactory.txt changes (hash stored in it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${TREECOT_LLAMAFACTORY_VENV:-$HOME/.cache/treecot/llamafactory-venv}"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/treecot/pip}"
requirements="$here/requirements-llamafactory.txt"
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ -f "$venv/.treecot-requirements" ] && [ "$(cat "$venv/.treecot-requirements")" = "$want" ]; then
  echo "llamafactory venv: reusing $venv"
  exit 0
fi
start=$(date +%s)
python3 -m venv --clear "$venv"   # a half-installed venv from a killed run is started over
"$venv/bin/pip" install --disable-pip-version-check -q -r "$requirements"
echo "$want" > "$venv/.treecot-requirements"
echo "llamafactory venv: installed $venv in $(( $(date +%s) - start )) s"
