#!/usr/bin/env bash
# The GPU check, in one go: at most 6 minutes on one H200, the package install included.
#
#   bash benchmarks/gpu.sh                 # on a machine with a GPU: every stage below
#   bash benchmarks/gpu.sh base large      # only these stages
#   bash benchmarks/gpu.sh --dry-run       # anywhere: the same stages at toy size on the CPU
#
# Stages: tests (pytest -m gpu), base and large (benchmarks/train_throughput.py at XLM-R base
# and large shapes, effective batch 32, max length 256, xitt against the Hugging Face Trainer
# side by side), compile (xitt alone, base shape, torch.compile of the encoder: XITT_COMPILE), run
# last and only while time is left. GPU_COMPILE_SHAPE=large and XITT_COMPILE_MODE=reduce-overhead
# (CUDA graphs) choose another compiled run, e.g. as a second call: bash benchmarks/gpu.sh compile. The models are XLM-R shaped with random weights (a
# config, no download): throughput and MFU do not need pretrained weights.
#
# Packages the GPU machine lacks travel as wheels in .whl/ (../shared/tools/gpu-wheels.sh
# fetches them); they are installed into /tmp/site first. Results go to $OUT (default
# benchmarks/results/gpu/): gpu.log, train_throughput_{base,large,base_compiled}.json and
# gpu.json, the summary with the issue's goals (large: MFU >= 35% and >= 3x HF Trainer;
# base: MFU >= 25%).
set -uo pipefail
cd "$(dirname "$0")/.."

DRY=0
STAGES=()
for arg in "$@"; do
    case $arg in
        --dry-run) DRY=1 ;;
        tests|base|large|compile) STAGES+=("$arg") ;;
        *) echo "unknown argument: $arg (stages: tests base large compile; --dry-run)" >&2; exit 2 ;;
    esac
done
((${#STAGES[@]})) || STAGES=(tests base large compile)
BUDGET_S=${GPU_BUDGET_S:-350}  # the whole script, install included
OUT=${OUT:-benchmarks/results/gpu}
mkdir -p "$OUT"
LOG=$OUT/gpu.log
: >"$LOG"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

say() { echo "[gpu.sh ${SECONDS}s] $*" | tee -a "$LOG"; }
left() { echo $((BUDGET_S - SECONDS)); }
wanted() { [[ " ${STAGES[*]} " == *" $1 "* ]]; }

if ((DRY)); then
    PY=${PYTHON:-.venv/bin/python}
    [[ -x $PY ]] || PY=python3
    # Toy size on the CPU: the script's logic, not the GPU's speed.
    BENCH=(--device cpu --shape quickstart --examples 64 --max-length 64 --repeats 1 --peak-tflops 1)
else
    PY=${PYTHON:-python3}
    BENCH=(--device cuda --examples 4000 --max-length 256 --batch 32 --repeats 2)
fi
if compgen -G ".whl/*.whl" >/dev/null; then
    say "installing $(ls .whl/*.whl | wc -l) wheels from .whl/ into /tmp/site"
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl >>"$LOG" 2>&1 \
        || { say "wheel install failed (see $LOG)"; exit 1; }
    export PYTHONPATH=/tmp/site:$PWD
else
    export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
fi
{ nvidia-smi -L 2>/dev/null || echo "no nvidia-smi"; "$PY" -c "import torch, transformers; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'transformers', transformers.__version__)"; } >>"$LOG" 2>&1
say "stages: ${STAGES[*]}; dry run: $DRY; budget ${BUDGET_S}s"

# stage NAME SECONDS COMMAND...: run COMMAND with at most SECONDS (and no more than is left), output to the log.
stage() {
    local name=$1 most=$2
    shift 2
    local limit
    limit=$(left)
    ((limit > most)) && limit=$most
    if ((limit < 20)); then
        say "$name: skipped, ${limit}s left"
        echo "$name skipped" >>"$OUT/stages.txt"
        return 0
    fi
    say "$name: up to ${limit}s: $*"
    timeout "$limit" "$@" >>"$LOG" 2>&1
    local rc=$?
    say "$name: exit $rc$( ((rc == 124)) && echo ' (timed out)')"
    echo "$name $rc" >>"$OUT/stages.txt"
}
: >"$OUT/stages.txt"

wanted tests && stage tests 120 "$PY" -m pytest -q -m gpu tests/test_models.py -p no:cacheprovider
for shape in base large; do
    wanted $shape || continue
    if ((DRY)); then
        stage $shape 120 "$PY" benchmarks/train_throughput.py "${BENCH[@]}" --out "$OUT/train_throughput_$shape.json"
    else
        stage $shape $([[ $shape == large ]] && echo 140 || echo 100) \
            "$PY" benchmarks/train_throughput.py "${BENCH[@]}" --shape $shape --out "$OUT/train_throughput_$shape.json"
    fi
done
if wanted compile; then
    # Compiles before the clock starts (a warm-up over every example: every bucket seen).
    if ((DRY)); then
        stage compile 120 "$PY" benchmarks/train_throughput.py "${BENCH[@]}" --sides xitt --compile 1 --out "$OUT/train_throughput_base_compiled.json"
    else
        stage compile 600 "$PY" benchmarks/train_throughput.py "${BENCH[@]}" --shape "${GPU_COMPILE_SHAPE:-base}" --repeats 1 --sides xitt \
            --compile "${XITT_COMPILE_MODE:-default}" --warmup-examples 4000 --out "$OUT/train_throughput_base_compiled.json"
    fi
fi

"$PY" benchmarks/gpu_summary.py "$OUT" | tee -a "$LOG"
say "done"
