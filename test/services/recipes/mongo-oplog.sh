# mongo-java-server (Maven Central) with its oplog enabled, for MongoDB change streams, through
# launchers/MongoOplogServer.java run as a single-file source program. Data and oplog live in an
# H2 file in the run directory, so `stop`/`start` keep them.

MONGO_JAVA_SERVER_LIB=$CACHE/mongo-java-server-$MONGO_JAVA_SERVER_VERSION/lib

mongo_oplog_env_var() { echo MONGODB_CHANGESTREAM_URL; }

mongo_oplog_fetch() {
  [[ -f $CACHE/mongo-java-server-$MONGO_JAVA_SERVER_VERSION/.complete ]] && return 0
  maven_fetch "$CACHE/mongo-java-server-$MONGO_JAVA_SERVER_VERSION" \
    "de.bwaldvogel:mongo-java-server:$MONGO_JAVA_SERVER_VERSION" \
    "de.bwaldvogel:mongo-java-server-h2-backend:$MONGO_JAVA_SERVER_VERSION" \
    "org.slf4j:slf4j-simple:$SLF4J_VERSION"
  touch "$CACHE/mongo-java-server-$MONGO_JAVA_SERVER_VERSION/.complete"
}

mongo_oplog_provision() { with_lock "$CACHE/.lock-mongo-java-server" mongo_oplog_fetch; }

mongo_oplog_launch() {
  local dir=$1 port java
  port=$(port_file "$dir" port "${SLUICE_MONGO_OPLOG_PORT:-}")
  java=$(find_jdk 17)/bin/java
  mkdir -p "$dir/data"
  launch_detached "$dir" "$java" -Xmx256m -XX:+UseSerialGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$MONGO_JAVA_SERVER_LIB/*" "$SERVICES_HOME/launchers/MongoOplogServer.java" \
    127.0.0.1 "$port" "$dir/data/mongo.h2"
}

mongo_oplog_ready() { tcp_open 127.0.0.1 "$(cat "$1/port")"; }

mongo_oplog_value() { echo "mongodb://127.0.0.1:$(cat "$1/port")/"; }

mongo_oplog_probe() {
  local hp
  read -r -a hp <<<"$(host_port "$1")"
  tcp_open "${hp[0]}" "${hp[1]}"
}
