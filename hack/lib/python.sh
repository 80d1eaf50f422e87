# python_with MODULE [PACKAGE]: prints the path of a python3 that can import
# MODULE, preferring Debian's /usr/bin/python3 (where hack/install-deps.sh's
# python3-* packages go) over a python3 earlier on PATH (pyenv, venv); fails
# naming the Debian package to install. Sourced, not run.
python_with() {
  local cand
  for cand in /usr/bin/python3 python3; do
    if command -v "$cand" >/dev/null && "$cand" -c "import $1" 2>/dev/null; then
      command -v "$cand"
      return 0
    fi
  done
  echo "FAIL - no python3 can import '$1': install ${2:-python3-$1} (hack/install-deps.sh)" >&2
  return 1
}
