# Shared by the scripts in test/services (sourced, never run). Paths, versions, logging, ports,
# locks, detached processes and readiness waits; one recipe per service lives in recipes/.
# shellcheck disable=SC2034 # versions and paths here are used by the recipes sourced later
set -euo pipefail
umask 022 # caches and configs must stay readable by the Elasticsearch user

SERVICES_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVICE_NAMES=(kafka elasticsearch ferretdb mongo-oplog)

# Versions: the newest that resolved from the registries when this was written (README.md says
# why each one). Kafka's broker jars reach 4.4.0 on Maven Central, its tools and Connect only 4.3.1.
KAFKA_VERSION=${SLUICE_KAFKA_VERSION:-4.4.0}
KAFKA_TOOLS_VERSION=${SLUICE_KAFKA_TOOLS_VERSION:-4.3.1}
LOG4J_VERSION=${SLUICE_LOG4J_VERSION:-2.25.5}
ES_VERSION=${SLUICE_ES_VERSION:-8.19.21}
FERRETDB_VERSION=${SLUICE_FERRETDB_VERSION:-v1.24.2}
MONGO_JAVA_SERVER_VERSION=${SLUICE_MONGO_JAVA_SERVER_VERSION:-1.47.0}
SLF4J_VERSION=${SLUICE_SLF4J_VERSION:-2.0.17}

# Caches: root uses a system-wide directory that the unprivileged Elasticsearch user can read.
if [[ -z ${SLUICE_SERVICES_CACHE:-} ]]; then
  if [[ $(id -u) == 0 ]]; then SLUICE_SERVICES_CACHE=/var/cache/sluice-services
  else SLUICE_SERVICES_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/sluice-services; fi
fi
# Run state (pids, ports, logs, data), shared by the scripts and the vitest global setup.
if [[ -z ${SLUICE_SERVICES_RUN:-} ]]; then
  if [[ $(id -u) == 0 ]]; then SLUICE_SERVICES_RUN=/tmp/sluice-services
  else SLUICE_SERVICES_RUN=/tmp/sluice-services-$(id -u); fi
fi
CACHE=$SLUICE_SERVICES_CACHE
RUN=$SLUICE_SERVICES_RUN
ES_USER=${SLUICE_ES_USER:-sluice-es}
# Ports that belong to Sluice or to Kafka/Elasticsearch/MongoDB defaults: never picked.
RESERVED_PORTS=" 8081 8083 8088 9092 9093 9200 9300 27017 "

say() { printf 'services: %s\n' "$*" >&2; }
# die MESSAGE: the message also goes to $SERVICE_REASON_FILE when set (up reports it last).
die() {
  say "$*"
  [[ -z ${SERVICE_REASON_FILE:-} ]] || printf '%s\n' "$*" >"$SERVICE_REASON_FILE"
  exit 1
}

is_service() { local n; for n in "${SERVICE_NAMES[@]}"; do [[ $n == "$1" ]] && return 0; done; return 1; }
check_names() {
  local n
  for n in "$@"; do is_service "$n" || die "unknown service '$n' (known: ${SERVICE_NAMES[*]})"; done
}

# --- recipes -------------------------------------------------------------------------------------
# Each recipes/NAME.sh defines, with NAME's dashes as underscores (mongo-oplog -> mongo_oplog):
#   NAME_env_var            the environment variable that points at the service
#   NAME_provision          download/build what is missing into $CACHE (idempotent)
#   NAME_launch DIR         write configs and start the service detached (see launch_detached)
#   NAME_ready DIR          exit 0 once the service answers
#   NAME_value DIR          the value of NAME_env_var for the running service
#   NAME_probe VALUE        exit 0 if an already-running service at VALUE answers
fn_of() { printf '%s' "${1//-/_}"; }
# shellcheck source=/dev/null
load_recipe() { source "$SERVICES_HOME/recipes/$1.sh"; }

# --- tools and provisioning ----------------------------------------------------------------------
run_dir_for() { printf '%s/%s' "$RUN" "$1"; }

need_cache_writable() {
  { mkdir -p "$CACHE" 2>/dev/null && [[ -w $CACHE ]]; } ||
    die "cache $CACHE is not writable; set SLUICE_SERVICES_CACHE to a directory you own"
  chmod 755 "$CACHE" 2>/dev/null || true
}

# with_lock FILE CMD...: run CMD holding an exclusive lock on FILE (fd 8, closed for children
# started detached).
with_lock() {
  local file=$1; shift
  mkdir -p "$(dirname "$file")"
  ( flock 8; "$@" ) 8>"$file"
}

apt_install() {
  [[ $(id -u) == 0 ]] || die "need Debian packages '$*' but not root: install them with apt-get"
  local log=$CACHE/apt.log
  say "installing Debian packages: $* (log: $log)"
  export DEBIAN_FRONTEND=noninteractive
  local opts=(-y -q -o DPkg::Lock::Timeout=300 --no-install-recommends)
  # A fresh machine has no package lists yet; update once when the first attempt fails.
  apt-get install "${opts[@]}" "$@" >"$log" 2>&1 ||
    { apt-get update -q -o DPkg::Lock::Timeout=300 >>"$log" 2>&1 && apt-get install "${opts[@]}" "$@" >>"$log" 2>&1; } ||
    { tail -n 20 "$log" >&2; die "apt-get install $* failed (log: $log)"; }
}

ensure_command() { # ensure_command CMD DEBIAN_PACKAGE
  command -v "$1" >/dev/null 2>&1 || with_lock "$CACHE/.lock-apt" apt_install "$2"
  command -v "$1" >/dev/null 2>&1 || die "'$1' is still missing after installing $2"
}

java_feature_version() { # JAVA_HOME -> 17, 21, 25...
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

# find_jdk MIN: prints a JDK home (with javac, needed for single-file source launch) whose version
# is at least MIN. Looks at SLUICE_JAVA_HOME, JAVA_HOME, the java on PATH, then /usr/lib/jvm/*;
# installs Debian's openjdk-17 when none fits.
find_jdk() {
  local min=$1 candidates=() home v
  [[ -n ${SLUICE_JAVA_HOME:-} ]] && candidates+=("$SLUICE_JAVA_HOME")
  [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for home in /usr/lib/jvm/*; do [[ -L $home ]] || candidates+=("$home"); done
  for home in "${candidates[@]}"; do
    [[ -x $home/bin/java && -x $home/bin/javac ]] || continue
    v=$(java_feature_version "$home")
    if [[ -n $v && $v -ge $min ]]; then printf '%s' "$home"; return 0; fi
  done
  (( min <= 17 )) || die "no JDK >= $min found (set SLUICE_JAVA_HOME)"
  with_lock "$CACHE/.lock-apt" apt_install openjdk-17-jdk-headless
  home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  [[ -x $home/bin/java ]] || die "openjdk-17 installed but no JDK found"
  printf '%s' "$home"
}

# maven_fetch DEST G:A:V[:TYPE]...: copies the artifacts and their runtime dependencies into
# DEST/lib through a throwaway pom (the Maven repository lives in the cache too).
maven_fetch() {
  local dest=$1; shift
  ensure_command mvn maven
  local work deps="" coord g a v t
  work=$(mktemp -d "$CACHE/.maven-XXXXXX")
  for coord in "$@"; do
    IFS=: read -r g a v t <<<"$coord"
    deps+="<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version>${t:+<type>$t</type>}</dependency>"
  done
  cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.sluice.services</groupId><artifactId>fetch</artifactId><version>0</version>
  <packaging>pom</packaging>
  <dependencies>$deps</dependencies>
</project>
EOF
  say "maven: fetching $* (log: $work/maven.log)"
  if ! with_lock "$CACHE/.lock-maven" mvn -B -f "$work/pom.xml" -Dmaven.repo.local="$CACHE/m2" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$work/lib" >"$work/maven.log" 2>&1; then
    grep -E 'ERROR|FAIL' "$work/maven.log" | head -20 >&2
    die "maven could not fetch $* (full log: $work/maven.log)"
  fi
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  mv "$work" "$dest"
}

# --- ports ---------------------------------------------------------------------------------------
port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Htln "sport = :$1" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# pick_port: a free port below the Linux ephemeral range (so no outgoing connection takes it
# later), not reserved, and not already handed to another service of this run directory.
pick_port() {
  local p
  for _ in $(seq 500); do
    p=$((20000 + RANDOM % 12000))
    [[ $RESERVED_PORTS == *" $p "* ]] && continue
    cat "$RUN"/*/port* 2>/dev/null | grep -qx "$p" && continue
    port_in_use "$p" && continue
    printf '%s' "$p"; return 0
  done
  die "no free port found"
}

# port_file DIR NAME OVERRIDE: the port kept in DIR/NAME (so stop/start keep the address),
# chosen now from OVERRIDE or pick_port the first time.
port_file() {
  local dir=$1 name=$2 override=$3
  if [[ ! -s $dir/$name ]]; then
    if [[ -n $override ]]; then
      echo "$override" >"$dir/$name"
    else
      # Pick and record under one lock, so services starting in parallel never share a port.
      exec 7>"$RUN/.lock-ports"
      flock 7
      local p
      p=$(pick_port)
      echo "$p" >"$dir/$name"
      exec 7>&-
    fi
  fi
  cat "$dir/$name"
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# host_port URL -> "host port" (for mongodb://h:p/..., http://h:p, h:p)
host_port() {
  local rest=${1#*://}
  rest=${rest#*@}
  rest=${rest%%[/?,]*}
  printf '%s %s' "${rest%:*}" "${rest##*:}"
}

# --- processes -----------------------------------------------------------------------------------
# launch_detached DIR CMD...: runs CMD in a new session (its own process group), stdin from
# /dev/null, stdout and stderr appended to DIR/log, lock descriptors closed, so that nothing
# holds the caller's pipes open. DIR/pid gets the group id.
launch_detached() {
  local dir=$1; shift
  rm -f "$dir/pid"
  touch "$dir/log"
  wc -l <"$dir/log" >"$dir/log-start"
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  setsid bash -c 'cd "$0" && echo $$ >pid && exec "$@"' "$dir" "$@" </dev/null >>"$dir/log" 2>&1 6>&- 7>&- 8>&- 9>&- &
  for _ in $(seq 50); do [[ -s $dir/pid ]] && return 0; sleep 0.1; done
  die "$(basename "$dir"): process did not start"
}

# log_since_start DIR: the log lines written since the last launch_detached.
log_since_start() { tail -n +"$(($(cat "$1/log-start" 2>/dev/null || echo 0) + 1))" "$1/log"; }

group_alive() { [[ -n ${1:-} ]] && kill -0 -- "-$1" 2>/dev/null; }

# running DIR: the service's process group is alive. The group leader's command line must name
# DIR, so a reused pid never passes for the service.
running() {
  local dir=$1 pid
  pid=$(cat "$dir/pid" 2>/dev/null) || return 1
  group_alive "$pid" || return 1
  [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir"
}

# stop_group DIR: SIGTERM to the whole group, SIGKILL after the grace period; no orphans left.
stop_group() {
  local dir=$1 pid grace=${SLUICE_SERVICES_STOP_GRACE:-30}
  pid=$(cat "$dir/pid" 2>/dev/null) || return 0
  if group_alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq $((grace * 10))); do group_alive "$pid" || break; sleep 0.1; done
    if group_alive "$pid"; then
      say "$(basename "$dir"): still running after ${grace}s, killing"
      kill -KILL -- "-$pid" 2>/dev/null || true
      for _ in $(seq 50); do group_alive "$pid" || break; sleep 0.1; done
    fi
  fi
  rm -f "$dir/pid"
}

# wait_ready NAME DIR [REUSED]: polls NAME_ready until it passes, the process dies, or the
# timeout. A reused service (REUSED=1) that does not answer is reported but left running: it may
# be another run's.
wait_ready() {
  local name=$1 dir=$2 reused=${3:-0} fn timeout waited=0
  fn=$(fn_of "$name")
  timeout=${SLUICE_SERVICES_TIMEOUT:-180}
  while ! "${fn}_ready" "$dir" 2>/dev/null; do
    if ! running "$dir"; then
      fail_with_log "$name" "$dir" "the process exited before it was ready"
    fi
    if ((waited >= timeout * 2)); then
      ((reused == 0)) || die "$name is running (reused) but not ready after ${timeout}s (log: $dir/log)"
      fail_with_log "$name" "$dir" "not ready after ${timeout}s (SLUICE_SERVICES_TIMEOUT)"
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

fail_with_log() {
  local name=$1 dir=$2 reason=$3
  say "---- last lines of $dir/log ----"
  log_since_start "$dir" 2>/dev/null | tail -n 60 >&2 || true
  say "---- end of log ----"
  stop_group "$dir"
  die "$name failed to start: $reason (log: $dir/log)"
}

# --- one service ---------------------------------------------------------------------------------
# service_up NAME: reuse, start or restart NAME; prints its `export VAR='value'` line.
service_up() {
  local name=$1 fn var dir value
  fn=$(fn_of "$name")
  load_recipe "$name"
  var=$("${fn}_env_var")
  if [[ -n ${!var:-} ]]; then
    "${fn}_probe" "${!var}" || die "$name: $var=${!var} is set but nothing answers there"
    say "$name: using the running service at $var=${!var}"
    printf "export %s='%s'\n" "$var" "${!var}"
    return 0
  fi
  dir=$(run_dir_for "$name")
  mkdir -p "$dir"
  [[ -z ${SERVICE_LEASE:-} ]] || lease_add "$SERVICE_LEASE" "$name"
  exec 9>"$RUN/.lock-$name"
  flock 9
  local reused=0
  if running "$dir"; then
    say "$name: already running, reusing it"
    reused=1
  else
    need_cache_writable
    "${fn}_provision"
    say "$name: starting (log: $dir/log)"
    # Started for a lease: stopped again when the last lease that uses it is released. A restart
    # (`start` after `stop`) keeps the mark.
    [[ -z ${SERVICE_LEASE:-} ]] || touch "$dir/leased"
    "${fn}_launch" "$dir"
  fi
  wait_ready "$name" "$dir" "$reused"
  value=$("${fn}_value" "$dir")
  say "$name: ready at $value"
  printf "export %s='%s'\n" "$var" "$value"
  exec 9>&-
}

service_stop() {
  local name=$1 dir
  dir=$(run_dir_for "$name")
  [[ -d $dir ]] || return 0
  mkdir -p "$RUN"
  exec 9>"$RUN/.lock-$name"
  flock 9
  if running "$dir"; then say "$name: stopping"; fi
  stop_group "$dir"
  exec 9>&-
}

# --- leases --------------------------------------------------------------------------------------
# Test runs (the vitest global setup) take a lease, named by their process id, on the services
# they use: `up --lease ID` and `down --release ID`. A service that a lease started stops when the
# last live lease naming it is released, so concurrent runs on one machine share services without
# stopping them under each other; a lease whose process died counts as released. Services started
# without a lease (by a person, by CI) are never stopped by a release.
LEASES=$RUN/.leases

with_leases_lock() { mkdir -p "$LEASES" && ( flock 6; "$@" ) 6>"$RUN/.lock-leases"; }

lease_add() { with_leases_lock lease_add_locked "$@"; }
lease_add_locked() { echo "$2" >>"$LEASES/$1"; }

lease_in_use() { # NAME: some live lease names it (dead leases are removed on the way)
  local file pid
  for file in "$LEASES"/*; do
    [[ -f $file ]] || continue
    pid=$(basename "$file")
    if [[ ! -d /proc/$pid ]]; then rm -f "$file"; continue; fi
    grep -qx -- "$1" "$file" && return 0
  done
  return 1
}

# lease_release ID KEEP: drops lease ID; with KEEP=1 its services lose their lease mark (they stay
# running like ones a person started), otherwise leased services no live lease uses are stopped
# and deleted.
lease_release() { with_leases_lock lease_release_locked "$@"; }
lease_release_locked() {
  local id=$1 keep=$2 n dir
  if [[ $keep == 1 && -f $LEASES/$id ]]; then
    while read -r n; do rm -f "$(run_dir_for "$n")/leased"; done <"$LEASES/$id"
  fi
  rm -f "$LEASES/$id"
  for n in "${SERVICE_NAMES[@]}"; do
    dir=$(run_dir_for "$n")
    [[ -f $dir/leased ]] || continue
    lease_in_use "$n" && continue
    service_stop "$n"
    rm -rf "$dir"
  done
}
