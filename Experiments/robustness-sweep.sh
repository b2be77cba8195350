#!/usr/bin/env bash
# Which data makes a platform robust: generates synthetic datasets that differ in size, playlist
# length, long tail, genre and artist concentration (and, with MPD=path, subsamples of real
# MPD-format data at several sizes), runs a spec on each, and regresses amplification on the
# datasets' characteristics with 'chorus robustness'.
# Usage: bash Experiments/robustness-sweep.sh [OUT_DIR]   (default results/robustness-sweep)
# Environment (all optional):
#   SPEC=Experiments/robustness.json   the study run on every dataset (e.g. robustness-sharing.json)
#   DESIGNS="d00 d03 m00"              only these designs, in this order (default: d00…d11);
#                                      m00…m02 are synthetic:medium-sized (100,000 playlists)
#   MPD=path                           a folder of MPD slices (or any dataset chorus reads):
#                                      adds designs mpd-<N>, a uniform sample of N playlists
#   MPD_SIZES="5000 10000 20000"       the sample sizes for MPD (seed MPD_SEED, default 0)
#   PREDICTORS=density,share_once,mean_length   the regression's characteristics
#   SEEDS="0 1 2"                      generator seeds per design (default "0"); seed K > 0 adds
#                                      designs <name>-sK (another draw of the same process)
# Needs the release binary: swift build -c release. Re-running skips finished studies and
# resumes interrupted ones.
set -euo pipefail
out=${1:-results/robustness-sweep}
chorus=${CHORUS:-.build/release/chorus}
spec=${SPEC:-Experiments/robustness.json}
predictors=${PREDICTORS:-density,share_once,mean_length}
mkdir -p "$out/data"
# name | playlists | settings of the synthetic process (chorus dataset generate --set)
all_designs=(
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
  "m00|100000|"
  "m01|100000|trackExponent=3.0"
  "m02|100000|genreCount=16"
)
designs=()
if [[ -n "${DESIGNS:-}" ]]; then
  for want in $DESIGNS; do
    found=""
    for design in "${all_designs[@]}"; do
      [[ "${design%%|*}" == "$want" ]] && found=$design
    done
    [[ -n "$found" ]] || { echo "unknown design '$want' in DESIGNS" >&2; exit 64; }
    designs+=("$found")
  done
else
  designs=("${all_designs[@]:0:12}")
fi
folders=()
run_study() { # name data
  local folder="$out/$1"
  if [[ ! -f "$folder/manifest.json" ]]; then
    "$chorus" run "$spec" --set "dataset=$2" --out "$folder" --quiet \
      $([[ -d "$folder" ]] && echo --resume)
  fi
  folders+=("$folder")
}
for seed in ${SEEDS:-0}; do
  [[ "$seed" =~ ^[0-9]+$ ]] || { echo "SEEDS must list whole numbers, got '$seed'" >&2; exit 64; }
  for design in "${designs[@]}"; do
    IFS='|' read -r name playlists settings <<<"$design"
    # Seed 0 keeps the design's plain name, so earlier sweeps' folders are reused.
    ((seed > 0)) && name="$name-s$seed"
    data="$out/data/$name.chorus"
    if [[ ! -f "$data" ]]; then
      args=()
      for s in $settings; do args+=(--set "$s"); done
      "$chorus" dataset generate --playlists "$playlists" "${args[@]}" --seed "$seed" --out "$data"
    fi
    run_study "$name" "$data"
  done
done
if [[ -n "${MPD:-}" ]]; then
  for n in ${MPD_SIZES:-5000 10000 20000}; do
    data="$out/data/mpd-$n.chorus"
    if [[ ! -f "$data" ]]; then
      "$chorus" dataset subsample "$MPD" --playlists "$n" --seed "${MPD_SEED:-0}" --out "$data"
    fi
    run_study "mpd-$n" "$data"
  done
fi
"$chorus" robustness "${folders[@]}" --predictors "$predictors" --out "$out/regression"
