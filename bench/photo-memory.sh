#!/usr/bin/env bash
# Peak RSS of `fran reage` per photo size and crop mode, for the per-megapixel costs in
# docs/benchmarks.md ("Photo memory per megapixel") and io.github.fran4j.core.pipeline.PhotoMemory.
# Usage: bench/photo-memory.sh DIR   (DIR made by: java -cp fran.jar bench/PhotoMemoryInputs.java inputs DIR,
# with fran.jar copied into DIR). Prints: mode model MP peak_rss_kB wall_s exit.
set -uo pipefail
d="$1"
jar="$d/fran.jar"
run() { # mode model mp args...
  local mode=$1 model=$2 mp=$3; shift 3
  /usr/bin/time -o "$d/time.txt" -f "%M %e" "$@" > "$d/log.txt" 2>&1
  local rc=$?
  echo "$mode $model $mp $(cat "$d/time.txt" | tail -1) $rc"
}
J="java -Xmx6g -Djava.awt.headless=true"
for mp in 0.5 2.0 8.0; do
  run none - $mp $J -cp "$jar" bench/PhotoMemoryInputs.java none "$d/noise-$mp.jpg" "$d/out.png"
done
for w in 8 16; do
  for mp in 0.5 2.0; do
    run full w$w $mp $J -jar "$jar" reage --model "$d/w$w.safetensors" --input "$d/noise-$mp.jpg" \
      --output "$d/out.png" --from 30 --to 70 --face full --max-pixels 1000000000
  done
done
for mp in 2.0 8.0; do
  run aligned w8 $mp $J -jar "$jar" reage --model "$d/w8.safetensors" --input "$d/noise-$mp.jpg" \
    --output "$d/out.png" --from 30 --to 70 --face 200,200,400,400 --max-pixels 1000000000
  run community w8 $mp $J -jar "$jar" reage --model "$d/w8.safetensors" --input "$d/noise-$mp.jpg" \
    --output "$d/out.png" --from 30 --to 70 --face 200,200,400,400 --recipe community --max-pixels 1000000000
done
