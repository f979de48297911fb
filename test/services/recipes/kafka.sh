# Apache Kafka: one KRaft node (broker and controller in one JVM) from Maven Central jars.
# The broker classpath (kafka_2.13) and the tools classpath (kafka-tools, Connect) are separate
# because Central carries the broker at a newer version than the tools.

KAFKA_LIB=$CACHE/kafka-$KAFKA_VERSION/lib
# shellcheck disable=SC2034 # used by kafka-tool
KAFKA_TOOLS_LIB=$CACHE/kafka-tools-$KAFKA_TOOLS_VERSION/lib

kafka_env_var() { echo KAFKA_BOOTSTRAP; }

# The POMs bring log4j-api/core and slf4j-api 1.7 but no binding between them; without
# log4j-slf4j-impl every Kafka log line would be dropped.
kafka_log4j_deps() {
  echo "org.apache.logging.log4j:log4j-api:$LOG4J_VERSION" \
    "org.apache.logging.log4j:log4j-core:$LOG4J_VERSION" \
    "org.apache.logging.log4j:log4j-slf4j-impl:$LOG4J_VERSION"
}

kafka_provision_broker() {
  [[ -f $CACHE/kafka-$KAFKA_VERSION/.complete ]] && return 0
  # shellcheck disable=SC2046
  maven_fetch "$CACHE/kafka-$KAFKA_VERSION" "org.apache.kafka:kafka_2.13:$KAFKA_VERSION" $(kafka_log4j_deps)
  touch "$CACHE/kafka-$KAFKA_VERSION/.complete"
}

kafka_provision_tools() {
  [[ -f $CACHE/kafka-tools-$KAFKA_TOOLS_VERSION/.complete ]] && return 0
  # shellcheck disable=SC2046
  maven_fetch "$CACHE/kafka-tools-$KAFKA_TOOLS_VERSION" \
    "org.apache.kafka:kafka-tools:$KAFKA_TOOLS_VERSION" \
    "org.apache.kafka:connect-runtime:$KAFKA_TOOLS_VERSION" \
    "org.apache.kafka:connect-file:$KAFKA_TOOLS_VERSION" \
    "org.apache.kafka:connect-json:$KAFKA_TOOLS_VERSION" \
    "org.apache.kafka:connect-transforms:$KAFKA_TOOLS_VERSION" \
    $(kafka_log4j_deps)
  touch "$CACHE/kafka-tools-$KAFKA_TOOLS_VERSION/.complete"
}

kafka_provision() {
  ensure_command kcat kcat
  with_lock "$CACHE/.lock-kafka" kafka_provision_broker
  with_lock "$CACHE/.lock-kafka-tools" kafka_provision_tools
}

kafka_launch() {
  local dir=$1 port cport java
  port=$(port_file "$dir" port "${SLUICE_KAFKA_PORT:-}")
  cport=$(port_file "$dir" port-controller "${SLUICE_KAFKA_CONTROLLER_PORT:-}")
  java=$(find_jdk 17)/bin/java
  mkdir -p "$dir/data"
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  if [[ ! -f $dir/data/meta.properties ]]; then
    # A cluster id is 16 random bytes in URL-safe base64 without padding, as kafka-storage
    # random-uuid prints; making it here saves one JVM start.
    local cluster_id
    cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    "$java" -Xmx256m -Dlog4j2.configurationFile="$SERVICES_HOME/config/log4j2-tools.xml" \
      -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$dir/server.properties" >"$dir/format.log" 2>&1 ||
      { cat "$dir/format.log" >&2; die "kafka failed to start: kafka-storage format failed"; }
  fi
  launch_detached "$dir" "$java" -Xms512m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$SERVICES_HOME/config/log4j2-broker.xml" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$dir/server.properties"
}

# Ready once the broker answers a metadata request listing itself (kcat comes with the service);
# without kcat, once it logged its start (after the controller quorum formed and the broker
# registered) and its listener accepts connections.
kafka_ready() {
  local dir=$1 port
  port=$(cat "$dir/port")
  if command -v kcat >/dev/null 2>&1; then
    kcat -b "127.0.0.1:$port" -L -m 5 2>/dev/null | grep -q "broker 1 at 127.0.0.1:$port"
  else
    tcp_open 127.0.0.1 "$port" && log_since_start "$dir" | grep -q 'Kafka Server started'
  fi
}

kafka_value() { echo "127.0.0.1:$(cat "$1/port")"; }

kafka_probe() { # host:port[,host:port...] -> the first one must accept connections
  local first=${1%%,*}
  tcp_open "${first%:*}" "${first##*:}"
}
