#!/usr/bin/env bash
# Which data makes a platform robust: generates synthetic datasets that differ in size, playlist
# length, long tail, genre and artist concentration, runs Experiments/robustness.json on each,
# and regresses amplification on the datasets' characteristics with 'chorus robustness'.
# Usage: bash Experiments/robustness-sweep.sh [OUT_DIR]   (default results/robustness-sweep)
# Needs the release binary: swift build -c release. Re-running skips finished studies.
set -euo pipefail
out=${1:-results/robustness-sweep}
chorus=${CHORUS:-.build/release/chorus}
mkdir -p "$out/data"
# name | playlists | settings of the synthetic process (chorus dataset generate --set)
designs=(
  "d00|10000|"
  "d01|10000|trackExponent=3.0"
  "d02|10000|trackExponent=6.0"
  "d03|10000|lengthMean=30"
  "d04|10000|lengthMean=120"
  "d05|10000|genreCount=16"
  "d06|10000|genreCount=256"
  "d07|10000|artistExponent=1.6"
  "d08|20000|"
  "d09|5000|lengthMean=45 trackExponent=3.5"
  "d10|10000|genreCount=128 lengthMean=50"
  "d11|15000|trackExponent=5.0 artistExponent=2.5"
)
folders=()
for design in "${designs[@]}"; do
  IFS='|' read -r name playlists settings <<<"$design"
  data="$out/data/$name.chorus"
  if [[ ! -f "$data" ]]; then
    args=()
    for s in $settings; do args+=(--set "$s"); done
    "$chorus" dataset generate --playlists "$playlists" "${args[@]}" --out "$data"
  fi
  folder="$out/$name"
  if [[ ! -f "$folder/manifest.json" ]]; then
    "$chorus" run Experiments/robustness.json --set "dataset=$data" --out "$folder" --quiet \
      $([[ -d "$folder" ]] && echo --resume)
  fi
  folders+=("$folder")
done
"$chorus" robustness "${folders[@]}" --predictors density,share_once,mean_length \
  --out "$out/regression"
