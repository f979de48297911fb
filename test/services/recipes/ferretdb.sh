# FerretDB v1 with its SQLite backend: a MongoDB wire-protocol server, built from the module
# that the Go module proxy serves, with the machine's Go.

FERRETDB_HOME=$CACHE/ferretdb-$FERRETDB_VERSION

ferretdb_env_var() { echo MONGODB_URL; }

find_go() {
  local go
  go=$(command -v go 2>/dev/null || true)
  [[ -z $go && -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go
  [[ -n $go ]] || die "ferretdb: no Go toolchain found (need Go >= 1.21; Debian's golang-go is too old)"
  printf '%s' "$go"
}

# `go install ...@version` fails here: it asks the proxy for the module's version list (to look
# for a deprecation notice) and the proxy refuses that list. `go mod download` of one exact
# version works, so the module is downloaded, copied, and built as the main module. The module
# zip lacks build/version/version.txt, whose absence makes the binary panic at start; it is
# written here, as FerretDB's build/version package documents.
ferretdb_build() {
  [[ -f $FERRETDB_HOME/.complete ]] && return 0
  local go src
  go=$(find_go)
  export GOMODCACHE=$CACHE/go/mod GOCACHE=$CACHE/go/build GOFLAGS=-modcacherw CGO_ENABLED=0
  export GOTOOLCHAIN=${GOTOOLCHAIN:-auto} # an older Go fetches the version go.mod asks for
  say "ferretdb: building $FERRETDB_VERSION with $("$go" version | cut -d' ' -f3) (log: $FERRETDB_HOME.build.log)"
  src=$(cd /tmp && "$go" mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') ||
    die "ferretdb: go mod download github.com/FerretDB/FerretDB@$FERRETDB_VERSION failed"
  [[ -d $src ]] || die "ferretdb: module source not found after go mod download"
  rm -rf "$FERRETDB_HOME"
  mkdir -p "$FERRETDB_HOME/bin"
  cp -r "$src" "$FERRETDB_HOME/src"
  chmod -R u+w "$FERRETDB_HOME/src"
  echo "$FERRETDB_VERSION" >"$FERRETDB_HOME/src/build/version/version.txt"
  if ! (cd "$FERRETDB_HOME/src" && "$go" build -trimpath -o "$FERRETDB_HOME/bin/ferretdb" ./cmd/ferretdb) \
    >"$FERRETDB_HOME.build.log" 2>&1; then
    tail -n 30 "$FERRETDB_HOME.build.log" >&2
    die "ferretdb: go build failed (log: $FERRETDB_HOME.build.log)"
  fi
  rm -rf "$FERRETDB_HOME/src"
  touch "$FERRETDB_HOME/.complete"
  # The binary is all that is kept: the module and build caches would hold another 1 GB.
  rm -rf "$CACHE/go"
}

ferretdb_provision() { with_lock "$CACHE/.lock-ferretdb" ferretdb_build; }

ferretdb_launch() {
  local dir=$1 port
  port=$(port_file "$dir" port "${SLUICE_FERRETDB_PORT:-}")
  # The SQLite URL must name an existing directory and end in '/'.
  mkdir -p "$dir/data"
  launch_detached "$dir" "$FERRETDB_HOME/bin/ferretdb" --handler=sqlite \
    --sqlite-url="file:$dir/data/" --listen-addr="127.0.0.1:$port" --state-dir="$dir" \
    --debug-addr=- --telemetry=disable --log-level=warn
}

ferretdb_ready() { tcp_open 127.0.0.1 "$(cat "$1/port")"; }

ferretdb_value() { echo "mongodb://127.0.0.1:$(cat "$1/port")/"; }

ferretdb_probe() {
  local hp
  read -r -a hp <<<"$(host_port "$1")"
  tcp_open "${hp[0]}" "${hp[1]}"
}
