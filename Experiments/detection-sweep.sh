#!/usr/bin/env bash
# Which strategies are stealthy: plants each strategy at several collective sizes in each fold
# of a dataset ('chorus plant'), scores every playlist with the detectors ('chorus detect'), and
# tabulates ROC AUC, precision and recall per strategy and size (mean ± 95% CI over folds).
# Usage: bash Experiments/detection-sweep.sh [DATASET] [OUT_DIR] [FLAG_RATE[,FLAG_RATE...]]
#   defaults: synthetic:small, results/detection-sweep, 0.001. BUDGETS='10 40 200' (the default)
#   sets the collective sizes in playlists (e.g. BUDGETS='48 192 960' on synthetic:medium).
#   With several flag rates each planted dataset is scored at every rate (one plant per run) and
#   rate r's files and table go to OUT_DIR/rate-r; with one rate they go to OUT_DIR itself.
#   Needs swift build -c release and python3 (standard library only) for the final table.
#   Finishes with 'chorus report OUT_DIR', which draws OUT_DIR/figures/detection.svg: per flag
#   rate, recall and precision against collective size per strategy, and the ROC AUC.
set -euo pipefail
dataset=${1:-synthetic:small}
out=${2:-results/detection-sweep}
IFS=, read -r -a rates <<< "${3:-0.001}"
read -r -a budgets <<< "${BUDGETS:-10 40 200}"
chorus=${CHORUS:-.build/release/chorus}
# The folder of rate $1's results.
folder() {
  if ((${#rates[@]} == 1)); then echo "$out"; else echo "$out/rate-$1"; fi
}
for rate in "${rates[@]}"; do mkdir -p "$(folder "$rate")"; done
for strategy in dirlof inclust hybrid random at-the-end; do
  for budget in "${budgets[@]}"; do
    for fold in 0 1 2; do
      name="$strategy-b$budget-f$fold"
      missing=()
      for rate in "${rates[@]}"; do
        [[ -f "$(folder "$rate")/$name.json" ]] || missing+=("$rate")
      done
      ((${#missing[@]} == 0)) && continue
      planted="$out/$name"
      "$chorus" plant --dataset "$dataset" --strategy "$strategy" --budget "$budget" \
        --fold "$fold" --folds 3 --out "$planted.chorus" > /dev/null 2>&1
      for rate in "${missing[@]}"; do
        run="$(folder "$rate")/$name"
        "$chorus" detect --dataset "$planted.chorus" --edits "$planted.edits.csv" \
          --flag-rate "$rate" --json 2> /dev/null > "$run.json.tmp"
        mv "$run.json.tmp" "$run.json"
      done
      rm -f "$planted.chorus"
    done
  done
done
for rate in "${rates[@]}"; do
  ((${#rates[@]} == 1)) || echo "flag rate $rate:"
  python3 - "$(folder "$rate")" <<'PY'
import glob, json, math, os, sys
from collections import defaultdict
runs = defaultdict(list)
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    strategy, budget, _ = os.path.basename(path)[:-5].rsplit("-", 2)
    for row in json.load(open(path))["rows"]:
        runs[(strategy, int(budget[1:]), row["detector"])].append(row["metrics"])
def mean_ci(values):
    values = [v for v in values if v is not None]
    if not values: return "n/a"
    m = sum(values) / len(values)
    if len(values) < 2: return f"{m:.3f}"
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))
    return f"{m:.3f} ± {1.96 * sd / math.sqrt(len(values)):.3f}"
print("| strategy | playlists | detector | ROC AUC | precision | recall |")
print("|---|---:|---|---:|---:|---:|")
for (strategy, budget, detector), ms in sorted(runs.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])):
    print(f"| {strategy} | {budget} | {detector} | {mean_ci([m.get('rocAUC') for m in ms])} | "
          f"{mean_ci([m['truePositives'] / m['flagged'] if m['flagged'] else None for m in ms])} | "
          f"{mean_ci([m['truePositives'] / m['planted'] if m['planted'] else None for m in ms])} |")
PY
done
"$chorus" report "$out"
