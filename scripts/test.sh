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
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v ansible-playbook >/dev/null 2>&1 || need_apt+=(ansible-core)
if ((${#need_apt[@]})); then
  echo "installing: ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

# Redis backs the rate-limiting tests (policy redis). They talk to a real
# server, never a mock: start one when none answers, and stop loudly when
# that fails instead of letting those tests skip.
export STRAIT_TEST_REDIS="${STRAIT_TEST_REDIS:-127.0.0.1:6379}"
redis_host=${STRAIT_TEST_REDIS%:*}
redis_port=${STRAIT_TEST_REDIS##*:}
if ! redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1; then
  echo "starting redis-server on $STRAIT_TEST_REDIS"
  redis-server --daemonize yes --bind "$redis_host" --port "$redis_port" --save "" --appendonly no >/dev/null
  for _ in $(seq 1 50); do
    redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
fi
if ! redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1; then
  echo "FATAL: Redis is required at $STRAIT_TEST_REDIS and could not be started" >&2
  exit 1
fi

unformatted=$(gofmt -l cmd internal e2e 2>/dev/null || true)
if [[ -n "$unformatted" ]]; then
  echo "gofmt needed on:"; echo "$unformatted"; exit 1
fi
go vet ./...
go test -race -count=1 "$@" ./...
if (($# == 0)); then
  # The proxy's tests run on the event loops, the engine of plain
  # listeners; run them again on the goroutine engine that TLS listeners
  # (and proxy_event_loops = off) use.
  STRAIT_TEST_PROXY_ENGINE=goroutines go test -race -count=1 ./internal/proxy/
fi
