#!/usr/bin/env python3
"""What the track-level detection filter removes of DirLoF's s*, and what it keeps, fold by fold.

Notebook 10 ("Why fold 0 keeps 9 test playlists"). Python standard library only.

Usage:
  python3 Experiments/track-filter-kept.py [--flag-rate 0.001] [--rare-max-count 1] \
      SPLIT_DIR:PLANT_DIR ...

SPLIT_DIR is one fold exported by
  chorus dataset split synthetic:medium --fold K --folds 3 --seed 0 --format text --out SPLIT_DIR
(training.txt, test-seeds.json), PLANT_DIR the same fold planted by
  chorus plant --dataset synthetic:medium --strategy dirlof --alpha 0.0005 --fold K --folds 3 \
      --seed 0 --out PLANT_DIR/planted.txt
(planted.txt, planted.edits.csv; text datasets have pid = line index).

Per fold it rebuilds the training set the platform sees (the planted dataset's training rows in
the split's order, checked against training.txt), transcribes the detector
(Sources/Defences/Detection/PlantingDetector.swift: rare-predecessor and last-position traits,
Chernoff scores, playlist score = largest occurrence score, the ceil(rate * n) highest flagged,
ties to the lower index) and the track filter (Sources/Lab/Defence/DetectionStage.swift:
withoutFlaggedOccurrences), and prints the detection numbers to compare with the run record,
every member's s* occurrence (removed or kept, its predecessor's training frequency and the
model's popularity row for it: bucket b0 for frequency 1, b1 for 2, own row above 2 with
popularityFeatureMaxFrequency 2), and, for the playlist filter (the same flags, whole playlists
dropped), whether the kept s* placements and their anchors' frequencies differ.
"""
import collections
import csv
import json
import math
import sys

TARGET = "chorus:target:0"


def tail(x, n, q):
    """n * KL(x/n || q) when x/n > q, else 0 (PlantingDetector.tailExponent)."""
    if n == 0:
        return 0.0
    a = x / n
    if a <= q:
        return 0.0
    kl = a * math.log(a / q)
    if a < 1:
        kl += (1 - a) * math.log((1 - a) / (1 - q))
    return n * kl


def bucket(f):
    if f <= 0:
        return "gone"
    return "own" if f > 2 else "b%d" % int(math.log2(f))


def counts(playlists):
    c = collections.Counter()
    for p in playlists:
        c.update(set(p))
    return c


def fold_report(split_dir, plant_dir, rate, rare_max):
    planted = [line.split() for line in open(f"{plant_dir}/planted.txt")]
    test = json.load(open(f"{split_dir}/test-seeds.json"))["playlists"]
    test_pids = {p["pid"] for p in test}
    train_idx = [i for i in range(len(planted)) if i not in test_pids]
    members = {int(r["pid"]) for r in csv.DictReader(open(f"{plant_dir}/planted.edits.csv"))}
    exported = [line.split() for line in open(f"{split_dir}/training.txt")]
    assert len(exported) == len(train_idx), "split and plant disagree on the training set"
    differing = sum(1 for k, i in enumerate(train_idx) if exported[k] != planted[i])
    assert differing == len(members), (differing, len(members))
    store = [planted[i] for i in train_idx]
    planted_flag = [i in members for i in train_idx]
    freq = counts(store)

    def shows(trait, p, i):
        if trait == "rare-predecessor":
            return i > 0 and freq[p[i - 1]] <= rare_max
        return i == len(p) - 1

    occ = [[0.0] * len(p) for p in store]
    target_scores = {}
    for trait in ("rare-predecessor", "last-position"):
        eligible, showing = collections.Counter(), collections.Counter()
        for p in store:
            for i, t in enumerate(p):
                if trait == "rare-predecessor" and i == 0:
                    continue
                eligible[t] += 1
                if shows(trait, p, i):
                    showing[t] += 1
        q = sum(showing.values()) / sum(eligible.values())
        score = {t: tail(showing[t], eligible[t], q) for t in eligible}
        target_scores[trait] = (showing[TARGET], eligible[TARGET], score.get(TARGET, 0.0), q)
        for k, p in enumerate(store):
            for i, t in enumerate(p):
                if shows(trait, p, i):
                    occ[k][i] = max(occ[k][i], score[t])
    pscore = [max(o) if o else 0.0 for o in occ]
    n = len(store)
    order = sorted(range(n), key=lambda k: (-pscore[k], k))
    flag = [False] * n
    for k in order[: math.ceil(rate * n)]:
        flag[k] = True
    threshold = min(pscore[k] for k in range(n) if flag[k])
    # ROC AUC by average ranks (DetectionMetrics.rocAUC).
    pos = sum(planted_flag)
    by_score = sorted(range(n), key=lambda k: pscore[k])
    rank_sum, i = 0.0, 0
    while i < n:
        j = i
        while j + 1 < n and pscore[by_score[j + 1]] == pscore[by_score[i]]:
            j += 1
        rank_sum += sum((i + j + 2) / 2 for r in range(i, j + 1) if planted_flag[by_score[r]])
        i = j + 1
    auc = (rank_sum - pos * (pos + 1) / 2) / (pos * (n - pos))
    removed = lambda k, i: flag[k] and occ[k][i] > 0 and occ[k][i] >= threshold
    track_kept = []
    removed_target = removed_other = 0
    for k, p in enumerate(store):
        keep = [t for i, t in enumerate(p) if not removed(k, i)]
        for i, t in enumerate(p):
            if removed(k, i):
                if t == TARGET:
                    removed_target += 1
                else:
                    removed_other += 1
        if keep:
            track_kept.append(keep)
    tf = counts(track_kept)
    pf = counts(p for k, p in enumerate(store) if not flag[k])
    print(f"{split_dir}: {n} training playlists, {sum(flag)} flagged, "
          f"{sum(1 for k in range(n) if flag[k] and planted_flag[k])} members among them, "
          f"ROC AUC {auc:.6f}, flag threshold {threshold:.2f}")
    for trait, (x, m, s, q) in target_scores.items():
        print(f"  s* {trait}: {x} of {m} occurrences show it (base rate {q:.4f}), score {s:.2f}")
    print(f"  track filter removes {removed_target} occurrences of s* and {removed_other} others; "
          f"s* is left in {tf[TARGET]} playlists (playlist filter: {pf[TARGET]})")
    print("  member pid | s* at/of | predecessor | f track filter (row) | f playlist filter (row) "
          "| playlist score | s* removed")
    rows = []
    for k, i in enumerate(train_idx):
        if i not in members:
            continue
        p = store[k]
        at = p.index(TARGET)
        prev = p[at - 1] if at > 0 else None
        rows.append((removed(k, at), tf[prev] if prev else 0, i, at, len(p), prev,
                     pf[prev] if prev else 0, pscore[k]))
    for r in sorted(rows):
        print(f"  {r[2]:6d} | {r[3]}/{r[4]} | {r[5]} | {r[1]} ({bucket(r[1])}) | "
              f"{r[6]} ({bucket(r[6])}) | {r[7]:.2f} | {r[0]}")
    kept = [r for r in rows if not r[0]]
    print(f"  kept: {len(kept)} s* placements, predecessor rows (track filter) "
          f"{dict(collections.Counter(bucket(r[1]) for r in kept))}; same anchors and rows under "
          f"the playlist filter: {all(bucket(r[1]) == bucket(r[6]) for r in kept)}")
    changed = collections.Counter(
        (bucket(tf[t]), bucket(pf[t])) for t in tf if bucket(tf[t]) != bucket(pf[t]))
    print(f"  training entries: track filter {sum(map(len, track_kept))}, playlist filter "
          f"{sum(len(p) for k, p in enumerate(store) if not flag[k])}; tracks whose popularity "
          f"row differs between the two (track -> playlist filter): {dict(changed)}")
    anchors = {r[5] for r in kept}
    ends = collections.Counter()
    holding = 0
    for p in test:
        seed = [t["track_uri"] for t in p["tracks"]]
        f = freq[seed[-1]] if seed else 0
        ends["f=1" if f == 1 else "f=2" if f == 2 else "f=0" if f == 0 else "f>2"] += 1
        holding += bool(anchors & set(seed))
    print(f"  test seeds: {len(test)}; last seed track's training frequency {dict(sorted(ends.items()))}; "
          f"seeds holding a kept anchor: {holding}")


def main(argv):
    rate, rare_max, folds = 0.001, 1, []
    it = iter(argv)
    for a in it:
        if a == "--flag-rate":
            rate = float(next(it))
        elif a == "--rare-max-count":
            rare_max = int(next(it))
        else:
            folds.append(a.split(":", 1))
    if not folds:
        sys.exit(__doc__)
    for split_dir, plant_dir in folds:
        fold_report(split_dir, plant_dir, rate, rare_max)


if __name__ == "__main__":
    main(sys.argv[1:])
