#!/usr/bin/env bash
# Prints the local secret NAME (e.g. rasa_auth_token), generating it into var/secrets/NAME on
# first use (mode 600, never committed: var/ is ignored). The Makefile uses it for the shared
# secrets of the local processes when they are not set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: local_secret.sh NAME}
case "$name" in *[!a-z0-9_]*) echo "bad secret name: $name" >&2; exit 2 ;; esac
file=var/secrets/$name
if [ ! -s "$file" ]; then
  mkdir -p var/secrets
  chmod 700 var/secrets
  umask 077
  # 32 random bytes, URL-safe base64 without padding (a header and query-string safe token).
  head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$file.tmp"
  mv "$file.tmp" "$file"
  var=$(echo "$name" | tr 'a-z' 'A-Z')
  echo "Generated $var (shown this once; kept in $file): $(cat "$file")" >&2
fi
cat "$file"
