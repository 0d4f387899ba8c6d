#!/usr/bin/env bash
# The device checks in one run, for a session that is lent a GPU (see the device tool's README):
# pytest -m gpu, then the GPU benchmarks, every log under $OUT. Each step has its own time
# budget so that one slow step cannot eat the others; at most 11 minutes in all.
#   carry: .whl (skorch and the other wheels missing there), then run:
#   bash benchmarks/gpu_checks.sh
set -uo pipefail
OUT="${OUT:-gpu-results}"
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg
if [ -d .whl ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl && export PYTHONPATH="/tmp/site:$PWD"
fi
nvidia-smi --query-gpu=name,memory.total --format=csv > "$OUT/device.txt" 2>&1
run() {  # name, seconds, command...
    local name=$1 limit=$2; shift 2
    echo "== $name" | tee -a "$OUT/summary.txt"
    timeout "$limit" "$@" > "$OUT/$name.txt" 2>&1
    echo "   exit $? after ${SECONDS}s" | tee -a "$OUT/summary.txt"
}
run pytest-gpu 150 python3 -m pytest -q -m gpu -p no:cacheprovider
run bench-sweep 150 python3 benchmarks/bench_sweep.py --device cuda --no-dask
run bench-many-fits 150 python3 benchmarks/bench_many_fits.py --device cuda --epochs 5 --rounds 2
run bench-gm-layers 90 python3 benchmarks/bench_gm_layers.py --device cuda --min-run-time 0.2 --rounds 5
run bench-emlp 90 python3 benchmarks/bench_emlp.py --device cuda --timing-only --quick
tail -n 3 "$OUT"/*.txt > "$OUT/tails.txt"
