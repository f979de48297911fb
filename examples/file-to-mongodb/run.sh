#!/usr/bin/env bash
# The whole example in one command: a Sluice broker and connect-standalone streaming orders.jsonl
# through the topic `orders` into the MongoDB collection shop.orders. Ctrl-C stops it.
# MongoDB: $MONGODB_URL (default mongodb://127.0.0.1:27017/); FerretDB works too.
# Ports: $BROKER_PORT (9092) and $CONNECT_PORT (8083).
set -euo pipefail
cd "$(dirname "$0")"
export MONGODB_URL=${MONGODB_URL:-mongodb://127.0.0.1:27017/}
BROKER_PORT=${BROKER_PORT:-9092}
CONNECT_PORT=${CONNECT_PORT:-8083}
REPO=../..
mkdir -p data
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_for() { # host:port, what
  for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null && return 0
    sleep 0.5
  done
  echo "$2 did not start" >&2; exit 1
}

node "$REPO/runtime/cli/sluice.ts" broker --data-dir data/broker --listeners "PLAINTEXT://127.0.0.1:$BROKER_PORT" > data/broker.log 2>&1 & pids+=($!)
wait_for "127.0.0.1:$BROKER_PORT" "the broker (data/broker.log)"

sed -e "s/127.0.0.1:9092/127.0.0.1:$BROKER_PORT/" -e "s/127.0.0.1:8083/127.0.0.1:$CONNECT_PORT/" worker.properties > data/worker.properties
node "$REPO/runtime/cli/connect-standalone.ts" data/worker.properties file-source.properties mongodb-sink.properties
