# Sourced by setup-venv.sh and setup-llamafactory-venv.sh: a venv OUTSIDE the repository, rebuilt
# only when its requirements file changes (the file's hash is stored in the venv).
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/treecot/pip}"

# venv_is_current VENV REQUIREMENTS: true when VENV was installed from this REQUIREMENTS file as it is now.
venv_is_current() {
  [ -f "$1/.treecot-requirements" ] && [ "$(cat "$1/.treecot-requirements")" = "$(sha256sum "$2" | cut -d' ' -f1)" ]
}

# install_venv LABEL VENV REQUIREMENTS: (re)create VENV and install REQUIREMENTS into it.
install_venv() {
  local label="$1" venv="$2" requirements="$3" want start
  # Hashed first: a missing file stops here, before the venv is cleared, and the stamp is the file
  # as installed even if it is edited during the install.
  want="$(sha256sum "$requirements" | cut -d' ' -f1)"
  [ -n "$want" ] || { echo "$label: cannot read $requirements" >&2; return 1; }
  start=$(date +%s)
  python3 -m venv --clear "$venv" # a half-installed venv from a killed run is started over
  "$venv/bin/pip" install --disable-pip-version-check -q -r "$requirements"
  # Written last: a venv whose install failed or was killed is never taken as current.
  echo "$want" >"$venv/.treecot-requirements"
  echo "$label: installed $venv in $(($(date +%s) - start)) s"
}
