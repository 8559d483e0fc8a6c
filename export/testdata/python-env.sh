#!/bin/sh
# python-env.sh DIR: makes DIR a Python virtualenv with the packages of requirements.txt (beside
# this script) and prints the path of its python. Quick when they are already installed: the
# requirements are copied into DIR once pip succeeded, and compared on later runs. Progress goes
# to standard error; standard output is the path alone. `make export-python` and the export
# tests (server/export_test.go) both run it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: python-env.sh DIR}
req="$here/requirements.txt"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
py="$dir/bin/python"
stamp="$dir/requirements.installed"
if [ -x "$py" ] && [ -f "$stamp" ] && cmp -s "$req" "$stamp"; then
	echo "$py"
	exit 0
fi
command -v python3 >/dev/null 2>&1 || {
	echo "python-env: python3 (3.11 or later, with its venv module) is needed to read exports back" >&2
	exit 1
}
if [ ! -x "$py" ]; then
	echo "python-env: creating a virtualenv in $dir" >&2
	python3 -m venv "$dir" >&2
fi
echo "python-env: installing $(grep -v '^#' "$req" | cut -d' ' -f1 | tr '\n' ' ')into $dir" >&2
"$py" -m pip install --quiet --disable-pip-version-check --no-input --require-hashes -r "$req" >&2
cp "$req" "$stamp"
echo "$py"
