#!/usr/bin/env bash
# Protocol Lab benchmarks: one entry point that starts what a scenario needs, warms up, measures, and
# writes a Markdown summary, a TSV of every figure, gnuplot charts and the raw tool output to
# load-tests/results/<run id>/ (load-tests/results/latest points at the newest run).
#
#   load-tests/bench.sh [scenario ...]      default: gateway grpc nagle longpoll startup
#
#   gateway   1. GET /api/orders/{id} direct vs nginx vs gateway: wrk (h1) and h2load (h2c) maximum
#                throughput, Gatling fixed-rate latency at half the direct maximum
#   grpc      2. the same GetOrder over REST h1, REST h2c and gRPC unary, direct and through the gateway
#   fanout    3. N WebSocket and N SSE subscribers of stream-service's one-per-second metrics topic
#   e2e       4. order created through the gateway -> its WebSocket notification, at fixed rates
#   longpoll  5. N parked long polls on order-service (virtual threads) and notification-service
#   startup   6. start-up time and RSS per service, with and without the JDK 25 AOT cache
#   idle      6b. the whole suite (bin/suite up) at idle: RSS of every JVM it starts, summed
#   nagle     issue 10: TCP_NODELAY on/off with small writes (loopback pair, and a real HTTP server)
#   tuning    before/after figures for tuned knobs (nginx upstream keep-alive)
#   gateway-ab  two gateway builds (BENCH_GATEWAY_JAR_A and the built one) side by side, measured alternately
#   journeys  Gatling mixed journeys through the gateway: place + watch (poll, long poll, SSE, WebSocket),
#             browse with ETag/304, a steady SSE/WebSocket audience on stream-service
#   all       every scenario above
#
# Scenarios 1, 2, 5, 6 and Nagle start copies of the built jars (*/target) on free ports: their own gateway
# (rate limits raised) in front of their own order-service (database orders_bench), so nothing else's
# traffic or limits are measured; BENCH_ORDER_SERVICE=suite measures a running bin/suite instead.
# Scenario 3 starts its own stream-service; 3 and 4 need a gateway for tokens (the running suite's at
# BENCH_GATEWAY), and 4 needs the running suite; each says so and is skipped when it cannot run. Knobs (environment):
#   BENCH_DURATION (15 s per measurement)  BENCH_WARMUP (5 s)  BENCH_CONNECTIONS (32 requests in flight)
#   BENCH_FANOUT_CLIENTS ("1000 5000 10000 max")  BENCH_E2E_RATES ("50 100 200")  BENCH_E2E_USERS (1: orders spread over N users)
#   BENCH_LONGPOLL_CLIENTS ("1000 5000 10000")  BENCH_GATEWAY (http://127.0.0.1:8080)
#   BENCH_JIT_WARMUP (20 s per service path)  BENCH_GATEWAY_JIT_WARMUP (90 s)  BENCH_LONGPOLL_HEAP (2g)  BENCH_STARTUP_SERVICES (all four)  BENCH_STARTUP_RUNS (3)
#   BENCH_JOURNEY_PLACE_RATE (2/s)  BENCH_JOURNEY_BROWSE_RATE (5/s)  BENCH_JOURNEY_AUDIENCE_RATE (5/s)
#   BENCH_JOURNEY_HOLD (20 s)  BENCH_JOURNEY_DURATION (60 s)  BENCH_JOURNEYS_SUITE (0; 1 = the running bin/suite)
#   BENCH_IDLE_SETTLE (60 s idle before the suite's RSS is read)
#   BENCH_ORDER_SERVICE (own | auto | suite)  NGINX_UPSTREAM_KEEPALIVE (64; 0 = a new upstream connection per request)
# Needs: JDK 25, wrk, h2load (nghttp2-client), nginx, jq, curl; gnuplot for the charts
# (apt-get install wrk nghttp2-client nginx-light jq gnuplot-nox).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
VERSION="0.1.0-SNAPSHOT"
DURATION="${BENCH_DURATION:-15}"
WARMUP="${BENCH_WARMUP:-5}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
GATEWAY="${BENCH_GATEWAY:-http://127.0.0.1:8080}"
# "max", not 20000: the sandbox caps open files at 20000 per process (hard limit, not raisable without
# CAP_SYS_RESOURCE), so one stream-service holds 20000 minus the descriptors it already uses
FANOUT_CLIENTS="${BENCH_FANOUT_CLIENTS:-1000 5000 10000 max}"
E2E_RATES="${BENCH_E2E_RATES:-50 100 200}"
E2E_USERS="${BENCH_E2E_USERS:-1}"
LONGPOLL_CLIENTS="${BENCH_LONGPOLL_CLIENTS:-1000 5000 10000}"
UPSTREAM_KEEPALIVE="${NGINX_UPSTREAM_KEEPALIVE:-64}"
JDK25_DEFAULT=/usr/lib/jvm/temurin-25-jdk-amd64
SERVICE_JAVA_OPTS="${BENCH_SERVICE_JAVA_OPTS:--Xms32m -Xmx384m -XX:+ExitOnOutOfMemoryError --sun-misc-unsafe-memory-access=allow}"

RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$HERE/results/$RUN_ID"
RAW="$OUT/raw"
SUMMARY="$OUT/summary.md"
TSV="$OUT/results.tsv"
STARTED_PIDS=()
NGINX_PREFIXES=()

say() { printf '%s\n' "$*" >&2; }
fail() { printf 'bench: %s\n' "$*" >&2; exit 1; }
md() { printf '%s\n' "$*" >>"$SUMMARY"; }
# scenario | series | x | metric | value   (what the charts are drawn from)
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$TSV"; }

cleanup() {
  local prefix
  for prefix in "${NGINX_PREFIXES[@]}"; do
    [ -f "$prefix/nginx.pid" ] && kill -QUIT "$(cat "$prefix/nginx.pid")" 2>/dev/null || true
  done
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    timeout 30 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

select_java() {
  if [ -n "${JAVA_HOME:-}" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then return; fi
  [ -x "$JDK25_DEFAULT/bin/java" ] || fail "Java 25 is needed (set JAVA_HOME)"
  export JAVA_HOME="$JDK25_DEFAULT"
}
JAVA() { "$JAVA_HOME/bin/java" "$@"; }

need() {
  local missing=()
  for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] || fail "missing ${missing[*]}: apt-get install wrk nghttp2-client nginx-light jq curl"
}

DRIVER="$HERE/target/load-driver.jar"
ensure_driver() {
  if [ ! -f "$DRIVER" ] || [ -n "$(find "$HERE/src" "$HERE/pom.xml" -newer "$DRIVER" -type f -print -quit)" ]; then
    say "building the load driver..."
    (cd "$ROOT" && ./mvnw -q -B -o -pl load-tests package -DskipTests -Dspotless.check.skip=true) >&2
  fi
}
driver() { JAVA --sun-misc-unsafe-memory-access=allow -Xmx1g -jar "$DRIVER" "$@"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
answers_http() { curl -fsS -m 2 -o /dev/null "$1" 2>/dev/null; }
listener_pid() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }
# value of key=value in a driver output file
val() { grep -m1 "^$2=" "$1" 2>/dev/null | cut -d= -f2- || true; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0 || a == "" || a == "n/a") print "n/a"; else printf "%.2f", a / b }'; }
# wrk prints 950.00us, 1.23ms, 1.02s: to milliseconds
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }

machine_info() {
  md "# Benchmark run $RUN_ID"
  md ""
  md "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr)"
  md "- java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  md "- tools: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $(h2load --version | head -1), $(nginx -v 2>&1 | cut -d' ' -f3)"
  md "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  md "- settings: ${DURATION}s per measurement after ${WARMUP}s warm-up, $CONNECTIONS requests in flight for maximum-throughput runs"
  md "- other JVMs on the machine at start (they share the 2 cores):"
  ps -eo pid=,pcpu=,rss=,args= | awk '/[j]ava / {
      name = "?"; for (i = 4; i <= NF; i++) if ($i ~ /\.jar$/ || $i ~ /^org\.|^dev\./) { name = $i; break }
      sub(/.*\//, "", name); printf "  - pid %s %s (%.0f%% cpu, %d MiB RSS)\n", $1, name, $2, $3 / 1024 }' >>"$SUMMARY"
  md ""
}

# ---------------------------------------------------------------------------------------------------------
# what is running, and what this run starts itself

TOKEN=""
gateway_up() { answers_http "$GATEWAY/.well-known/jwks.json"; }
token_for() {
  curl -fsS -m 5 -X POST "$GATEWAY/auth/token" -H 'Content-Type: application/json' \
    -d "{\"subject\":\"$1\"}" | jq -r .access_token
}

ensure_database() {
  PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$1'" \
    | grep -q 1 || PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $1"
}

fresh_database() {
  PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" \
    && PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $1"
}

# start_service NAME JAR READINESS_URL ENV...: runs one service jar in the background, waits for readiness,
# sets SERVICE_PID (not a command substitution: the pid must reach STARTED_PIDS for the clean-up)
start_service() {
  local name=$1 jar=$2 ready=$3; shift 3
  [ -f "$jar" ] || fail "$jar is missing: ./mvnw -pl ${name%%-bench} package -DskipTests (or bin/suite up)"
  say "starting $name ($jar)"
  # run a copy: a build elsewhere may replace target/*.jar under a running JVM, which then fails to load classes
  mkdir -p "$OUT/jars"
  cp "$jar" "$OUT/jars/$name.jar"
  # shellcheck disable=SC2086
  env "$@" "$JAVA_HOME/bin/java" $SERVICE_JAVA_OPTS -jar "$OUT/jars/$name.jar" >"$RAW/$name.log" 2>&1 </dev/null &
  local pid=$!
  STARTED_PIDS+=("$pid")
  local deadline=$((SECONDS + 180))
  until answers_http "$ready"; do
    kill -0 "$pid" 2>/dev/null || { tail -30 "$RAW/$name.log" >&2; fail "$name exited"; }
    [ $SECONDS -lt $deadline ] || fail "$name not ready after 180s (see $RAW/$name.log)"
    sleep 1
  done
  SERVICE_PID=$pid
}

ORDER_HTTP="" ORDER_GRPC="" ORDER_MGMT="" ORDER_PID="" AUTH="" ORDER_ID="" GATEWAY_USABLE=0 OWN_GATEWAY=0
# The default bulkhead (25 concurrent calls) that Spring Cloud CircuitBreaker puts around every Resilience4j
# breaker, raised: see docs/benchmarks.md, Findings.
BULKHEAD_JSON='{"resilience4j":{"bulkhead":{"configs":{"default":{"max-concurrent-calls":10000}}}}}'
# A gateway of this run in front of this run's order-service (ORDER_HTTP/ORDER_GRPC chosen already): plain
# HTTP only (TLS and HTTP/3 off), its own signing keys, and the per-route rate limits (20/s by default)
# raised out of the way; each request still makes its Redis round trip for the limiter. The per-address
# connection limits (gateway.abuse, ADR 0307) are raised too: the load comes from one address.
start_own_gateway() {
  local jar="$ROOT/gateway-service/target/gateway-service-$VERSION.jar"
  if [ ! -f "$jar" ] || [ "${BENCH_OWN_GATEWAY:-1}" = 0 ]; then return; fi
  launch_gateway gateway-bench "$jar"
  GATEWAY="http://127.0.0.1:$LAUNCHED_GATEWAY_PORT" OWN_GATEWAY=1
  md "- gateway: started by this run (pid $SERVICE_PID, :$LAUNCHED_GATEWAY_PORT h1+h2c, TLS/HTTP3 off) in front of this run's order-service; order rate limit raised to 10^6/s (each request still calls Redis), circuit breakers as shipped, $( [ -n "${BENCH_GATEWAY_SHIPPED_BULKHEAD:-}" ] && echo "bulkhead as shipped (25 concurrent calls per breaker)" || echo "the Resilience4j bulkhead Spring Cloud CircuitBreaker wraps around each breaker raised from 25 to 10 000 concurrent calls (with 25, calls 26+ fail at once, count as breaker failures and open it: 13 471 of ~19 000 requests answered 503 at 32 in flight in a trial; BENCH_GATEWAY_SHIPPED_BULKHEAD=1 keeps 25)")"
}
# launch_gateway NAME JAR: a gateway of this run in front of this run's order-service, signing with this run's
# key (every gateway of the run issues and accepts the same tokens); sets LAUNCHED_GATEWAY_PORT, SERVICE_PID
launch_gateway() {
  local name=$1 jar=$2 http https mgmt
  http="$(free_port)" https="$(free_port)" mgmt="$(free_port)"
  start_service "$name" "$jar" "http://127.0.0.1:$mgmt/actuator/health/readiness" \
    GATEWAY_HTTP_PORT=$http GATEWAY_HTTPS_PORT=$https GATEWAY_MANAGEMENT_PORT=$mgmt \
    GATEWAY_TLS_ENABLED=false GATEWAY_HTTP3_ENABLED=false \
    GATEWAY_KEY_DIR="$OUT/gateway/keys" GATEWAY_CERT_DIR="$OUT/gateway/certs" \
    ORDER_SERVICE_URLS="http://127.0.0.1:$ORDER_HTTP" ORDER_GRPC_URLS="http://127.0.0.1:$ORDER_GRPC" \
    ORDERS_RATE_LIMIT_RATE=1000000 ORDERS_RATE_LIMIT_BURST=1000000 SPRING_PROFILES_ACTIVE=demo \
    GATEWAY_NEW_CONNECTIONS_PER_SECOND=1000000 GATEWAY_NEW_CONNECTION_BURST=1000000 \
    GATEWAY_MAX_CONNECTIONS_PER_ADDRESS=1000000 \
    ${BENCH_GATEWAY_SHIPPED_BULKHEAD:+NO_}SPRING_APPLICATION_JSON="$BULKHEAD_JSON"
  LAUNCHED_GATEWAY_PORT=$http
}
# BENCH_ORDER_SERVICE=own (default: its own gateway and order-service) | auto (the suite's when it answers) | suite
order_backend() {
  [ -n "$ORDER_HTTP" ] && return
  local which="${BENCH_ORDER_SERVICE:-own}"
  if [ "$which" != own ] && answers_http "http://127.0.0.1:9181/actuator/health/readiness"; then
    ORDER_HTTP=8081 ORDER_GRPC=9091 ORDER_MGMT=9181
    ORDER_PID="$(listener_pid 8081)"
    md "- order-service: the running suite's (pid $ORDER_PID, ports 8081/9091)"
  else
    [ "$which" != suite ] || fail "BENCH_ORDER_SERVICE=suite but order-service does not answer on :9181"
    ensure_database orders_bench
    ORDER_HTTP="$(free_port)" ORDER_GRPC="$(free_port)" ORDER_MGMT="$(free_port)"
    start_own_gateway
    # h2c on too (server.http2.enabled), so REST over HTTP/2 can be measured without a proxy in front
    start_service order-service-bench "$ROOT/order-service/target/order-service-$VERSION.jar" \
      "http://127.0.0.1:$ORDER_MGMT/actuator/health/readiness" \
      ORDER_HTTP_PORT=$ORDER_HTTP ORDER_GRPC_PORT=$ORDER_GRPC ORDER_MANAGEMENT_PORT=$ORDER_MGMT \
      ORDERS_DB_URL=jdbc:postgresql://127.0.0.1:5432/orders_bench ORDERS_DEVELOPMENT_HEADER=true \
      ORDERS_DB_POOL_SIZE=10 SERVER_HTTP2_ENABLED=true JWKS_URI="$GATEWAY/.well-known/jwks.json"
    ORDER_PID=$SERVICE_PID
    md "- order-service: started by this run (pid $ORDER_PID, ports $ORDER_HTTP/$ORDER_GRPC, h2c on, $SERVICE_JAVA_OPTS)"
  fi
  AUTH="customer:bench"
  if gateway_up; then
    TOKEN="$(token_for bench || true)"
    if [ "$ORDER_HTTP" != 8081 ] && [ "$OWN_GATEWAY" != 1 ]; then
      md "- gateway: answers at $GATEWAY but routes to order-service :8081, not this run's :$ORDER_HTTP: gateway rows skipped"
    elif [ -n "$TOKEN" ] && curl -fsS -m 5 -o /dev/null -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$ORDER_HTTP/api/orders?size=1" 2>/dev/null; then
      # the gateway's tokens must be accepted by this order-service, or the gateway rows would measure 401s
      AUTH="bearer:$TOKEN" GATEWAY_USABLE=1
      md "- every request carries a bearer JWT for \`bench\` from the gateway (direct and nginx too, so every path validates it)"
    else
      md "- gateway: answers at $GATEWAY, but order-service :$ORDER_HTTP rejects its tokens (another JWKS?): gateway rows skipped, order-service called with \`X-Customer-Id: bench\`"
    fi
  else
    md "- gateway: not running; order-service is called with its development header \`X-Customer-Id: bench\`"
  fi
  md ""
  local header; header="$(auth_header)"
  ORDER_ID="$(curl -fsS -m 10 -H "$header" -H 'Content-Type: application/json' \
    -d '{"items":[{"sku":"BENCH-1","quantity":2,"unitPrice":"12.50"}],"currency":"EUR"}' \
    "http://127.0.0.1:$ORDER_HTTP/api/orders" | jq -r .id)"
  [ -n "$ORDER_ID" ] && [ "$ORDER_ID" != null ] || fail "could not create an order on :$ORDER_HTTP"
  # A fresh JVM runs interpreted at first: without this the first scenario measured a third of the later
  # throughput (690 vs 6390 req/s in a trial). REST and gRPC paths both get compiled before any figure.
  local jit="${BENCH_JIT_WARMUP:-20}"
  say "warming order-service up for ${jit}s (REST, then gRPC)"
  wrk -t2 -c"$CONNECTIONS" -d"${jit}s" -H "$header" "http://127.0.0.1:$ORDER_HTTP/api/orders/$ORDER_ID" >/dev/null 2>&1 || true
  driver grpc-get --target="127.0.0.1:$ORDER_GRPC" --id="$ORDER_ID" --auth="$AUTH" --concurrency="$CONNECTIONS" \
    --warmup=0 --duration="$jit" >/dev/null 2>&1 || true
  # the gateway has far more code on its request path: in a trial it went from 107 to 670 req/s between its
  # first and third 6-second run
  local gjit="${BENCH_GATEWAY_JIT_WARMUP:-90}"
  if gateway_measured; then
    say "warming the gateway up for ${gjit}s (REST, then gRPC)"
    wrk -t2 -c"$CONNECTIONS" -d"${gjit}s" -H "$header" "$GATEWAY/api/orders/$ORDER_ID" >/dev/null 2>&1 || true
    driver grpc-get --target="${GATEWAY#http://}" --id="$ORDER_ID" --auth="$AUTH" --concurrency="$CONNECTIONS" \
      --warmup=0 --duration="$((gjit / 2))" >/dev/null 2>&1 || true
  fi
  md "- JIT warm-up before any measurement: ${jit}s of REST and ${jit}s of gRPC GetOrder direct; ${gjit}s REST and $((gjit / 2))s gRPC through the gateway"
}
# the gateway is measured only when it routes to the same order-service and its tokens work there
gateway_measured() { [ "$GATEWAY_USABLE" = 1 ]; }
auth_header() {
  case "$AUTH" in
    bearer:*) printf 'Authorization: Bearer %s' "${AUTH#bearer:}" ;;
    customer:*) printf 'X-Customer-Id: %s' "${AUTH#customer:}" ;;
  esac
}

NGINX_H1="" NGINX_H2C=""
start_nginx() {
  [ -n "$NGINX_H1" ] && return
  launch_nginx nginx "$UPSTREAM_KEEPALIVE"
  NGINX_H1=$LAUNCHED_H1 NGINX_H2C=$LAUNCHED_H2C
  md "- nginx $(nginx -v 2>&1 | cut -d/ -f2): h1 :$NGINX_H1, h2c :$NGINX_H2C -> order-service :$ORDER_HTTP, upstream keepalive $UPSTREAM_KEEPALIVE ([config](../../nginx/nginx.conf.template))"
}
# launch_nginx NAME KEEPALIVE: an nginx of this run in front of order-service; sets LAUNCHED_H1, LAUNCHED_H2C
launch_nginx() {
  local prefix="$OUT/$1"
  mkdir -p "$prefix"
  LAUNCHED_H1="$(free_port)" LAUNCHED_H2C="$(free_port)"
  PREFIX="$prefix" H1_PORT="$LAUNCHED_H1" H2C_PORT="$LAUNCHED_H2C" BACKEND_PORT="$ORDER_HTTP" UPSTREAM_KEEPALIVE="$2" \
    envsubst '${PREFIX} ${H1_PORT} ${H2C_PORT} ${BACKEND_PORT} ${UPSTREAM_KEEPALIVE}' \
    <"$HERE/nginx/nginx.conf.template" >"$prefix/nginx.conf"
  if [ "$2" = 0 ]; then
    # nginx rejects "keepalive 0": no keepalive line at all is a new upstream connection per request
    sed -i '/^        keepalive 0;/d; /^        keepalive_requests 100000;/d' "$prefix/nginx.conf"
  fi
  nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log"
  NGINX_PREFIXES+=("$prefix")
  local deadline=$((SECONDS + 10))
  until curl -s -m 2 -o /dev/null "http://127.0.0.1:$LAUNCHED_H1/"; do
    [ $SECONDS -lt $deadline ] || fail "nginx did not start (see $prefix/error.log)"
    sleep 0.5
  done
}

# ---------------------------------------------------------------------------------------------------------
# measuring tools

# wrk_max NAME URL: maximum HTTP/1.1 throughput; sets RPS, P50, P99
wrk_max() {
  local name=$1 url=$2 file="$RAW/wrk-$1.txt"
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -H "$(auth_header)" "$url" >/dev/null 2>&1 || true
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency -H "$(auth_header)" "$url" >"$file" 2>&1 || true
  RPS="$(awk '/^Requests\/sec:/ {print $2}' "$file")"
  P50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$file")")"
  P99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$file")")"
  local non2xx; non2xx="$(awk '/Non-2xx/ {print $NF}' "$file")"
  [ -z "$non2xx" ] || say "  warning: $name answered $non2xx non-2xx responses (see $file)"
  say "  wrk $name: ${RPS:-?} req/s"
}

# h2_max NAME URL: maximum HTTP/2 (h2c prior knowledge) throughput; sets RPS, MEAN ("n/a" if refused)
h2_max() {
  local name=$1 url=$2 file="$RAW/h2load-$1.txt" streams=$((CONNECTIONS / 4))
  if ! h2load -n 1 -c 1 -H "$(auth_header)" "$url" 2>&1 | grep -q '1 succeeded'; then
    RPS="n/a" MEAN="n/a"
    echo "h2c refused by $url" >"$file"
    say "  h2load $name: no h2c"
    return
  fi
  h2load -t2 -c4 -m"$streams" -D "$DURATION" --warm-up-time="${WARMUP}s" -H "$(auth_header)" "$url" >"$file" 2>&1 || true
  RPS="$(awk '/^finished in/ {print $4}' "$file")"
  MEAN="$(to_ms "$(awk '/^time for request:/ {print $6}' "$file")")"
  say "  h2load $name: ${RPS:-?} req/s"
}

# gatling_fixed_rate RATE name=url,...: runs FixedRateGetOrder; writes GATLING_DIR
gatling_fixed_rate() {
  local rate=$1 targets=$2 log="$RAW/gatling-$3.log"
  (cd "$ROOT" && ./mvnw -B -o -pl load-tests gatling:test -Dspotless.check.skip=true \
      -Dgatling.simulationClass=dev.protocollab.loadtests.gatling.FixedRateGetOrder \
      "-Dtargets=$targets" "-Dpath=/api/orders/$ORDER_ID" -Drate="$rate" -Dwarmup="$WARMUP" -Dduration="$DURATION" \
      "-Dauth=$AUTH") >"$log" 2>&1 || say "  gatling failed (see $log)"
  GATLING_DIR="$(ls -dt "$HERE"/results/gatling/fixedrategetorder-* 2>/dev/null | head -1)"
}
# gatling_stat NAME FIELD: ok, ko, p50, p75, p95, p99, max or mean (ms) of one request name in the last report
gatling_stat() {
  [ -n "${GATLING_DIR:-}" ] && [ -f "$GATLING_DIR/index.html" ] || { echo "n/a"; return; }
  python3 "$HERE/gatling-stats.py" "$GATLING_DIR" "$1" 2>/dev/null | grep "^$2=" | cut -d= -f2 || echo "n/a"
}

# ---------------------------------------------------------------------------------------------------------
# scenarios

scenario_gateway() {
  say "scenario 1: gateway overhead"
  order_backend
  start_nginx
  local path="/api/orders/$ORDER_ID" gw="" names=(direct nginx) 
  declare -A h1=([direct]="http://127.0.0.1:$ORDER_HTTP" [nginx]="http://127.0.0.1:$NGINX_H1")
  declare -A h2=([direct]="http://127.0.0.1:$ORDER_HTTP" [nginx]="http://127.0.0.1:$NGINX_H2C")
  if gateway_measured; then h1[gateway]="$GATEWAY"; h2[gateway]="$GATEWAY"; names+=(gateway); fi
  declare -A h1rps h1p50 h1p99 h2rps h2mean
  local n
  for n in "${names[@]}"; do
    wrk_max "$n" "${h1[$n]}$path"; h1rps[$n]=$RPS h1p50[$n]=$P50 h1p99[$n]=$P99
    h2_max "$n" "${h2[$n]}$path"; h2rps[$n]=$RPS h2mean[$n]=$MEAN
    record gateway "h1 max" "$n" rps "${h1rps[$n]}"
    record gateway "h2c max" "$n" rps "${h2rps[$n]}"
  done
  local half targets=""
  half="$(awk -v r="${h1rps[direct]}" 'BEGIN { printf "%d", r / 2 }')"
  for n in "${names[@]}"; do targets+="${targets:+,}$n=${h1[$n]}"; done
  say "  gatling at $half req/s: $targets"
  gatling_fixed_rate "$half" "$targets" gateway
  md "## 1. Gateway overhead: \`GET /api/orders/{id}\`"
  md ""
  md "Maximum throughput with $CONNECTIONS requests in flight (wrk -t2 -c$CONNECTIONS for HTTP/1.1; h2load -t2 -c4 -m$((CONNECTIONS / 4)) for h2c), then Gatling at a fixed $half req/s (half the direct HTTP/1.1 maximum, open model, latency from each request's scheduled start)."
  md ""
  md "| path | h1 req/s | h1 p50 / p99 ms (closed loop) | h2c req/s | h2c mean ms | fixed-rate p50 ms | fixed-rate p99 ms | fixed-rate max ms | failed |"
  md "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  declare -A fp50 fp99
  for n in "${names[@]}"; do
    fp50[$n]="$(gatling_stat "$n" p50)" fp99[$n]="$(gatling_stat "$n" p99)"
    md "| $n | ${h1rps[$n]} | ${h1p50[$n]} / ${h1p99[$n]} | ${h2rps[$n]} | ${h2mean[$n]} | ${fp50[$n]} | ${fp99[$n]} | $(gatling_stat "$n" max) | $(gatling_stat "$n" ko) |"
    record gateway "fixed-rate p50" "$n" ms "${fp50[$n]}"
    record gateway "fixed-rate p99" "$n" ms "${fp99[$n]}"
  done
  md ""
  if [ -n "${h1rps[gateway]:-}" ]; then
    md "Ratios (targets: gateway ≥ 0.6× direct, ≥ 1.0× nginx; ≤ 1 ms added p50, ≤ 3 ms added p99 at half load):"
    md ""
    md "- h1 throughput gateway/direct **$(ratio "${h1rps[gateway]}" "${h1rps[direct]}")**, gateway/nginx **$(ratio "${h1rps[gateway]}" "${h1rps[nginx]}")**"
    md "- h2c throughput gateway/nginx **$(ratio "${h2rps[gateway]}" "${h2rps[nginx]}")**"
    md "- added latency at $half req/s: p50 $(awk -v a="${fp50[gateway]}" -v b="${fp50[direct]}" 'BEGIN{print a-b}') ms, p99 $(awk -v a="${fp99[gateway]}" -v b="${fp99[direct]}" 'BEGIN{print a-b}') ms (gateway − direct)"
  else
    md "- h1 throughput nginx/direct **$(ratio "${h1rps[nginx]}" "${h1rps[direct]}")** (the gateway was not running: no gateway ratios in this run)"
  fi
  md "- Gatling report: [$(basename "${GATLING_DIR:-none}")](../gatling/$(basename "${GATLING_DIR:-none}")/index.html)"
  md ""
}

scenario_grpc() {
  say "scenario 2: REST vs gRPC GetOrder"
  order_backend
  local path="/api/orders/$ORDER_ID" rows=() n
  declare -A rps p50 p99
  wrk_max rest-h1-direct "http://127.0.0.1:$ORDER_HTTP$path"; rps[rest-h1-direct]=$RPS p50[rest-h1-direct]=$P50 p99[rest-h1-direct]=$P99
  h2_max rest-h2c-direct "http://127.0.0.1:$ORDER_HTTP$path"; rps[rest-h2c-direct]=$RPS p50[rest-h2c-direct]="n/a" p99[rest-h2c-direct]="mean $MEAN"
  grpc_max grpc-direct "127.0.0.1:$ORDER_GRPC"
  rows=(rest-h1-direct rest-h2c-direct grpc-direct)
  if gateway_measured; then
    wrk_max rest-h1-gateway "$GATEWAY$path"; rps[rest-h1-gateway]=$RPS p50[rest-h1-gateway]=$P50 p99[rest-h1-gateway]=$P99
    h2_max rest-h2c-gateway "$GATEWAY$path"; rps[rest-h2c-gateway]=$RPS p50[rest-h2c-gateway]="n/a" p99[rest-h2c-gateway]="mean $MEAN"
    grpc_max grpc-gateway "${GATEWAY#http://}"
    rows+=(rest-h1-gateway rest-h2c-gateway grpc-gateway)
  fi
  md "## 2. REST vs gRPC: the same GetOrder"
  md ""
  md "$CONNECTIONS calls in flight each: wrk $CONNECTIONS HTTP/1.1 connections; h2load 4 connections × $((CONNECTIONS / 4)) streams; gRPC (grpc-java, Netty) $CONNECTIONS calls on one HTTP/2 connection. Latency percentiles are closed-loop (service time under full load)."
  md ""
  md "| call | req/s | p50 ms | p99 ms |"
  md "| --- | ---: | ---: | ---: |"
  for n in "${rows[@]}"; do
    md "| $n | ${rps[$n]} | ${p50[$n]} | ${p99[$n]} |"
    record grpc "max" "$n" rps "${rps[$n]}"
  done
  md ""
  md "- gRPC unary / REST h1 throughput, direct: **$(ratio "${rps[grpc-direct]}" "${rps[rest-h1-direct]}")** (target ≥ 1.5)"
  [ -z "${rps[grpc-gateway]:-}" ] || md "- through the gateway: **$(ratio "${rps[grpc-gateway]}" "${rps[rest-h1-gateway]}")**"
  md ""
  return 0
}
# grpc_max NAME TARGET: closed-loop gRPC GetOrder; sets rps/p50/p99 of NAME
grpc_max() {
  local file="$RAW/driver-$1.txt"
  driver grpc-get --target="$2" --id="$ORDER_ID" --auth="$AUTH" --mode=closed --concurrency="$CONNECTIONS" \
    --warmup="$WARMUP" --duration="$DURATION" --hgrm="$RAW/driver-$1.hgrm" >"$file" 2>&1 || say "  $1 failed (see $file)"
  rps[$1]="$(val "$file" grpc.rps)" p50[$1]="$(val "$file" grpc.latency.p50)" p99[$1]="$(val "$file" grpc.latency.p99)"
  say "  grpc $1: ${rps[$1]:-?} calls/s"
}

scenario_nagle() {
  say "scenario: Nagle (issue 10)"
  order_backend
  local file="$RAW/driver-nagle.txt"
  driver nagle --iterations=200 --target="127.0.0.1:$ORDER_HTTP" --path="/api/orders/$ORDER_ID" --auth="$AUTH" >"$file" 2>&1 \
    || say "  nagle failed (see $file)"
  md "## Nagle's algorithm and delayed ACKs (issue 10)"
  md ""
  md "A request written in two small writes, then a read, 200 times on one kept-alive connection (after 20 unmeasured round trips). \"raw\": a loopback server that also answers in two writes; \"http\": order-service \`GET /api/orders/{id}\` with the request head split in two writes (Tomcat sets TCP_NODELAY on its side)."
  md ""
  md "| case | client TCP_NODELAY | server TCP_NODELAY | p50 ms | p99 ms | max ms |"
  md "| --- | --- | --- | ---: | ---: | ---: |"
  local c s key
  for s in true false; do for c in true false; do
    key="nagle.raw.client_nodelay_$c.server_nodelay_$s"
    md "| raw | $c | $s | $(val "$file" "$key.p50") | $(val "$file" "$key.p99") | $(val "$file" "$key.max") |"
    record nagle "raw" "client $c / server $s" p50 "$(val "$file" "$key.p50")"
  done; done
  for c in true false; do
    key="nagle.http.client_nodelay_$c"
    md "| http (order-service) | $c | true (Tomcat) | $(val "$file" "$key.p50") | $(val "$file" "$key.p99") | $(val "$file" "$key.max") |"
    record nagle "http" "client $c" p50 "$(val "$file" "$key.p50")"
  done
  md ""
}

# Parked long polls run against instances of their own, with a heap big enough to hold them: the suite's
# -Xmx384m order-service would die (ExitOnOutOfMemoryError) long before 10k parked requests.
LONGPOLL_HEAP="${BENCH_LONGPOLL_HEAP:-2g}"
scenario_longpoll() {
  say "scenario 5: parked long polls"
  local saved_opts="$SERVICE_JAVA_OPTS" header id n file
  SERVICE_JAVA_OPTS="-Xms64m -Xmx$LONGPOLL_HEAP -XX:+ExitOnOutOfMemoryError --sun-misc-unsafe-memory-access=allow"
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  ensure_database orders_bench
  local http grpc mgmt
  http="$(free_port)" grpc="$(free_port)" mgmt="$(free_port)"
  start_service order-service-longpoll "$ROOT/order-service/target/order-service-$VERSION.jar" \
    "http://127.0.0.1:$mgmt/actuator/health/readiness" \
    ORDER_HTTP_PORT=$http ORDER_GRPC_PORT=$grpc ORDER_MANAGEMENT_PORT=$mgmt ORDERS_DB_POOL_SIZE=10 \
    ORDERS_DB_URL=jdbc:postgresql://127.0.0.1:5432/orders_bench ORDERS_DEVELOPMENT_HEADER=true
  local opid=$SERVICE_PID
  header="X-Customer-Id: bench"
  # an order that never changes again: cancelled, version 1 -> 2
  id="$(curl -fsS -m 10 -H "$header" -H 'Content-Type: application/json' \
    -d '{"items":[{"sku":"BENCH-2","quantity":1,"unitPrice":"1.00"}],"currency":"EUR"}' \
    "http://127.0.0.1:$http/api/orders" | jq -r .id)"
  curl -fsS -m 10 -o /dev/null -X POST -H "$header" -H 'If-Match: "1"' "http://127.0.0.1:$http/api/orders/$id/cancel"
  md "## 5. Parked long polls"
  md ""
  md "N concurrent long polls (one HTTP/1.1 connection each, opened at up to 2000/s) that the server holds until their 25 s deadline, against instances started for this (-Xmx$LONGPOLL_HEAP, descriptor limit $(ulimit -n)). Server figures are sampled while all polls are parked, heap after a full GC (the live set); per-1k figures are (during − before) / N × 1000."
  md ""
  md "| server | polls | answers | RSS MiB before → during | heap MiB before → during | JVM threads before → during | RSS MiB per 1k | heap MiB per 1k |"
  md "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"
  for n in $LONGPOLL_CLIENTS; do
    file="$RAW/driver-longpoll-order-$n.txt"
    driver longpoll --url="http://127.0.0.1:$http/api/orders/$id/status?after=2&wait=PT25S" --auth="customer:bench" \
      --clients="$n" --wait=25 --server-pid="$opid" --management="http://127.0.0.1:$mgmt" >"$file" 2>&1 \
      || say "  long poll $n failed (see $file)"
    longpoll_row "order-service" "$n" "$file"
  done
  stop_service "$opid"
  local jar="$ROOT/notification-service/target/notification-service-$VERSION.jar"
  if [ -f "$jar" ] && gateway_up; then
    ensure_database notifications_bench
    http="$(free_port)" mgmt="$(free_port)"
    start_service notification-service-longpoll "$jar" "http://127.0.0.1:$mgmt/actuator/health/readiness" \
      NOTIFICATION_HTTP_PORT=$http NOTIFICATION_MANAGEMENT_PORT=$mgmt NOTIFICATIONS_DB_POOL_SIZE=10 \
      NOTIFICATIONS_DB_URL=jdbc:postgresql://127.0.0.1:5432/notifications_bench \
      JWKS_URI="$GATEWAY/.well-known/jwks.json" OAUTH2_TOKEN_URI="$GATEWAY/oauth2/token" \
      ORDER_GRPC_ADDRESS=static://127.0.0.1:9091 SPRING_PROFILES_ACTIVE=demo
    local npid=$SERVICE_PID token
    token="$(token_for "bench-longpoll-$RUN_ID")"
    for n in $LONGPOLL_CLIENTS; do
      file="$RAW/driver-longpoll-notification-$n.txt"
      driver longpoll --url="http://127.0.0.1:$http/api/notifications?after=0&wait=PT25S" --auth="bearer:$token" \
        --clients="$n" --wait=25 --server-pid="$npid" --management="http://127.0.0.1:$mgmt" >"$file" 2>&1 \
        || say "  notification long poll $n failed (see $file)"
      longpoll_row "notification-service" "$n" "$file"
    done
    stop_service "$npid"
  else
    md "| notification-service | — | skipped: needs its jar and the gateway (tokens) | | | | | |"
  fi
  SERVICE_JAVA_OPTS="$saved_opts"
  md ""
}
longpoll_row() {
  local server=$1 n=$2 file=$3 answers
  answers="$(grep '^longpoll.outcome\.' "$file" | sed 's/^longpoll.outcome.//; s/=/: /' | paste -sd' ' - || true)"
  md "| $server | $n | ${answers:-none} | $(val "$file" server.before.rss_mib) → $(val "$file" server.during.rss_mib) | $(val "$file" server.before.heap_used_mib) → $(val "$file" server.during.heap_used_mib) | $(val "$file" server.before.jvm_threads) → $(val "$file" server.during.jvm_threads) | $(val "$file" server.rss_mib_per_1k) | $(val "$file" server.heap_mib_per_1k) |"
  record longpoll "$server heap per 1k" "$n" mib "$(val "$file" server.heap_mib_per_1k)"
  record longpoll "$server RSS per 1k" "$n" mib "$(val "$file" server.rss_mib_per_1k)"
  say "  $server $n polls: ${answers:-no answers}"
}
stop_service() {
  kill -TERM "$1" 2>/dev/null || true
  timeout 40 tail --pid="$1" -f /dev/null 2>/dev/null || kill -KILL "$1" 2>/dev/null || true
}

scenario_fanout() {
  say "scenario 3: fan-out on stream-service"
  order_backend # for its gateway: the token issuer stream-service trusts
  gateway_up || { md "## 3. Fan-out"; md ""; md "Skipped: the gateway (token issuer) is not running."; md ""; return 0; }
  [ -n "$TOKEN" ] || TOKEN="$(token_for bench)"
  local jar="$ROOT/stream-service/target/stream-service-$VERSION.jar" base pid mgmt
  if [ -f "$jar" ]; then
    # its own instance: a known heap limit, and a descriptor limit that allows 20k connections
    ulimit -n 65536 2>/dev/null || true
    local saved_opts="$SERVICE_JAVA_OPTS"
    SERVICE_JAVA_OPTS="-Xms64m -Xmx1g -XX:+ExitOnOutOfMemoryError --sun-misc-unsafe-memory-access=allow"
    local http grpc mport
    http="$(free_port)" grpc="$(free_port)" mport="$(free_port)"
    start_service stream-service-bench "$jar" "http://127.0.0.1:$mport/actuator/health/readiness" \
      STREAM_HTTP_PORT=$http STREAM_GRPC_PORT=$grpc STREAM_MANAGEMENT_PORT=$mport \
      JWKS_URI="$GATEWAY/.well-known/jwks.json" SPRING_PROFILES_ACTIVE=demo
    SERVICE_JAVA_OPTS="$saved_opts"
    pid=$SERVICE_PID
    base="http://127.0.0.1:$http" mgmt="http://127.0.0.1:$mport"
  else
    pid="$(listener_pid 8083)" base=http://127.0.0.1:8083 mgmt=http://127.0.0.1:9183
  fi
  ulimit -n 65536 2>/dev/null || true
  md "## 3. Fan-out: stream-service \`metrics\` topic (one event per second to every subscriber)"
  md ""
  md "stream-service pid $pid at $base (-Xmx1g, descriptor limit $(ulimit -n)). Delivery latency = receipt − the window's \`windowEnd\` (same clock). Server memory sampled after a full GC with all subscribers connected."
  md ""
  md "| transport | subscribers | connected | delivered / expected | p50 ms | p99 ms | max ms | heap MiB | RSS MiB | heap MiB per 1k | RSS MiB per 1k |"
  md "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  local n t file spec
  for spec in $FANOUT_CLIENTS; do
    n="$(fanout_clients "$spec" "$pid")"
    for t in ws sse; do
      file="$RAW/driver-fanout-$t-$n.txt"
      # no driver process holds more than 10 000 subscribers (the same 20 000 open-file cap applies to it)
      driver fanout --url="$base" --transport="$t" --clients="$n" --token="$TOKEN" --duration="$DURATION" \
        --processes=$(( (n + 9999) / 10000 )) \
        --connect-rate=2000 --server-pid="$pid" --management="$mgmt" --hgrm="$RAW/driver-fanout-$t-$n.hgrm" >"$file" 2>&1 \
        || say "  fanout $t $n failed (see $file)"
      md "| $t | $n | $(val "$file" fanout.connected) | $(val "$file" fanout.received) / $(val "$file" fanout.expected) | $(val "$file" fanout.latency.p50) | $(val "$file" fanout.latency.p99) | $(val "$file" fanout.latency.max) | $(val "$file" server.during.heap_used_mib) | $(val "$file" server.during.rss_mib) | $(val "$file" server.heap_mib_per_1k) | $(val "$file" server.rss_mib_per_1k) |"
      record fanout "$t p99" "$n" ms "$(val "$file" fanout.latency.p99)"
      record fanout "$t p50" "$n" ms "$(val "$file" fanout.latency.p50)"
      say "  fanout $t $n: p99 $(val "$file" fanout.latency.p99) ms"
    done
  done
  md ""
  [ -f "$jar" ] && stop_service "$pid"
  return 0
}

# "max": as many subscribers as the server's open-file limit leaves room for (its descriptors in use now, and
# 64 spare for what it opens meanwhile: log files, JWKS fetches, jcmd's attach socket); a number: that many
fanout_clients() {
  if [ "$1" != max ]; then echo "$1"; return; fi
  local limit used
  limit="$(awk '/^Max open files/ {print $4}' "/proc/$2/limits")"
  used="$(find "/proc/$2/fd" -mindepth 1 -maxdepth 1 | wc -l)"
  echo $(( limit - used - 64 ))
}

# Scenario 4 runs on a stack of its own: gateway, order-service and notification-service on free ports,
# in a RabbitMQ virtual host of their own (so no other notification-service competes for the events, and
# no other consumer sees these orders). BENCH_E2E_SUITE=1 measures the running bin/suite instead.
scenario_e2e() {
  say "scenario 4: order -> WebSocket notification"
  local gateway="$GATEWAY" where
  if [ "${BENCH_E2E_SUITE:-0}" = 1 ]; then
    gateway_up && answers_http "http://127.0.0.1:9182/actuator/health/readiness" \
      || { md "## 4. Order → WebSocket notification"; md ""; md "Skipped: BENCH_E2E_SUITE=1 but the suite is not running."; md ""; return 0; }
    where="the running suite at $GATEWAY"
  else
    e2e_stack || { md "## 4. Order → WebSocket notification"; md ""; md "Skipped: $E2E_SKIP"; md ""; return 0; }
    gateway="$E2E_GATEWAY"
    where="a stack of this run (gateway, order-service, notification-service on free ports, RabbitMQ vhost \`bench\`, order rate limit raised)"
  fi
  md "## 4. Order → WebSocket notification, through the gateway"
  md ""
  md "On $where: $E2E_USERS user(s) each hold \`/ws/notifications\` through the gateway; orders are created, for the users in turn, at a fixed rate (\`POST /api/orders\` through the gateway, JDK HttpClient, HTTP/1.1); latency from each create's scheduled start to its \`order.created\` notification (gateway → order-service → outbox relay → RabbitMQ → notification-service → WebSocket → gateway)."
  md ""
  md "| orders/s | sent | notified | errors | create p50 / p99 ms | notification p50 ms | p99 ms | max ms | outbox lag p50 / p99 ms | event → fan-out p50 / p99 ms | consumer ms/event: enrich / store / fan-out | events consumed | events per store transaction | max queue backlog |"
  md "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  local r file token sampler u
  local before_prom="$RAW/notification-prometheus-e2e-start.txt"
  [ -z "$E2E_NOTIFICATION_MGMT" ] || curl -fsS -m 5 "http://127.0.0.1:$E2E_NOTIFICATION_MGMT/actuator/prometheus" >"$before_prom" 2>/dev/null || true
  for r in $E2E_RATES; do
    token=""
    for u in $(seq 1 "$E2E_USERS"); do
      token="${token:+$token,}$(GATEWAY="$gateway" token_for "bench-e2e-$r-$RUN_ID-$u")"
    done
    file="$RAW/driver-e2e-$r.txt"
    # the order-event queue's depth once a second: a backlog there is notification-service falling behind
    sampler=""
    if [ -n "$E2E_NOTIFICATION_MGMT" ]; then
      (while :; do
        curl -fsS -m 2 -u "${RABBITMQ_USER:-guest}:${RABBITMQ_PASSWORD:-guest}" \
          "http://127.0.0.1:15672/api/queues/bench/notification-service.order-events" 2>/dev/null | jq -r '.messages // empty'
        sleep 1
      done) >"$RAW/queue-e2e-$r.txt" 2>/dev/null &
      sampler=$!
    fi
    driver e2e --gateway="$gateway" --token="$token" --rate="$r" --warmup="$WARMUP" --duration="$DURATION" \
      --hgrm="$RAW/driver-e2e-$r.hgrm" >"$file" 2>&1 || say "  e2e $r failed (see $file)"
    [ -z "$sampler" ] || { kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; }
    # order-service's own timer from commit to broker confirm (a decaying two-minute window): the first leg
    local lag="n/a" nlag="n/a" stages="n/a" consumed="n/a" backlog="n/a" batch="n/a"
    if [ -n "$E2E_ORDER_MGMT" ]; then
      curl -fsS -m 5 "http://127.0.0.1:$E2E_ORDER_MGMT/actuator/prometheus" >"$RAW/order-prometheus-e2e-$r.txt" 2>/dev/null || true
      lag="$(awk -F'[ ]' '/^outbox_lag_seconds\{.*quantile="0.5"/ {p50 = $NF * 1000} /^outbox_lag_seconds\{.*quantile="0.99"/ {p99 = $NF * 1000} END {printf "%.0f / %.0f", p50, p99}' "$RAW/order-prometheus-e2e-$r.txt")"
    fi
    # notification-service's side: event time -> fan-out (decaying window), and the mean time per event in
    # each stage of its consumer over this rate's run (difference of the counters before and after)
    if [ -n "$E2E_NOTIFICATION_MGMT" ]; then
      local prom="$RAW/notification-prometheus-e2e-$r.txt"
      curl -fsS -m 5 "http://127.0.0.1:$E2E_NOTIFICATION_MGMT/actuator/prometheus" >"$prom" 2>/dev/null || true
      nlag="$(awk -F'[ ]' '/^notifications_lag_seconds\{.*quantile="0.5"/ {p50 = $NF * 1000} /^notifications_lag_seconds\{.*quantile="0.99"/ {p99 = $NF * 1000} END {if (p50 == "") print "n/a"; else printf "%.0f / %.0f", p50, p99}' "$prom")"
      stages="$(awk '
        function key(line, k) { match(line, /stage="[a-z]+"/); return substr(line, RSTART + 7, RLENGTH - 8) }
        /^notifications_consumer_stage_seconds_(sum|count)\{/ { k = key($0) ($1 ~ /_sum\{/ ? "s" : "c"); if (FILENAME == ARGV[1]) b[k] = $NF; else a[k] = $NF }
        /^notifications_consumed_total\{/ { if (FILENAME == ARGV[1]) cb += $NF; else ca += $NF }
        /^notifications_consumer_batch_(sum|count)[{ ]/ { k = ($1 ~ /_sum/ ? "bs" : "bc"); if (FILENAME == ARGV[1]) b[k] = $NF; else a[k] = $NF }
        END {
          if (!("enrichc" in a)) { print "n/a|n/a|n/a"; exit }
          for (i = 1; i <= 3; i++) { st = (i == 1 ? "enrich" : i == 2 ? "store" : "publish"); n = a[st "c"] - b[st "c"]
            out = out (i > 1 ? " / " : "") (n > 0 ? sprintf("%.1f", (a[st "s"] - b[st "s"]) * 1000 / n) : "n/a") }
          n = a["bc"] - b["bc"]
          printf "%s|%d|%s\n", out, ca - cb, ("bc" in a && n > 0 ? sprintf("%.1f", (a["bs"] - b["bs"]) / n) : "n/a") }' "$before_prom" "$prom")"
      batch="${stages##*|}" stages="${stages%|*}"
      consumed="${stages#*|}" stages="${stages%|*}"
      cp "$prom" "$before_prom"
      backlog="$(sort -n "$RAW/queue-e2e-$r.txt" | tail -1)"
    fi
    md "| $r | $(val "$file" e2e.sent) | $(val "$file" e2e.notified) | $(val "$file" e2e.errors) | $(val "$file" e2e.create.p50) / $(val "$file" e2e.create.p99) | $(val "$file" e2e.latency.p50) | $(val "$file" e2e.latency.p99) | $(val "$file" e2e.latency.max) | $lag | $nlag | $stages | $consumed | $batch | ${backlog:-n/a} |"
    record e2e "p50" "$r" ms "$(val "$file" e2e.latency.p50)"
    record e2e "p99" "$r" ms "$(val "$file" e2e.latency.p99)"
    say "  e2e $r/s: p99 $(val "$file" e2e.latency.p99) ms"
  done
  md ""
  # the stack's fulfilment keeps moving thousands of orders for a while: stop it before the next scenario
  local pid
  for pid in "${E2E_PIDS[@]}"; do stop_service "$pid"; done
}
E2E_GATEWAY="" E2E_SKIP="" E2E_ORDER_MGMT="" E2E_NOTIFICATION_MGMT="" E2E_PIDS=()
# e2e_stack [with-stream]: the gateway, order-service and notification-service (and stream-service) of this run
e2e_stack() {
  local gjar="$ROOT/gateway-service/target/gateway-service-$VERSION.jar"
  local ojar="$ROOT/order-service/target/order-service-$VERSION.jar"
  local njar="$ROOT/notification-service/target/notification-service-$VERSION.jar"
  local sjar="$ROOT/stream-service/target/stream-service-$VERSION.jar" with_stream="${1:-}"
  for jar in "$gjar" "$ojar" "$njar" ${with_stream:+"$sjar"}; do
    [ -f "$jar" ] || { E2E_SKIP="$jar is not built"; return 1; }
  done
  # a virtual host of this benchmark's own (RabbitMQ management API, guest on loopback), created afresh: its
  # durable order-event queue outlives the stack, and a backlog left by an earlier run (every order makes
  # four events, and fulfilment keeps making them after the driver stops) would be consumed first and
  # delay every notification of this run by however long it takes to drain (seconds, in a trial)
  curl -sS -m 10 -o /dev/null -u "${RABBITMQ_USER:-guest}:${RABBITMQ_PASSWORD:-guest}" -X DELETE \
      "http://127.0.0.1:15672/api/vhosts/bench" || true
  curl -fsS -m 5 -o /dev/null -u "${RABBITMQ_USER:-guest}:${RABBITMQ_PASSWORD:-guest}" -X PUT \
      "http://127.0.0.1:15672/api/vhosts/bench" \
    && curl -fsS -m 5 -o /dev/null -u "${RABBITMQ_USER:-guest}:${RABBITMQ_PASSWORD:-guest}" -X PUT \
      -H 'Content-Type: application/json' -d '{"configure":".*","write":".*","read":".*"}' \
      "http://127.0.0.1:15672/api/permissions/bench/${RABBITMQ_USER:-guest}" \
    || { E2E_SKIP="cannot create the RabbitMQ vhost bench through the management API on :15672"; return 1; }
  # and databases of its own, created afresh too: orders left mid-fulfilment by an earlier stack would be
  # confirmed, shipped and delivered by this one, and their events queue up ahead of this run's
  fresh_database orders_e2e
  fresh_database notifications_e2e
  local gh gs gm oh og om nh nm sh sg sm
  gh="$(free_port)" gs="$(free_port)" gm="$(free_port)" oh="$(free_port)" og="$(free_port)" om="$(free_port)"
  nh="$(free_port)" nm="$(free_port)" sh="$(free_port)" sg="$(free_port)" sm="$(free_port)"
  local limits=(ORDERS_RATE_LIMIT_RATE=1000000 ORDERS_RATE_LIMIT_BURST=1000000
    NOTIFICATIONS_RATE_LIMIT_RATE=1000000 NOTIFICATIONS_RATE_LIMIT_BURST=1000000
    STREAM_RATE_LIMIT_RATE=1000000 STREAM_RATE_LIMIT_BURST=1000000
    GATEWAY_NEW_CONNECTIONS_PER_SECOND=1000000 GATEWAY_NEW_CONNECTION_BURST=1000000
    GATEWAY_MAX_CONNECTIONS_PER_ADDRESS=1000000)
  start_service gateway-e2e "$gjar" "http://127.0.0.1:$gm/actuator/health/readiness" \
    GATEWAY_HTTP_PORT=$gh GATEWAY_HTTPS_PORT=$gs GATEWAY_MANAGEMENT_PORT=$gm GATEWAY_TLS_ENABLED=false \
    GATEWAY_HTTP3_ENABLED=false GATEWAY_KEY_DIR="$OUT/gateway-e2e/keys" GATEWAY_CERT_DIR="$OUT/gateway-e2e/certs" \
    ORDER_SERVICE_URLS="http://127.0.0.1:$oh" ORDER_GRPC_URLS="http://127.0.0.1:$og" \
    NOTIFICATION_SERVICE_URLS="http://127.0.0.1:$nh" SPRING_PROFILES_ACTIVE=demo "${limits[@]}" \
    STREAM_SERVICE_URLS="http://127.0.0.1:$sh" STREAM_GRPC_URLS="http://127.0.0.1:$sg" \
    SPRING_APPLICATION_JSON="$BULKHEAD_JSON"
  E2E_GATEWAY="http://127.0.0.1:$gh"
  E2E_PIDS+=("$SERVICE_PID")
  E2E_ORDER_MGMT=$om
  start_service order-service-e2e "$ojar" "http://127.0.0.1:$om/actuator/health/readiness" \
    ORDER_HTTP_PORT=$oh ORDER_GRPC_PORT=$og ORDER_MANAGEMENT_PORT=$om ORDERS_DB_POOL_SIZE=10 \
    ORDERS_DB_URL=jdbc:postgresql://127.0.0.1:5432/orders_e2e RABBITMQ_VHOST=bench \
    JWKS_URI="$E2E_GATEWAY/.well-known/jwks.json" SPRING_PROFILES_ACTIVE=demo
  E2E_PIDS+=("$SERVICE_PID")
  start_service notification-service-e2e "$njar" "http://127.0.0.1:$nm/actuator/health/readiness" \
    NOTIFICATION_HTTP_PORT=$nh NOTIFICATION_MANAGEMENT_PORT=$nm NOTIFICATIONS_DB_POOL_SIZE=10 \
    NOTIFICATIONS_DB_URL=jdbc:postgresql://127.0.0.1:5432/notifications_e2e RABBITMQ_VHOST=bench \
    JWKS_URI="$E2E_GATEWAY/.well-known/jwks.json" OAUTH2_TOKEN_URI="$E2E_GATEWAY/oauth2/token" \
    ORDER_GRPC_ADDRESS="static://127.0.0.1:$og" SPRING_PROFILES_ACTIVE=demo
  E2E_PIDS+=("$SERVICE_PID")
  E2E_NOTIFICATION_MGMT=$nm
  [ -n "$with_stream" ] || return 0
  # the gateway's origin is this run's: WebSocket clients (Gatling as a browser would) send it as Origin
  start_service stream-service-e2e "$sjar" "http://127.0.0.1:$sm/actuator/health/readiness" \
    STREAM_HTTP_PORT=$sh STREAM_GRPC_PORT=$sg STREAM_MANAGEMENT_PORT=$sm RABBITMQ_VHOST=bench \
    STREAM_ALLOWED_ORIGINS="$E2E_GATEWAY,http://localhost:$gh" \
    JWKS_URI="$E2E_GATEWAY/.well-known/jwks.json" SPRING_PROFILES_ACTIVE=demo
  E2E_PIDS+=("$SERVICE_PID")
}

# Gatling's mixed journeys (MixedJourneys) through a gateway: place an order and watch it to DELIVERED by
# short poll, long poll, SSE and WebSocket; browse with ETag revalidation; a steady SSE/WebSocket audience on
# stream-service. On a stack of this run (as scenario 4, plus a stream-service; rate limits raised), or on
# the running bin/suite with BENCH_JOURNEYS_SUITE=1 (its rate limits as shipped).
JOURNEY_PLACE_RATE="${BENCH_JOURNEY_PLACE_RATE:-2}"
JOURNEY_BROWSE_RATE="${BENCH_JOURNEY_BROWSE_RATE:-5}"
JOURNEY_AUDIENCE_RATE="${BENCH_JOURNEY_AUDIENCE_RATE:-5}"
JOURNEY_HOLD="${BENCH_JOURNEY_HOLD:-20}"
JOURNEY_DURATION="${BENCH_JOURNEY_DURATION:-60}"
scenario_journeys() {
  say "scenario: mixed user journeys (Gatling)"
  local gateway where
  if [ "${BENCH_JOURNEYS_SUITE:-0}" = 1 ]; then
    gateway_up && answers_http "http://127.0.0.1:9182/actuator/health/readiness" \
      && answers_http "http://127.0.0.1:9183/actuator/health/readiness" \
      || { md "## Mixed user journeys (Gatling)"; md ""; md "Skipped: BENCH_JOURNEYS_SUITE=1 but the suite is not running (bin/suite up)."; md ""; return 0; }
    gateway="$GATEWAY" where="the running suite at $GATEWAY (rate limits as shipped)"
  else
    E2E_PIDS=()
    e2e_stack with-stream || { md "## Mixed user journeys (Gatling)"; md ""; md "Skipped: $E2E_SKIP"; md ""; return 0; }
    gateway="$E2E_GATEWAY"
    where="a stack of this run (gateway, order-service, notification-service, stream-service on free ports, RabbitMQ vhost \`bench\`, rate limits raised to 10⁶/s)"
  fi
  local log="$RAW/gatling-journeys.log"
  say "  gatling MixedJourneys against $gateway for ${JOURNEY_DURATION}s"
  (cd "$ROOT" && ./mvnw -B -o -pl load-tests gatling:test -Dspotless.check.skip=true \
      -Dgatling.simulationClass=dev.protocollab.loadtests.gatling.MixedJourneys "-Dgateway=$gateway" \
      -DplaceRate="$JOURNEY_PLACE_RATE" -DbrowseRate="$JOURNEY_BROWSE_RATE" -DaudienceRate="$JOURNEY_AUDIENCE_RATE" \
      -Dhold="$JOURNEY_HOLD" -Dduration="$JOURNEY_DURATION") >"$log" 2>&1 || say "  gatling reported failures (see $log)"
  GATLING_DIR="$(ls -dt "$HERE"/results/gatling/mixedjourneys-* 2>/dev/null | head -1)"
  md "## Mixed user journeys (Gatling, open model)"
  md ""
  md "On $where, for ${JOURNEY_DURATION}s: $JOURNEY_PLACE_RATE users/s place an order and watch it until DELIVERED (the four watches in turn; fulfilment takes 2 + 3 + 3 s), $JOURNEY_BROWSE_RATE users/s browse (list, get, get again with \`If-None-Match\`: 304, or 200 with a new ETag when fulfilment moved the order in between), $JOURNEY_AUDIENCE_RATE users/s join stream-service's audience for ${JOURNEY_HOLD}s each (half SSE \`/api/stream/metrics\`, half WebSocket \`/ws/stream\`: about $(awk -v r="$JOURNEY_AUDIENCE_RATE" -v h="$JOURNEY_HOLD" 'BEGIN{printf "%d", r*h}') connected at once). Group rows are whole journeys, from the first request of the group to its end; a watch's time includes the 8 s of fulfilment."
  md ""
  md "| request or journey | ok | failed | p50 ms | p75 ms | p95 ms | p99 ms | max ms |"
  md "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  local name
  for name in "watch: short poll" "watch: long poll" "watch: SSE" "watch: WebSocket" "token" "create order" \
      "short poll" "long poll" "list orders" "get order" "get order again (If-None-Match)" \
      "audience: SSE" "audience: WebSocket"; do
    [ "$(gatling_stat "$name" ok)" = "n/a" ] && continue
    md "| $name | $(gatling_stat "$name" ok) | $(gatling_stat "$name" ko) | $(gatling_stat "$name" p50) | $(gatling_stat "$name" p75) | $(gatling_stat "$name" p95) | $(gatling_stat "$name" p99) | $(gatling_stat "$name" max) |"
    record journeys "p50" "$name" ms "$(gatling_stat "$name" p50)"
    record journeys "p99" "$name" ms "$(gatling_stat "$name" p99)"
  done
  md ""
  md "- Gatling report: [$(basename "${GATLING_DIR:-none}")](../gatling/$(basename "${GATLING_DIR:-none}")/index.html)"
  md ""
  local pid
  for pid in "${E2E_PIDS[@]}"; do stop_service "$pid"; done
  E2E_PIDS=()
}

# Before/after on a noisy machine: two gateway builds side by side in front of the same order-service,
# measured alternately (A, B, A, B; the second of each kept), so neither gets the quieter minute. A is
# BENCH_GATEWAY_JAR_A (e.g. a copy of the jar before a change), B the built gateway-service jar.
scenario_gateway_ab() {
  say "gateway A/B: two gateway builds, alternating"
  local jar_a="${BENCH_GATEWAY_JAR_A:-}"
  [ -f "$jar_a" ] || fail "gateway-ab needs BENCH_GATEWAY_JAR_A=<the other gateway jar>"
  order_backend
  gateway_measured || fail "gateway-ab needs this run's own gateway (BENCH_ORDER_SERVICE=own)"
  launch_gateway gateway-a "$jar_a"
  local a="http://127.0.0.1:$LAUNCHED_GATEWAY_PORT" b="$GATEWAY" path="/api/orders/$ORDER_ID"
  local gjit="${BENCH_GATEWAY_JIT_WARMUP:-90}"
  say "  warming gateway A up for ${gjit}s"
  wrk -t2 -c"$CONNECTIONS" -d"${gjit}s" -H "$(auth_header)" "$a$path" >/dev/null 2>&1 || true
  start_nginx
  wrk_max direct "http://127.0.0.1:$ORDER_HTTP$path"
  wrk_max nginx "http://127.0.0.1:$NGINX_H1$path"
  wrk_max gateway-a "$a$path"
  wrk_max gateway-b "$b$path"
  wrk_max direct "http://127.0.0.1:$ORDER_HTTP$path"; local direct=$RPS
  wrk_max nginx "http://127.0.0.1:$NGINX_H1$path"; local nginx=$RPS
  wrk_max gateway-a "$a$path"; local rps_a=$RPS p99_a=$P99
  wrk_max gateway-b "$b$path"; local rps_b=$RPS p99_b=$P99
  md "## Gateway A/B: two builds side by side, HTTP/1.1 \`GET /api/orders/{id}\`"
  md ""
  md "A = \`$(basename "$jar_a")\` ($(sha256sum "$jar_a" | cut -c1-12)), B = the built gateway-service jar; wrk -t2 -c$CONNECTIONS, measured in the order direct, nginx, A, B twice, second round kept."
  md ""
  md "| path | req/s | p99 ms (closed loop) | / direct | / nginx |"
  md "| --- | ---: | ---: | ---: | ---: |"
  md "| direct | $direct | | 1.00 | |"
  md "| nginx | $nginx | | $(ratio "$nginx" "$direct") | 1.00 |"
  md "| gateway A | $rps_a | $p99_a | $(ratio "$rps_a" "$direct") | $(ratio "$rps_a" "$nginx") |"
  md "| gateway B | $rps_b | $p99_b | $(ratio "$rps_b" "$direct") | $(ratio "$rps_b" "$nginx") |"
  md ""
  md "- B / A throughput: **$(ratio "$rps_b" "$rps_a")×**"
  md ""
  record gateway_ab "h1 max" direct rps "$direct"
  record gateway_ab "h1 max" nginx rps "$nginx"
  record gateway_ab "h1 max" "gateway A" rps "$rps_a"
  record gateway_ab "h1 max" "gateway B" rps "$rps_b"
}

# Scenario 6b: the whole suite as bin/suite runs it (every JVM it starts, the suite's JVM options), idle.
# Starts it when it is not running (and stops it again), lets it settle, then sums the RSS of its JVMs,
# as they are and again after a full GC of each (jcmd GC.run: what the heaps hold when G1 has given back
# what it can). Issue 8's target: <= 1.5 GiB at idle.
scenario_idle() {
  say "scenario 6b: the whole suite's idle RSS"
  local suite="$ROOT/bin/suite" pids="$ROOT/.suite/pids" started=0 settle="${BENCH_IDLE_SETTLE:-60}"
  md "## 6b. The whole suite at idle (bin/suite)"
  md ""
  if ! ls "$pids"/*.pid >/dev/null 2>&1 || ! "$suite" status | grep -q ' UP '; then
    answers_http "http://127.0.0.1:8080/" && { md "Skipped: something else answers on :8080 (another suite?)"; md ""; return 0; }
    # a failed start leaves the services that did start running (and, under flock, holding the lock)
    "$suite" up >"$RAW/suite-up.log" 2>&1 || { tail -20 "$RAW/suite-up.log" >&2; "$suite" down >>"$RAW/suite-up.log" 2>&1
      md "Skipped: bin/suite up failed (raw/suite-up.log)"; md ""; return 0; }
    started=1
  fi
  say "  suite up; idle for ${settle}s"
  sleep "$settle"
  md "\`bin/suite up\` ($(grep -o -- '-Xm[sx][0-9]*[mg]' "$ROOT/bin/suite" | head -2 | tr '\n' ' ')per JVM, the suite's options), then ${settle}s without traffic; RSS from \`/proc/<pid>/status\`, heap from \`jcmd <pid> GC.heap_info\`. \"after GC\": the same after \`jcmd <pid> GC.run\`."
  md ""
  md "| process | pid | RSS MiB | OS threads | heap committed MiB | RSS after GC MiB | heap committed after GC MiB |"
  md "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  local f name pid rss threads heap rss2 heap2 total=0 total2=0 n=0
  heap_committed() { "$JAVA_HOME/bin/jcmd" "$1" GC.heap_info 2>/dev/null \
    | awk '/garbage-first heap/ {for (i = 1; i <= NF; i++) if ($i == "committed") {v = $(i + 1); sub(/K,?/, "", v); printf "%.0f", v / 1024}}'; }
  for f in "$pids"/*.pid; do
    name="$(basename "$f" .pid)" pid="$(cat "$f")"
    [ -r "/proc/$pid/status" ] || continue
    rss="$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")"
    threads="$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")"
    heap="$(heap_committed "$pid")"
    "$JAVA_HOME/bin/jcmd" "$pid" GC.run >/dev/null 2>&1 || true
    sleep 2
    rss2="$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")"
    heap2="$(heap_committed "$pid")"
    md "| $name | $pid | $rss | $threads | ${heap:-n/a} | $rss2 | ${heap2:-n/a} |"
    record idle "RSS" "$name" MiB "$rss"
    record idle "RSS after GC" "$name" MiB "$rss2"
    total=$((total + rss)) total2=$((total2 + rss2)) n=$((n + 1))
  done
  md "| **all $n JVMs** | | **$total** | | | **$total2** | |"
  md ""
  md "Whole suite idle: **$(awk -v t="$total" 'BEGIN {printf "%.2f", t / 1024}') GiB** RSS ($(awk -v t="$total2" 'BEGIN {printf "%.2f", t / 1024}') GiB after a full GC of each JVM); target ≤ 1.5 GiB."
  md ""
  say "  suite idle RSS: $total MiB ($total2 MiB after GC)"
  [ "$started" = 1 ] && "$suite" down >>"$RAW/suite-up.log" 2>&1
  return 0
}

scenario_tuning() {
  say "tuning: before/after figures for the knobs docs/benchmarks.md discusses"
  order_backend
  local path="/api/orders/$ORDER_ID" with without
  launch_nginx nginx-keepalive "$UPSTREAM_KEEPALIVE"; with=$LAUNCHED_H1
  launch_nginx nginx-no-keepalive 0; without=$LAUNCHED_H1
  # measured twice, alternating, and the second of each kept: neither side gets the colder machine
  wrk_max nginx-no-upstream-keepalive "http://127.0.0.1:$without$path"
  wrk_max nginx-upstream-keepalive "http://127.0.0.1:$with$path"
  wrk_max nginx-no-upstream-keepalive "http://127.0.0.1:$without$path"
  local rps_without=$RPS p99_without=$P99
  wrk_max nginx-upstream-keepalive "http://127.0.0.1:$with$path"
  local rps_with=$RPS p99_with=$P99
  md "## Tuning: before and after"
  md ""
  md "| knob | before | after | change |"
  md "| --- | --- | --- | ---: |"
  md "| nginx upstream keep-alive (\`keepalive $UPSTREAM_KEEPALIVE\` to order-service) | none: $rps_without req/s, p99 $p99_without ms | $rps_with req/s, p99 $p99_with ms | $(ratio "$rps_with" "$rps_without")× throughput |"
  record tuning "nginx upstream keep-alive" "off" rps "$rps_without"
  record tuning "nginx upstream keep-alive" "on" rps "$rps_with"
  md ""
}

scenario_startup() {
  say "scenario 6: start-up with and without the AOT cache"
  ensure_database orders_bench
  ensure_database notifications_bench
  md "## 6. Start-up time and RSS, with and without the JDK 25 AOT cache"
  md ""
  md "Each jar is extracted (\`java -Djarmode=tools -jar X.jar extract\`) and two caches are trained (\`-XX:AOTCacheOutput\`): *refresh* exits after the context refresh (\`-Dspring.context.exit=onRefresh\`, the Dockerfile's training), *workload* starts to readiness, answers a few actuator requests and ends with SIGTERM (bin/suite's). Then the service is started ${BENCH_STARTUP_RUNS:-3} times with each (none, \`-XX:AOTCache=refresh.aot\`, \`-XX:AOTCache=workload.aot\`), on ports of its own. Time = from exec to the first 200 of \`/actuator/health/readiness\` (and Spring's own \"Started … in\" figure); RSS read at readiness. Median of ${BENCH_STARTUP_RUNS:-3}."
  md ""
  md "| service | ready s (no cache) | Spring s | RSS MiB | ready s (refresh-trained cache) | Spring s | RSS MiB | ready s (workload-trained cache) | Spring s | RSS MiB | cache MiB (refresh / workload) |"
  md "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  local svc
  for svc in ${BENCH_STARTUP_SERVICES:-order-service notification-service stream-service gateway-service}; do
    startup_one "$svc"
  done
  md ""
}
# per service: the environment of a start-up run on free ports (others' builds and tests use fixed ones), then
# "|" and the management port
startup_env() {
  local a b c
  a="$(free_port)" b="$(free_port)" c="$(free_port)"
  case "$1" in
    order-service) echo "ORDER_HTTP_PORT=$a ORDER_GRPC_PORT=$b ORDER_MANAGEMENT_PORT=$c ORDERS_DB_URL=jdbc:postgresql://127.0.0.1:5432/orders_bench ORDERS_DB_POOL_SIZE=5 ORDERS_DEVELOPMENT_HEADER=true|$c" ;;
    notification-service) echo "NOTIFICATION_HTTP_PORT=$a NOTIFICATION_MANAGEMENT_PORT=$c NOTIFICATIONS_DB_URL=jdbc:postgresql://127.0.0.1:5432/notifications_bench NOTIFICATIONS_DB_POOL_SIZE=5|$c" ;;
    stream-service) echo "STREAM_HTTP_PORT=$a STREAM_GRPC_PORT=$b STREAM_MANAGEMENT_PORT=$c|$c" ;;
    gateway-service) echo "GATEWAY_HTTP_PORT=$a GATEWAY_HTTPS_PORT=$b GATEWAY_MANAGEMENT_PORT=$c|$c" ;;
  esac
}
startup_one() {
  local svc=$1 jar="$ROOT/$1/target/$1-$VERSION.jar" spec envs mport dir
  if [ ! -f "$jar" ]; then md "| $svc | not built | | | | | | | | | |"; return; fi
  spec="$(startup_env "$svc")" envs="${spec%|*}" mport="${spec#*|}"
  dir="$OUT/aot/$svc"
  mkdir -p "$dir"
  cp "$jar" "$dir/$svc.jar"
  JAVA -Djarmode=tools -jar "$dir/$svc.jar" extract --force --destination "$dir/app" >/dev/null
  rm -f "$dir/$svc.jar"
  local app="$dir/app/$svc.jar"
  # training run 1 (what the Dockerfile does): the cache records what is loaded up to the context refresh
  # shellcheck disable=SC2086
  (cd "$dir" && env $envs SPRING_PROFILES_ACTIVE=demo timeout 180 "$JAVA_HOME/bin/java" $SERVICE_JAVA_OPTS \
      -XX:AOTCacheOutput="$dir/refresh.aot" -Dspring.context.exit=onRefresh -jar "$app") >"$RAW/aot-train-$svc.log" 2>&1 || true
  # training run 2 (what bin/suite does): a real start to readiness, a little work, then SIGTERM
  startup_train_workload "$svc" "$dir" "$app" "$envs" "$mport"
  local mode i
  declare -A ready=() spring=() rss=()
  for mode in none refresh workload; do
    for i in $(seq "${BENCH_STARTUP_RUNS:-3}"); do
      local flags="" start pid ready_ms started
      [ "$mode" != none ] && [ -f "$dir/$mode.aot" ] && flags="-XX:AOTCache=$dir/$mode.aot"
      start=$(date +%s%N)
      # shellcheck disable=SC2086
      (cd "$dir" && exec env $envs SPRING_PROFILES_ACTIVE=demo "$JAVA_HOME/bin/java" $SERVICE_JAVA_OPTS $flags -jar "$app") \
        >"$RAW/startup-$svc-$mode-$i.log" 2>&1 </dev/null &
      pid=$!
      STARTED_PIDS+=("$pid")
      local deadline=$((SECONDS + 120))
      until curl -fsS -m 1 -o /dev/null "http://127.0.0.1:$mport/actuator/health/readiness" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ] || break
        sleep 0.02
      done
      ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
      ready[$mode]+=" $ready_ms"
      rss[$mode]+=" $(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || echo 0)"
      started="$(grep -o 'Started [A-Za-z]* in [0-9.]* seconds' "$RAW/startup-$svc-$mode-$i.log" | awk '{print $4}' | head -1 || true)"
      spring[$mode]+=" ${started:-0}"
      kill -TERM "$pid" 2>/dev/null || true
      timeout 30 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    done
  done
  local row="| $svc" m r
  for m in none refresh workload; do
    # shellcheck disable=SC2086
    r="$(median ${ready[$m]})"
    # shellcheck disable=SC2086
    row+=" | $(awk -v v="$r" 'BEGIN{printf "%.2f", v/1000}') | $(median ${spring[$m]}) | $(median ${rss[$m]})"
    record startup "$(case $m in none) echo "no cache" ;; *) echo "AOT cache, $m-trained" ;; esac)" "$svc" s "$(awk -v v="$r" 'BEGIN{printf "%.2f", v/1000}')"
  done
  local size_r size_w
  size_r="$( [ -f "$dir/refresh.aot" ] && du -m "$dir/refresh.aot" | cut -f1 || echo 'none (raw/aot-train log)')"
  size_w="$( [ -f "$dir/workload.aot" ] && du -m "$dir/workload.aot" | cut -f1 || echo 'none (raw/aot-train log)')"
  md "$row | $size_r / $size_w |"
  say "  $svc: ready (median ms) none${ready[none]} / refresh-trained${ready[refresh]} / workload-trained${ready[workload]}"
  rm -rf "$dir/app"
}
# A training run on a workload instead of exit-at-refresh: the cache then also holds what starting the web
# servers, gRPC, listeners and schedulers and answering the first requests loads. The JVM writes the cache
# when it exits, so the run ends with SIGTERM after a few requests of the kind the service serves.
startup_train_workload() {
  local svc=$1 dir=$2 app=$3 envs=$4 mport=$5 pid i
  # shellcheck disable=SC2086
  (cd "$dir" && exec env $envs SPRING_PROFILES_ACTIVE=demo "$JAVA_HOME/bin/java" $SERVICE_JAVA_OPTS \
      -XX:AOTCacheOutput="$dir/workload.aot" -jar "$app") >"$RAW/aot-train-workload-$svc.log" 2>&1 </dev/null &
  pid=$!
  STARTED_PIDS+=("$pid")
  local deadline=$((SECONDS + 180))
  until answers_http "http://127.0.0.1:$mport/actuator/health/readiness"; do
    kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ] || break
    sleep 0.2
  done
  for i in 1 2 3 4 5; do
    curl -fsS -m 5 -o /dev/null "http://127.0.0.1:$mport/actuator/health" 2>/dev/null || true
    curl -fsS -m 5 -o /dev/null "http://127.0.0.1:$mport/actuator/prometheus" 2>/dev/null || true
  done
  kill -TERM "$pid" 2>/dev/null || true
  # writing the cache (a second JVM assembles it) takes a few seconds after the application has stopped
  timeout 120 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# ---------------------------------------------------------------------------------------------------------

main() {
  local scenarios=("$@")
  [ ${#scenarios[@]} -gt 0 ] || scenarios=(gateway grpc nagle longpoll startup)
  # the longest (start-up: 28 JVM starts) last
  [ "${scenarios[0]}" = all ] && scenarios=(gateway grpc e2e journeys fanout longpoll nagle tuning startup idle)
  select_java
  need wrk h2load nginx jq curl python3 envsubst
  mkdir -p "$RAW"
  : >"$TSV"
  ensure_driver
  machine_info
  local s
  for s in "${scenarios[@]}"; do
    declare -F "scenario_${s//-/_}" >/dev/null || fail "unknown scenario $s (gateway gateway-ab grpc fanout e2e journeys longpoll startup idle nagle tuning all)"
    "scenario_${s//-/_}"
  done
  md "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  if command -v gnuplot >/dev/null; then "$HERE/plot.sh" "$OUT" || say "charts failed"; fi
  ln -sfn "$RUN_ID" "$HERE/results/latest"
  say "done: $SUMMARY"
}

main "$@"
