#!/usr/bin/env bash
# `npm run test:interop`: treecot against the real Python stack (transformers, TRL, datasets,
# llama-cpp-python's OpenAI server, LLaMA-Factory). Creates or reuses the venvs (interop/setup-venv.sh,
# interop/setup-llamafactory-venv.sh: LLaMA-Factory pins older transformers/datasets/trl), then runs
# interop/tests/*.test.ts one file at a time (they are CPU-heavy) in a fresh work folder.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash interop/setup-venv.sh
bash interop/setup-llamafactory-venv.sh
export TREECOT_INTEROP_WORK="$(mktemp -d "${TMPDIR:-/tmp}/treecot-interop-XXXXXX")"
trap 'rm -rf "$TREECOT_INTEROP_WORK"' EXIT
status=0
node --import tsx --test --test-concurrency=1 interop/tests/*.test.ts || status=$?
echo "test:interop: wall $(( $(date +%s) - start )) s (venv setup included)"
exit $status
