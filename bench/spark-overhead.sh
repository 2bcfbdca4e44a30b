#!/usr/bin/env bash
# Spark's overhead for docs/benchmarks.md: images per second at 256x256 for `fran reage` over a
# folder in one JVM and for the fran-spark job in local[1] and local[2] (batch size 1, as fran
# reage, and the job's default 4), same model (the seed-size generator, width 64, depth 4, seeded
# random weights, exported to fp32 ONNX) and the same random-pixel images, one run each. Checks
# that every run wrote the same bytes. Records the machine and the load (uptime) around each run,
# and for the job the time of its re-aging stage (Spark's job 0, which re-ages and writes the
# manifest), apart from the JVM and Spark start-up and the driver's model check: run it on an idle
# machine for figures worth quoting.
#
# Usage: bench/spark-overhead.sh [OUT_DIR]    (default target/bench-spark; results in OUT_DIR/results.md)
# Env:   COUNT=24        images (default 24)
#        SKIP_BUILD=1    reuse fran-examples/target/fran.jar and fran-spark/target/fran-spark.jar
#        MVN_FLAGS=-o    extra Maven flags
#        NICE=10         run the measured commands under nice (on a shared machine)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-target/bench-spark}"
count="${COUNT:-24}"
mkdir -p "$out"
log() { printf '[spark-overhead %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building fran.jar and fran-spark.jar"
  # shellcheck disable=SC2086
  mvn -B -q ${MVN_FLAGS:-} package -DskipTests -pl fran-examples,fran-spark -am
fi
fran_jar=fran-examples/target/fran.jar
spark_jar=fran-spark/target/fran-spark.jar
run() { nice -n "${NICE:-0}" java -Djava.awt.headless=true "$@"; }
# Spark's scheduler at INFO (the rest at WARN, as the job's own logging): "Job 0 finished ... took".
cat > "$out/log4j2-bench.properties" <<'LOG'
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
logger.dag.name = org.apache.spark.scheduler.DAGScheduler
logger.dag.level = info
LOG
log4j="-Dlog4j2.configurationFile=$out/log4j2-bench.properties"

if [ ! -f "$out/ref.onnx" ] || [ "$(ls "$out/in" 2>/dev/null | wc -l)" -ne "$count" ]; then
  log "writing the model and $count images"
  rm -rf "$out/in"
  java -cp "$fran_jar" bench/SparkBenchInputs.java "$out" "$count"
  java -jar "$fran_jar" export --checkpoint "$out/model.safetensors" --out "$out/ref.onnx" >/dev/null
fi

flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
isa=""
for f in avx2 avx512f avx512_vnni avx512_bf16 amx_tile; do
  case " $flags " in *" $f "*) isa="$isa $f" ;; esac
done
{
  echo "date: $(date -u '+%d %b %Y, %H:%M UTC')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores,${isa:- no AVX2}"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "images: $count random-pixel 256x256 PNGs; model: $out/ref.onnx (width 64, depth 4, fp32)"
  echo
  echo "| run | wall (s) | images/s (wall) | re-aging stage (s) | images/s (stage) | images/s (steady) | load before | load after |"
  echo "|---|---|---|---|---|---|---|---|"
} > "$out/results.md"

# time_run NAME OUTPUT_DIR BATCH COMMAND...: one timed run, one results row. The steady rate is
# read the same way for both programs, from the outputs' modification times: the images re-aged
# after the first batch's outputs were written, over the time from those to the last batch's.
# It leaves out start-up, model opening and the first (warm-up) batch in both, so it compares the
# per-image loops alone.
time_run() {
  local name="$1" dir="$2" batch="$3"
  shift 3
  rm -rf "$dir"
  local before after t0 t1
  before=$(uptime | sed 's/.*load average: //')
  log "$name"
  t0=$(date +%s.%N)
  "$@" > "$dir.log" 2>&1 || { log "$name failed, see $dir.log"; exit 1; }
  t1=$(date +%s.%N)
  after=$(uptime | sed 's/.*load average: //')
  # Spark logs "Job 0 finished: ..., took 12.3 s" (or "... took 12345 ms").
  local stage
  stage=$(sed -n 's/.*Job 0 finished.* took \([0-9.]*\) \(m\{0,1\}s\).*/\1 \2/p' "$dir.log" | head -1)
  local steady
  steady=$(find "$dir" -maxdepth 1 -name '*.png' -printf '%T@\n' | sort -n | awk -v k="$batch" \
    '{ t[NR] = $1 } END { if (NR > k && t[NR] > t[1]) printf "%.3f", (NR - k) / (t[NR] - t[1]); else print "-" }')
  awk -v n="$name" -v a="$t0" -v b="$t1" -v c="$count" -v lb="$before" -v la="$after" -v st="$stage" \
      -v sr="$steady" \
    'BEGIN { split(st, p, " "); s = p[2] == "ms" ? p[1] / 1000 : p[1];
             printf "| %s | %.1f | %.3f | %s | %s | %s | %s | %s |\n", n, b - a, c / (b - a),
               st == "" ? "-" : sprintf("%.1f", s), st == "" ? "-" : sprintf("%.3f", c / s), sr, lb, la }' \
    >> "$out/results.md"
}

common=(--model "$out/ref.onnx" --input "$out/in" --from 30 --to 70 --face full)
time_run "fran reage, one JVM" "$out/out-reage" 1 run -jar "$fran_jar" reage "${common[@]}" --output "$out/out-reage"
time_run "job, local[1], --batch-size 1" "$out/out-l1b1" 1 run "$log4j" -jar "$spark_jar" --master 'local[1]' "${common[@]}" --output "$out/out-l1b1" --batch-size 1
time_run "job, local[1], --batch-size 4" "$out/out-l1b4" 4 run "$log4j" -jar "$spark_jar" --master 'local[1]' "${common[@]}" --output "$out/out-l1b4" --batch-size 4
time_run "job, local[2], --batch-size 4" "$out/out-l2b4" 8 run "$log4j" -jar "$spark_jar" --master 'local[2]' "${common[@]}" --output "$out/out-l2b4" --batch-size 4

same=yes
for f in "$out"/in/*.png; do
  n=$(basename "$f")
  for d in out-l1b1 out-l1b4 out-l2b4; do
    # fran reage names a folder's outputs NAME_age70.png; the job keeps the input's name.
    cmp -s "$out/out-reage/${n%.png}_age70.png" "$out/$d/$n" || { same=no; log "$d/$n differs from fran reage's"; }
  done
done
echo >> "$out/results.md"
echo "all outputs byte-identical to fran reage's: $same" >> "$out/results.md"
cat "$out/results.md"
