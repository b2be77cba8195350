#!/usr/bin/env bash
# The defence frontier: runs one study spec once per platform defence — none, a filtering
# detection stage at two flag rates (dropping the flagged playlists, or only their flagged
# occurrences: the '-tracks' settings), artist-diversity re-ranking (two settings), a cap on
# cold tracks and a popularity discount — and draws what is left of each strategy's
# amplification against the accuracy honest users lose ('chorus frontier').
# Usage: bash Experiments/defence-frontier.sh [SPEC] [OUT_DIR] [STRATEGIES] [SETTINGS...]
#   defaults: Experiments/demo.json, results/defence-frontier, the spec's strategies, every
#   setting of the first list below (give names to run only some, e.g. none cold-cap, or the
#   calibrated filters detect-fpr-0.1pct detect-fpr-1pct, run only when named). STRATEGIES is a JSON list
#   such as '["dirlof"]' or '-' for the spec's own. Every study runs with --kernels portable, so
#   the no-defence study is the same bits as 'chorus run SPEC --kernels portable'. SET='key=value'
#   adds one more override to every study (e.g. SET='alphas=[0.005]' for one collective size).
# Needs the release binary: swift build -c release. Re-running skips finished studies and
# resumes interrupted ones.
set -euo pipefail
spec=${1:-Experiments/demo.json}
out=${2:-results/defence-frontier}
strategies=${3:--}
shift $(($# < 3 ? $# : 3))
chorus=${CHORUS:-.build/release/chorus}
# name | spec override (JSON): the defence of that study
settings=(
  'none|'
  'detect-0.1pct|detection={"flagRate":0.001,"filter":true}'
  'detect-1pct|detection={"flagRate":0.01,"filter":true}'
  'detect-0.1pct-tracks|detection={"flagRate":0.001,"filter":"tracks"}'
  'detect-1pct-tracks|detection={"flagRate":0.01,"filter":"tracks"}'
  'artist-1in3|reranking={"kind":"artist-diversity","maxPerArtist":1,"window":3,"depth":2}'
  'artist-2in10|reranking={"kind":"artist-diversity","maxPerArtist":2,"window":10,"depth":2}'
  'cold-cap-20|reranking={"kind":"cold-cap","minCount":20,"maxCold":0,"depth":2}'
  'popularity-0.25|reranking={"kind":"popularity-discount","beta":0.25,"depth":2}'
)
# Run only when named: the filter at a false-positive rate calibrated on each fold's clean
# training playlists instead of a flag rate (Experiments/PROTOCOL.md §8).
extra_settings=(
  'detect-fpr-0.1pct|detection={"falsePositiveRate":0.001,"filter":true}'
  'detect-fpr-1pct|detection={"falsePositiveRate":0.01,"filter":true}'
)
# The settings to run, in the order given (default: every setting of the first list, in its
# order).
wanted=("$@")
if ((${#wanted[@]} == 0)); then
  for setting in "${settings[@]}"; do wanted+=("${setting%%|*}"); done
fi
settings+=("${extra_settings[@]}")
mkdir -p "$out"
folders=()
for name in "${wanted[@]}"; do
  override=
  found=0
  for setting in "${settings[@]}"; do
    if [[ "${setting%%|*}" == "$name" ]]; then
      override=${setting#*|}
      found=1
    fi
  done
  if ((found == 0)); then
    echo "unknown setting '$name'; choose from: ${settings[*]%%|*}" >&2
    exit 64
  fi
  folder="$out/$name"
  if [[ ! -f "$folder/manifest.json" ]]; then
    args=(--kernels portable --quiet --out "$folder")
    [[ -n "$override" ]] && args+=(--set "$override")
    [[ "$strategies" != "-" ]] && args+=(--set "strategies=$strategies")
    [[ -n "${SET:-}" ]] && args+=(--set "$SET")
    [[ -d "$folder" ]] && args+=(--resume)
    start=$(date +%s)
    "$chorus" run "$spec" "${args[@]}"
    echo "$name: $(($(date +%s) - start)) s" >&2
  fi
  folders+=("$folder")
done
baseline=()
[[ -f "$out/none/manifest.json" ]] && baseline=(--baseline "$out/none")
"$chorus" frontier "${folders[@]}" "${baseline[@]}" --out "$out/frontier"
