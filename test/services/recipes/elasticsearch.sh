# Elasticsearch: Elastic's integ-test-zip distribution from Maven Central (the full server with
# the transport and x-pack core/security modules, no bundled JDK). Single node, security off,
# 1 GiB heap, run as an unprivileged user because Elasticsearch refuses to run as root.

ES_HOME=$CACHE/elasticsearch-$ES_VERSION

elasticsearch_env_var() { echo ELASTICSEARCH_URL; }

elasticsearch_provision_zip() {
  [[ -f $ES_HOME/.complete ]] && return 0
  ensure_command unzip unzip
  local fetched=$CACHE/.elasticsearch-$ES_VERSION-zip
  maven_fetch "$fetched" "org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
  rm -rf "$ES_HOME" "$ES_HOME.tmp"
  mkdir -p "$ES_HOME.tmp"
  unzip -q "$fetched/lib/elasticsearch-$ES_VERSION.zip" -d "$ES_HOME.tmp"
  mv "$ES_HOME.tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
  rm -rf "$ES_HOME.tmp" "$fetched"
  chmod -R a+rX "$ES_HOME"
  touch "$ES_HOME/.complete"
}

# The user Elasticsearch runs as: the caller when not root, else a system user made once.
elasticsearch_user() {
  if [[ $(id -u) != 0 ]]; then id -un; return 0; fi
  if ! id "$ES_USER" >/dev/null 2>&1; then
    say "creating system user $ES_USER for Elasticsearch"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$ES_USER" 2>/dev/null || id "$ES_USER" >/dev/null 2>&1 ||
      die "elasticsearch: could not create user $ES_USER"
  fi
  echo "$ES_USER"
}

elasticsearch_provision() {
  ensure_command curl curl
  with_lock "$CACHE/.lock-elasticsearch" elasticsearch_provision_zip
  if [[ $(id -u) == 0 ]]; then
    with_lock "$CACHE/.lock-useradd" elasticsearch_user >/dev/null
    setpriv --reuid="$ES_USER" --regid="$ES_USER" --clear-groups test -r "$ES_HOME/lib" ||
      die "elasticsearch: user $ES_USER cannot read $ES_HOME (every parent directory must be world-readable)"
  fi
}

elasticsearch_launch() {
  local dir=$1 port tport user jdk
  port=$(port_file "$dir" port "${SLUICE_ELASTICSEARCH_PORT:-}")
  tport=$(port_file "$dir" port-transport "${SLUICE_ELASTICSEARCH_TRANSPORT_PORT:-}")
  user=$(elasticsearch_user)
  jdk=$(find_jdk 17)
  # A config directory per run: Elasticsearch writes its keystore next to its config, and the
  # cached distribution stays read-only.
  if [[ ! -f $dir/config/elasticsearch.yml.sluice ]]; then
    mkdir -p "$dir/config" "$dir/data" "$dir/logs" "$dir/tmp"
    cp -r "$ES_HOME/config/." "$dir/config/"
    cat >"$dir/config/elasticsearch.yml" <<EOF
cluster.name: sluice-test
node.name: sluice-test-node
discovery.type: single-node
network.host: 127.0.0.1
http.port: $port
transport.port: $tport
path.data: $dir/data
path.logs: $dir/logs
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
    printf -- '-Xms1g\n-Xmx1g\n' >"$dir/config/jvm.options.d/heap.options"
    touch "$dir/config/elasticsearch.yml.sluice"
  fi
  chown -R "$user" "$dir/config" "$dir/data" "$dir/logs" "$dir/tmp"
  local as_user=()
  [[ $(id -u) == 0 ]] && as_user=(setpriv --reuid="$user" --regid="$user" --clear-groups --reset-env)
  # The path.data setting on the command line puts the run directory into the command line,
  # which is how `running` recognises this process.
  launch_detached "$dir" "${as_user[@]}" env ES_JAVA_HOME="$jdk" ES_PATH_CONF="$dir/config" \
    ES_TMPDIR="$dir/tmp" PATH=/usr/local/bin:/usr/bin:/bin \
    "$ES_HOME/bin/elasticsearch" -Epath.data="$dir/data"
}

elasticsearch_ready() {
  curl -fsS -o /dev/null --max-time 5 \
    "http://127.0.0.1:$(cat "$1/port")/_cluster/health?wait_for_status=yellow&timeout=2s"
}

elasticsearch_value() { echo "http://127.0.0.1:$(cat "$1/port")"; }

elasticsearch_probe() { curl -fsS -o /dev/null --max-time 10 "${1%/}/_cluster/health"; }
