#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft) on loopback, from Kafka's own jars on Maven
# Central. Idempotent: `start` returns once the broker accepts connections (or when it already
# does); `stop` stops it. Logs and data live under $ARBITER_DATA_DIR/kafka.
#
#   infra/kafka/kafka.sh start|stop|status
#   KAFKA_PORT (default 9092), KAFKA_CONTROLLER_PORT (default KAFKA_PORT + 1), ARBITER_DATA_DIR (default ./data)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-$((port + 1))}
data_dir=${ARBITER_DATA_DIR:-$root/data}
mkdir -p "$data_dir"
dir=$(cd "$data_dir" && pwd)/kafka
pid_file=$dir/broker.pid

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
running() { [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

classpath() {
  local cp_file=$dir/classpath.txt
  if [ ! -s "$cp_file" ] || [ "$here/pom.xml" -nt "$cp_file" ]; then
    echo "kafka: resolving Apache Kafka's jars with Maven…" >&2
    mvn -q -B -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file" >&2
  fi
  cat "$cp_file"
}

start() {
  if running && listening; then
    echo "kafka: already running on 127.0.0.1:$port (pid $(cat "$pid_file"))"
    return 0
  fi
  if listening; then
    echo "kafka: 127.0.0.1:$port is taken by another process; set KAFKA_PORT" >&2
    return 1
  fi
  mkdir -p "$dir"
  local cp
  cp=$(classpath)
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/logs
num.partitions=4
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=1
PROPS
  if [ ! -f "$dir/logs/meta.properties" ]; then
    local cluster_id
    cluster_id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid)
    java -cp "$cp" -Dlog4j2.configurationFile="$here/log4j2.xml" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" > "$dir/format.log" 2>&1 \
      || { cat "$dir/format.log" >&2; return 1; }
  fi
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -cp "$cp" -Dlog4j2.configurationFile="$here/log4j2.xml" \
    kafka.Kafka "$dir/server.properties" > "$dir/broker.log" 2>&1 9>&- &
  echo $! > "$pid_file"
  for _ in $(seq 1 120); do
    if listening; then
      echo "kafka: broker running on 127.0.0.1:$port (pid $(cat "$pid_file"); logs in $dir/broker.log)"
      return 0
    fi
    if ! running; then
      echo "kafka: the broker exited while starting:" >&2
      tail -n 30 "$dir/broker.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "kafka: the broker did not accept connections within 60 s; see $dir/broker.log" >&2
  return 1
}

stop() {
  if ! running; then
    echo "kafka: not running"
    rm -f "$pid_file"
    return 0
  fi
  local pid
  pid=$(cat "$pid_file")
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; echo "kafka: stopped"; return 0; }
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pid_file"
  echo "kafka: killed after 30 s"
}

status() {
  if running && listening; then echo "kafka: running on 127.0.0.1:$port (pid $(cat "$pid_file"))"; else echo "kafka: not running"; return 1; fi
}

# Concurrent starts (parallel test runs) queue up behind one lock: the first starts, the rest find it running.
with_lock() {
  mkdir -p "$dir"
  exec 9>"$dir/.lock"
  flock -w 180 9
  "$@"
}

case "${1:-}" in
  start) with_lock start ;;
  stop) with_lock stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
