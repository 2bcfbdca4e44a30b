#!/usr/bin/env bash
# GPU benchmark for docs/benchmarks.md: builds with the CUDA ONNX Runtime (-Ponnxruntime-gpu) and
# DJL's CUDA libtorch (-Ppytorch-cuda), then measures
#   1. inference: reference-size generator (width 64, depth 4), fp32 and fp16, batch 1 and 8, at
#      256, 512 and 1024 px: latency, images/s, device memory, fp16-vs-fp32 delta PSNR;
#   2. training: a few GAN steps at 256 and 512 px on cuda:0, seconds per step.
# Fits in a few minutes on an H100/H200-class machine once the build's jars are in ~/.m2.
#
# Usage: bench/gpu.sh [OUT_DIR]            (default bench/out; results in OUT_DIR/*.md, *.txt)
# Env:   FRAN_CHECKPOINT=FILE  time a trained generator instead of random weights (PSNR on it)
#        MVN_FLAGS=-o          extra Maven flags (here: offline)
#        SKIP_BUILD=1          reuse fran-examples/target/fran.jar from an earlier run
#        SKIP_TRAIN=1          inference only (e.g. where the cu128 natives are not available)
#        SMOKE=1               check this script on a CPU-only machine: CPU device, no GPU
#                              profiles, tiny sizes and width (the figures then mean nothing)
#
# Needs: an NVIDIA GPU with its driver, CUDA 12 and cuDNN 9 libraries on the library path (for
# onnxruntime_gpu 1.23), Java 17, Maven; the onnxruntime_gpu and pytorch-native-cu128 jars either
# in ~/.m2 already or reachable on Maven Central (mvn -Ponnxruntime-gpu,pytorch-cuda
# dependency:go-offline on a connected machine fills ~/.m2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-bench/out}"
mkdir -p "$out"
log() { printf '[gpu.sh %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

smoke="${SMOKE:-0}"
device=cuda sizes=256,512,1024 train_sizes="256 512" width=64 profiles=onnxruntime-gpu flavor=cu128
[ "${SKIP_TRAIN:-0}" = 1 ] || profiles="$profiles,pytorch-cuda"
if [ "$smoke" = 1 ]; then
  device=cpu sizes=32 train_sizes=32 width=8 profiles= flavor=cpu
elif ! command -v nvidia-smi >/dev/null || ! nvidia-smi >/dev/null 2>&1; then
  echo "bench/gpu.sh: no working nvidia-smi: this machine has no usable NVIDIA GPU" >&2
  exit 1
fi
{
  date -u '+%d %b %Y, %H:%M UTC'
  [ "$smoke" = 1 ] || nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv
  grep -m1 'model name' /proc/cpuinfo || true
  echo "cores: $(nproc)"
  uptime
} | tee "$out/machine.txt"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building with profiles [${profiles}]"
  # shellcheck disable=SC2086
  mvn -B -q ${MVN_FLAGS:-} ${profiles:+"-P$profiles"} -pl fran-examples -am package -DskipTests
fi
jar=fran-examples/target/fran.jar
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184}"
fran() { java -Djava.awt.headless=true ${JAVA_OPTS:-} -jar "$jar" "$@"; }

ckpt=()
[ -n "${FRAN_CHECKPOINT:-}" ] && ckpt=(--checkpoint "$FRAN_CHECKPOINT")
log "inference benchmark"
gpu_opts=()
[ "$device" = cuda ] && gpu_opts=(--option cuda.cudnn_conv_use_max_workspace=1)
PYTORCH_FLAVOR=cpu fran bench --device "$device" --precision fp32,fp16 --batch 1,8 \
  --sizes "$sizes" --width "$width" --runs 10 --warmup 3 "${ckpt[@]}" "${gpu_opts[@]}" \
  --out "$out/inference.md"

if [ "${SKIP_TRAIN:-0}" = 1 ]; then
  log "training skipped (SKIP_TRAIN=1)"
  exit 0
fi
log "training benchmark"
rm -rf "$out/data"
fran synth --out "$out/data" --identities 4 --size 512 --ages 20:70:50 --seed 1 >/dev/null
: > "$out/training.txt"
for size in $train_sizes; do
  # Seconds per step = (time of 6 steps - time of 1 step) / 5: start-up and the first step's
  # cuDNN autotuning cancel out.
  for steps in 1 6; do
    rm -rf "$out/run-$size-$steps"
    t0=$(date +%s.%N)
    PYTORCH_FLAVOR=$flavor fran train --data "$out/data" --out "$out/run-$size-$steps" \
      --size "$size" --width "$width" --batch-identities 4 --epochs 100 \
      --batches-per-epoch 10 --max-steps "$steps" --workers 2 --no-progress \
      --device "$device" >/dev/null
    t1=$(date +%s.%N)
    eval "t_${steps}=$(echo "$t1 - $t0" | bc)"
  done
  per=$(echo "scale=3; ($t_6 - $t_1) / 5" | bc)
  echo "train --size $size --width $width --batch-identities 4 (8 images) on $device: $per s/step (1 step: $t_1 s, 6 steps: $t_6 s in total)" | tee -a "$out/training.txt"
done
log "done: $out/inference.md $out/training.txt"
