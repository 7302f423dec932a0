#!/usr/bin/env bash
# Draws one PNG per scenario from a bench.sh run's results.tsv (gnuplot, clustered bars):
#   load-tests/plot.sh load-tests/results/<run id> [output dir, default: the run dir]
set -euo pipefail
RUN="${1:?usage: plot.sh <results dir> [output dir]}"
OUTDIR="${2:-$RUN}"
TSV="$RUN/results.tsv"
[ -s "$TSV" ] || { echo "plot: $TSV is empty" >&2; exit 0; }
command -v gnuplot >/dev/null || { echo "plot: gnuplot missing (apt-get install gnuplot-nox)" >&2; exit 1; }
mkdir -p "$OUTDIR"

title_of() {
  case "$1" in
    gateway) echo "1. GET /api/orders/{id}: direct vs nginx vs gateway" ;;
    grpc) echo "2. GetOrder: REST h1 / h2c vs gRPC unary (calls/s)" ;;
    fanout) echo "3. stream-service fan-out: delivery latency (ms) by subscribers" ;;
    e2e) echo "4. order -> WebSocket notification latency (ms) by orders/s" ;;
    longpoll) echo "5. parked long polls: server memory per 1k polls (MiB)" ;;
    startup) echo "6. start-up to readiness (s): no cache, cache trained to refresh, cache trained on a workload" ;;
    idle) echo "6b. the whole suite at idle: RSS per JVM (MiB)" ;;
    nagle) echo "Nagle: p50 round trip (ms) of write-write-read" ;;
    journeys) echo "Gatling mixed journeys: p50 / p99 (ms) per request and journey" ;;
    *) echo "$1" ;;
  esac
}

plot_scenario() {
  local scenario=$1 metrics dat="$OUTDIR/$1.dat"
  # one chart per unit: gateway has req/s and ms, drawn as two panels
  metrics="$(awk -F'\t' -v s="$scenario" '$1 == s {print $4}' "$TSV" | awk '!seen[$0]++')"
  local panels; panels="$(wc -w <<<"$metrics")"
  {
    echo "set terminal pngcairo size 1000,$((380 * panels)) font 'sans,10'"
    echo "set output '$OUTDIR/$scenario.png'"
    echo "set multiplot layout $panels,1 title '$(title_of "$scenario")'"
    echo "set style data histograms; set style histogram clustered gap 1; set style fill solid 0.85 border -1"
    echo "set datafile missing '?'; set datafile separator '\t'; set key outside right top; set grid ytics"
    echo "set yrange [0:*]; set xtics rotate by -20"
  } >"$OUTDIR/$scenario.gp"
  local metric i=0
  for metric in $metrics; do
    i=$((i + 1))
    local file="$dat.$i"
    # pivot: rows = x, columns = series
    awk -F'\t' -v s="$scenario" -v m="$metric" '
      $1 == s && $4 == m {
        if (!($2 in si)) { si[$2] = ++ns; series[ns] = $2 }
        if (!($3 in xi)) { xi[$3] = ++nx; xs[nx] = $3 }
        v = $5; if (v == "" || v == "n/a" || v == "null") v = "?"; val[xi[$3], si[$2]] = v }
      END {
        printf "x"; for (j = 1; j <= ns; j++) printf "\t%s", series[j]; printf "\n"
        for (k = 1; k <= nx; k++) { printf "%s", xs[k]; for (j = 1; j <= ns; j++) printf "\t%s", ((k, j) in val ? val[k, j] : "?"); printf "\n" } }
    ' "$TSV" >"$file"
    local ns; ns=$(( $(head -1 "$file" | awk -F'\t' '{print NF}') - 1 ))
    {
      echo "set ylabel '$metric'"
      printf "plot for [c=2:%d] '%s' using c:xtic(1) title columnheader(c)\n" "$((ns + 1))" "$file"
    } >>"$OUTDIR/$scenario.gp"
  done
  echo "unset multiplot" >>"$OUTDIR/$scenario.gp"
  gnuplot "$OUTDIR/$scenario.gp" && echo "plot: $OUTDIR/$scenario.png" >&2
}

for scenario in $(cut -f1 "$TSV" | awk '!seen[$0]++'); do
  plot_scenario "$scenario"
done
