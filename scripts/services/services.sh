#!/usr/bin/env bash
# Local Kafka (single KRaft broker+controller) and Apicurio Registry for datagen's tests, demo and bench.
# Everything comes from Maven Central through mvn; state, logs and pids live in .services/ (git-ignored).
#   scripts/services/services.sh up|down|status
#   Kafka     PLAINTEXT      127.0.0.1:9092
#             SASL_PLAINTEXT 127.0.0.1:9094  (PLAIN and SCRAM-SHA-256; user datagen / datagen-secret)
#   Registry  http://127.0.0.1:8081/apis/ccompat/v7  (Confluent-compatible API, in memory)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${DATAGEN_SERVICES_DIR:-$ROOT/.services}"
KAFKA_DIR="$STATE/kafka"
REG_DIR="$STATE/registry"
APICURIO_VERSION="$(sed -n 's:.*<apicurio.version>\(.*\)</apicurio.version>.*:\1:p' "$HERE/pom.xml")"
M2="${MAVEN_REPO:-$HOME/.m2/repository}"

log() { printf 'services: %s\n' "$*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # name, seconds, command...
  local name=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 2))); do
    if "$@"; then return 0; fi
    sleep 0.5
  done
  log "$name did not become ready in ${secs}s; see its log under $STATE"
  return 1
}

kafka_classpath() {
  local cp="$STATE/kafka.classpath"
  if [ ! -s "$cp" ] || [ "$HERE/pom.xml" -nt "$cp" ]; then
    log "resolving Kafka from Maven Central (first run only)"
    mkdir -p "$STATE"
    (cd "$HERE" && mvn -q -B dependency:build-classpath -Dmdep.outputFile="$cp" >&2)
  fi
  cat "$cp"
}

kafka_up() {
  if alive "$KAFKA_DIR/pid" && port_open 9092; then log "kafka already running"; return 0; fi
  if port_open 9092; then log "port 9092 is taken by another process"; return 1; fi
  local cp; cp="$(kafka_classpath)"
  mkdir -p "$KAFKA_DIR"
  cat > "$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093,SASL_PLAINTEXT://127.0.0.1:9094
advertised.listeners=PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9094
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_datagen="datagen-secret";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
log.dirs=$KAFKA_DIR/data
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.flush.interval.ms=1000
PROPS
  cat > "$KAFKA_DIR/log4j2.properties" <<'PROPS'
rootLogger.level=INFO
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=WARN
logger.apache.name=org.apache.kafka
logger.apache.level=WARN
logger.server.name=kafka.server.KafkaRaftServer
logger.server.level=INFO
PROPS
  local java_opts=(-Xms256m -Xmx1g -XX:+UseG1GC -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" -cp "$cp")
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    local id; id="$(java "${java_opts[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
    java "${java_opts[@]}" kafka.tools.StorageTool format -t "$id" -c "$KAFKA_DIR/server.properties" \
      --add-scram 'SCRAM-SHA-256=[name=datagen,password=datagen-secret]' > "$KAFKA_DIR/format.log" 2>&1 \
      || { log "formatting Kafka storage failed:"; cat "$KAFKA_DIR/format.log" >&2; return 1; }
  fi
  log "starting kafka (log: $KAFKA_DIR/kafka.log)"
  nohup java "${java_opts[@]}" kafka.Kafka "$KAFKA_DIR/server.properties" > "$KAFKA_DIR/kafka.log" 2>&1 &
  echo $! > "$KAFKA_DIR/pid"
  wait_for kafka 90 kafka_ready
}

kafka_ready() {
  alive "$KAFKA_DIR/pid" || { log "kafka exited; last lines of its log:"; tail -20 "$KAFKA_DIR/kafka.log" >&2; exit 1; }
  port_open 9092 && port_open 9094 && grep -q "Kafka Server started" "$KAFKA_DIR/kafka.log"
}

registry_jar() {
  local tgz="$M2/io/apicurio/apicurio-registry-app/$APICURIO_VERSION/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz"
  if [ ! -f "$tgz" ]; then
    log "fetching Apicurio Registry $APICURIO_VERSION from Maven Central (first run only)"
    mvn -q -B dependency:get -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" -Dtransitive=false >&2
  fi
  local dist="$REG_DIR/dist-$APICURIO_VERSION"
  if [ ! -d "$dist" ]; then
    mkdir -p "$dist"
    tar xzf "$tgz" -C "$dist"
  fi
  # The launcher differs between 3.x releases: quarkus-app/quarkus-run.jar (fast-jar) or *-runner.jar (legacy-jar).
  find "$dist" \( -name quarkus-run.jar -o -name '*-runner.jar' \) | head -1
}

registry_up() {
  if alive "$REG_DIR/pid" && registry_ready; then log "registry already running"; return 0; fi
  if port_open 8081; then log "port 8081 is taken by another process"; return 1; fi
  mkdir -p "$REG_DIR"
  local jar; jar="$(registry_jar)"
  [ -n "$jar" ] || { log "no launcher jar found in the Apicurio distribution"; return 1; }
  log "starting apicurio registry (log: $REG_DIR/registry.log)"
  # exec: the background job *is* java, so the pid file names the process to stop.
  (cd "$(dirname "$jar")" && exec nohup java -Xms128m -Xmx512m \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=8081 \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=h2 \
    -Dquarkus.log.level=WARN \
    -jar "$(basename "$jar")" > "$REG_DIR/registry.log" 2>&1) &
  echo $! > "$REG_DIR/pid"
  wait_for registry 120 registry_ready_or_die
}

registry_ready() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8081/apis/ccompat/v7/subjects 2>/dev/null)" = 200 ]
}
registry_ready_or_die() {
  alive "$REG_DIR/pid" || { log "registry exited; last lines of its log:"; tail -20 "$REG_DIR/registry.log" >&2; exit 1; }
  registry_ready
}

stop() { # name, pidfile
  if alive "$2"; then
    local pid; pid="$(cat "$2")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    log "$1 stopped"
  else
    log "$1 not running"
  fi
  rm -f "$2"
}

status() {
  local rc=0
  if alive "$KAFKA_DIR/pid" && port_open 9092; then echo "kafka     up    pid $(cat "$KAFKA_DIR/pid")  PLAINTEXT 127.0.0.1:9092  SASL_PLAINTEXT 127.0.0.1:9094"; else echo "kafka     down"; rc=1; fi
  if alive "$REG_DIR/pid" && registry_ready; then echo "registry  up    pid $(cat "$REG_DIR/pid")  http://127.0.0.1:8081/apis/ccompat/v7"; else echo "registry  down"; rc=1; fi
  return $rc
}

case "${1:-}" in
  up) kafka_up; registry_up; status ;;
  down) stop registry "$REG_DIR/pid"; stop kafka "$KAFKA_DIR/pid" ;;
  kafka-down) stop kafka "$KAFKA_DIR/pid" ;;
  kafka-up) kafka_up ;;
  reset) stop registry "$REG_DIR/pid"; stop kafka "$KAFKA_DIR/pid"; rm -rf "$KAFKA_DIR/data" ;;
  status) status ;;
  *) echo "usage: $0 up|down|status|reset|kafka-up|kafka-down" >&2; exit 2 ;;
esac
