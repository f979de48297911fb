#!/usr/bin/env bash
# The whole example in one command: a Sluice broker, a schema registry (subject orders-value kept
# FULL compatible), and connect-standalone streaming orders.jsonl into Elasticsearch. Ctrl-C stops it.
# Elasticsearch: $ELASTICSEARCH_URL (default http://127.0.0.1:9200).
set -euo pipefail
cd "$(dirname "$0")"
export ELASTICSEARCH_URL=${ELASTICSEARCH_URL:-http://127.0.0.1:9200}
REPO=../..
mkdir -p data
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_for() { # URL-or-host:port, what
  for _ in $(seq 1 120); do
    if [[ $1 == http* ]]; then curl -sf -o /dev/null "$1" && return 0; else (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null && return 0; fi
    sleep 0.5
  done
  echo "$2 did not start" >&2; exit 1
}

node "$REPO/runtime/cli/sluice.ts" broker --data-dir data/broker --listeners PLAINTEXT://127.0.0.1:9092 > data/broker.log 2>&1 & pids+=($!)
wait_for 127.0.0.1:9092 "the broker (data/broker.log)"
node "$REPO/runtime/cli/sluice.ts" registry --listeners http://127.0.0.1:8081 --bootstrap-server 127.0.0.1:9092 > data/registry.log 2>&1 & pids+=($!)
wait_for http://127.0.0.1:8081/subjects "the schema registry (data/registry.log)"

# The value schema of `orders` is registered by the converter on first use (subject
# orders-value); from then on the registry accepts only changes that stay FULL compatible.
curl -sf -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
  --data '{"compatibility": "FULL"}' http://127.0.0.1:8081/config/orders-value
echo

node "$REPO/runtime/cli/connect-standalone.ts" worker.properties file-source.properties es-sink.properties
