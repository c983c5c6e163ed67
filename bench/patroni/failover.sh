#!/usr/bin/env bash
# On-demand failover test against a Patroni-managed cluster on 127.0.0.1 (not part of mvn verify):
# one etcd, two Patroni nodes (PostgreSQL 15, synchronous_mode), the money-transfer workload of
# io.lsem.bench.FailoverWorkload through a two-host jdbc:lsem: URL, and three faults in turn:
#   1. a Patroni switchover;
#   2. kill -9 of the leader's postmaster (Patroni restarts it, it stays the leader);
#   3. kill -9 of the leader's Patroni and of its postmaster (the standby takes over after ttl).
# Each prints the committed transfers, the exceptions that reached the application (must be 0),
# the exactly-once and total checks. Needs: apt-get install patroni etcd-server postgresql-15,
# and bench/target/benchmarks.jar (mvn -B -q -pl bench -am package -DskipTests). Run as root
# (servers run as the postgres user). Everything it starts is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=bench/target/benchmarks.jar
DIR=$(mktemp -d /dev/shm/lsem-patroni.XXXXXX)
chown postgres "$DIR"
BIN=${LSEM_PG_BIN:-/usr/lib/postgresql/15/bin}
ETCD=2479
PG=(5601 5602)
API=(8108 8109)

cleanup() {
  pkill -9 -f "patroni $DIR/" 2>/dev/null || true
  for n in 0 1; do
    [ -f "$DIR/node$n/postmaster.pid" ] && kill -9 "$(head -1 "$DIR/node$n/postmaster.pid")" 2>/dev/null || true
  done
  pkill -9 -f "etcd --name lsem-e0" 2>/dev/null || true
  sleep 1
  pkill -9 -f "postgres: lsem-pt" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

for n in 0 1; do
  cat > "$DIR/node$n.yml" <<YML
scope: lsem-pt
name: node$n
restapi: {listen: 127.0.0.1:${API[$n]}, connect_address: 127.0.0.1:${API[$n]}}
etcd3: {hosts: 127.0.0.1:$ETCD}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 5
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters: {fsync: 'off', wal_log_hints: 'on'}
  initdb: [{encoding: UTF8}]
  pg_hba: ['local all all trust', 'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust']
postgresql:
  listen: 127.0.0.1:${PG[$n]}
  connect_address: 127.0.0.1:${PG[$n]}
  data_dir: $DIR/node$n
  bin_dir: $BIN
  pgpass: $DIR/pgpass$n
  authentication:
    superuser: {username: postgres, password: unused}
    replication: {username: postgres, password: unused}
    rewind: {username: postgres, password: unused}
  parameters: {unix_socket_directories: '$DIR', cluster_name: lsem-pt}
YML
done
chown postgres "$DIR"/*.yml

runuser -u postgres -- etcd --name lsem-e0 --data-dir "$DIR/etcd" \
  --listen-client-urls http://127.0.0.1:$ETCD --advertise-client-urls http://127.0.0.1:$ETCD \
  --listen-peer-urls http://127.0.0.1:$((ETCD + 1)) --initial-advertise-peer-urls http://127.0.0.1:$((ETCD + 1)) \
  --initial-cluster lsem-e0=http://127.0.0.1:$((ETCD + 1)) > "$DIR/etcd.log" 2>&1 &
for n in 0 1; do
  runuser -u postgres -- patroni "$DIR/node$n.yml" > "$DIR/node$n.log" 2>&1 &
done

# Polls the cluster state until a leader and a streaming synchronous standby exist (60 s at most).
await_cluster() {
  for _ in $(seq 1 600); do
    if curl -s "127.0.0.1:${API[0]}/cluster" 2>/dev/null | grep -q '"role": "sync_standby", "state": "streaming"\|"role": "sync_standby", "state": "running"'; then
      curl -s "127.0.0.1:${API[0]}/cluster"; echo
      return 0
    fi
    sleep 0.1
  done
  echo "no leader with a synchronous standby within 60 s" >&2
  return 1
}
leader() {
  curl -s "127.0.0.1:${API[0]}/cluster" | python3 -c 'import json,sys; print([m["name"] for m in json.load(sys.stdin)["members"] if m["role"]=="leader"][0])'
}

URL="jdbc:lsem:postgresql://127.0.0.1:${PG[0]},127.0.0.1:${PG[1]}/postgres"
run() {
  echo "== $1"
  java -cp "$JAR" io.lsem.bench.FailoverWorkload "$URL" postgres "$2" 5 "$3" 2>&1 | grep -v "DEBUG\|^\s*at " | tail -5
}

await_cluster
L=$(leader); O=$([ "$L" = node0 ] && echo node1 || echo node0)
run "switchover $L -> $O" 20 "curl -s -XPOST -d '{\"leader\":\"$L\",\"candidate\":\"$O\"}' http://127.0.0.1:${API[0]}/switchover; echo"
await_cluster
L=$(leader)
run "kill -9 of the leader's postmaster ($L)" 25 "kill -9 $(head -1 "$DIR/$L/postmaster.pid")"
await_cluster
L=$(leader)
P=$(pgrep -f "patroni $DIR/$L.yml" | grep -v "^$$\$" | tail -1)
run "kill -9 of the leader's Patroni and postmaster ($L)" 40 "kill -9 $P $(head -1 "$DIR/$L/postmaster.pid")"
