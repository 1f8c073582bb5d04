#!/usr/bin/env bash
# Runs Strait's whole test suite: vet, gofmt check, and every package's
# tests (unit, store conformance, end-to-end through the real binary) with
# the race detector. It installs what the tests need on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

need_apt=()
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc) # the race detector needs cgo
if ((${#need_apt[@]})); then
  echo "installing: ${need_apt[*]}"
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"
fi

unformatted=$(gofmt -l cmd internal e2e 2>/dev/null || true)
if [[ -n "$unformatted" ]]; then
  echo "gofmt needed on:"; echo "$unformatted"; exit 1
fi
go vet ./...
go test -race -count=1 "$@" ./...
