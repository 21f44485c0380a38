#!/usr/bin/env bash
# Makes sure pgbouncer is installed, for the tests that run the API behind it in transaction
# mode (tests/api/test_pgbouncer.py start their own; nothing is left running). Used by
# `make test`; does nothing when pgbouncer is already there. Needs apt-get and root (or sudo).
set -euo pipefail

have() { command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ]; }
have && exit 0

echo "installing pgbouncer"
if ! command -v apt-get >/dev/null; then
  echo "pgbouncer is missing and there is no apt-get: install pgbouncer (1.18 or newer)" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# The package's own service is not wanted: the tests start pgbouncer on a free port.
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends pgbouncer >/dev/null \
  || { $sudo apt-get update -qq && $sudo apt-get install -y --no-install-recommends pgbouncer >/dev/null; }
have || { echo "pgbouncer did not install" >&2; exit 1; }
