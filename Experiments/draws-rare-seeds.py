#!/usr/bin/env python3
"""What predicts DirLoF's R(s*) at a small collective, fold by fold, across draws of a dataset?

Notebook 11 ("Why the draws differ"). Python standard library only.

Usage:
  python3 Experiments/draws-rare-seeds.py [--budget 10] [--out per-fold.csv] \
      LABEL=STUDY_DIR:SPLIT_DIR ...

STUDY_DIR is a finished study of Experiments/robustness-sharing-budgets.json (runs.csv,
anchors.csv, cloud.csv); SPLIT_DIR holds f0, f1, ... with the study's folds exported by
  chorus dataset split DATA --fold K --folds 3 --seed 0 --min-tracks 20 --format text --out SPLIT_DIR/fK
(training.txt, test-seeds.json, test-truth.csv, collective-order.csv).

Per fold it computes, from the exported split, the training frequency f (training playlists
holding a track, as the embedding model counts it) of every test seed's tracks; the model's
rare-track sharing puts tracks with f = 1 in one shared input row (bucket 0) and f = 2 in
another (bucket 1); tracks with f = 0 are skipped by the query. It rebuilds DirLoF's direct
anchors of the first B collective playlists (lowest f, ties to the earliest position) and
checks their f against the study's anchors.csv. Then it correlates every candidate predictor
with R(s*) and amplification at B over the folds (Spearman; 95% CI by a cluster bootstrap
that resamples whole draws), over the draw means (Spearman, Fisher-z CI with the 1.06/(n-3)
variance of Fieller et al. 1957), and within draws (Pearson of fold values minus their draw's
mean, cluster bootstrap).
"""
import csv
import json
import math
import os
import random
import sys


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def training_frequencies(path):
    """Training playlists per track, and the playlists (as lists) in file order."""
    freq = {}
    lists = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0]
            toks = line.split()
            if not toks:
                continue
            lists.append(toks)
            for t in set(toks):
                freq[t] = freq.get(t, 0) + 1
    return freq, lists


def fold_measures(split_dir, study_dir, fold, budget, decay=0.8):
    freq, train = training_frequencies(os.path.join(split_dir, "training.txt"))
    seeds_json = json.load(open(os.path.join(split_dir, "test-seeds.json")))
    seeds = [
        (p["pid"], [t["track_uri"] for t in sorted(p["tracks"], key=lambda t: t["pos"])])
        for p in seeds_json["playlists"]
    ]
    truth = {}
    for r in read_csv(os.path.join(split_dir, "test-truth.csv")):
        truth[int(r["pid"])] = truth.get(int(r["pid"]), 0) + 1
    m = {"test": len(seeds), "training_playlists": len(train)}
    # Tracks of training by f.
    m["tracks_f1"] = sum(1 for v in freq.values() if v == 1)
    m["tracks_f2"] = sum(1 for v in freq.values() if v == 2)
    # Test seeds by the f of their last track, and the query's weight on the shared rows.
    last = {0: 0, 1: 0, 2: 0, "more": 0}
    lastknown1 = lastknown2 = 0
    last1_len1 = 0
    w_b0 = w_b1 = 0.0
    g_last1 = 0
    for pid, tr in seeds:
        f_last = freq.get(tr[-1], 0)
        last[f_last if f_last <= 2 else "more"] += 1
        if f_last == 1:
            g_last1 += truth.get(pid, 0)
            if len(tr) == 1:
                last1_len1 += 1
        known = [freq.get(t, 0) for t in tr if freq.get(t, 0) > 0]
        if known:
            if known[-1] == 1:
                lastknown1 += 1
            elif known[-1] == 2:
                lastknown2 += 1
        # Recency weights as the model's query: the j-th most recent position weighs decay^j;
        # unknown tracks are skipped but still age the others.
        w = 1.0
        tot = s0 = s1 = 0.0
        for t in reversed(tr):
            f = freq.get(t, 0)
            if f > 0:
                tot += w
                if f == 1:
                    s0 += w
                elif f == 2:
                    s1 += w
            w *= decay
        if tot > 0:
            w_b0 += s0 / tot
            w_b1 += s1 / tot
    m["seeds_last_f0"] = last[0]
    m["seeds_last_f1"] = last[1]
    m["seeds_last_f2"] = last[2]
    m["seeds_last_le2"] = last[1] + last[2]
    m["seeds_lastknown_f1"] = lastknown1
    m["seeds_lastknown_le2"] = lastknown1 + lastknown2
    m["seeds_len1_last_f1"] = last1_len1
    m["query_weight_b0"] = w_b0
    m["query_weight_le2"] = w_b0 + w_b1
    m["heldout_of_last_f1"] = g_last1
    # DirLoF's anchors rebuilt from the split: the collective is the first B of the order.
    test_pids = sorted(p for p, _ in seeds)
    order = [int(r["pid"]) for r in read_csv(os.path.join(split_dir, "collective-order.csv"))]
    import bisect

    rebuilt = []
    for pid in order[:budget]:
        line = pid - bisect.bisect_left(test_pids, pid)  # training is ascending, pid = index
        pl = train[line]
        fs = [freq[t] for t in pl]
        rebuilt.append(min(fs))
    # The study's anchors.csv (direct, this fold and budget) and runs.csv.
    anchors = [
        int(r["direct_true_freq"])
        for r in read_csv(os.path.join(study_dir, "anchors.csv"))
        if int(r["fold"]) == fold and int(float(r["size"])) == budget and r["strategy"] == "dirlof"
    ]
    m["anchors_check"] = "ok" if anchors == rebuilt else "MISMATCH %s vs %s" % (anchors, rebuilt)
    m["anchors_f1"] = sum(1 for a in anchors if a == 1)
    m["anchors_le2"] = sum(1 for a in anchors if a <= 2)
    for r in read_csv(os.path.join(study_dir, "runs.csv")):
        if int(r["fold"]) == fold and int(r["budget"]) == budget and r["strategy"] == "dirlof":
            m["R"] = int(r["recommendations"])
            m["amplification"] = float(r["amplification"])
            m["in_list"] = int(r["in_list"])
            m["indirect_freq_mean"] = float(r["indirect_anchor_true_freq_mean"])
            m["seed_anchor_playlists"] = int(r["seed_anchor_playlists"])
        if int(r["fold"]) == fold and int(r["budget"]) == 48 and r["strategy"] == "dirlof":
            m["R48"] = int(r["recommendations"])
    # Model side (a mediator, not a data predictor): mean cosine between the vector the
    # retrained model scores s* by and the test seeds' queries (similarity.csv, other seeds).
    for r in read_csv(os.path.join(study_dir, "similarity.csv")):
        if int(r["fold"]) == fold and int(float(r["size"])) == budget and r["strategy"] == "dirlof":
            m["cosine_s_queries"] = float(r["other_cosine_mean"])
    for r in read_csv(os.path.join(study_dir, "cloud.csv")):
        if int(r["fold"]) == fold and int(r["freq_low"]) <= budget <= int(r["freq_high"]):
            m["cloud_amp_clean"] = float(r["amplification_mean"])
    return m


# --- statistics -----------------------------------------------------------------------------


def ranks(xs):
    idx = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [0.0] * len(xs)
    i = 0
    while i < len(idx):
        j = i
        while j + 1 < len(idx) and xs[idx[j + 1]] == xs[idx[i]]:
            j += 1
        for k in range(i, j + 1):
            r[idx[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return float("nan")
    return sxy / math.sqrt(sxx * syy)


def spearman(x, y):
    return pearson(ranks(x), ranks(y))


def pct(v, q):
    v = sorted(a for a in v if not math.isnan(a))
    if not v:
        return float("nan")
    k = (len(v) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def cluster_boot(groups, stat, reps=10000, seed=1):
    """Percentile CI of stat over resampled whole groups (draws)."""
    rng = random.Random(seed)
    out = []
    for _ in range(reps):
        pick = [groups[rng.randrange(len(groups))] for _ in groups]
        xs = [p for g in pick for p in g]
        out.append(stat(xs))
    return pct(out, 0.025), pct(out, 0.975)


def fisher_ci(r, n, spearman_adj=True):
    if abs(r) >= 1 or n <= 3:
        return float("nan"), float("nan")
    z = math.atanh(r)
    se = math.sqrt((1.06 if spearman_adj else 1.0) / (n - 3))
    return math.tanh(z - 1.96 * se), math.tanh(z + 1.96 * se)


def perm_p(x, y):
    """Two-sided exact permutation p of Spearman's rho (all orders of y; small n only)."""
    import itertools

    obs = abs(spearman(x, y))
    hits = total = 0
    for perm in itertools.permutations(y):
        total += 1
        if abs(spearman(x, list(perm))) >= obs - 1e-12:
            hits += 1
    return hits / total


def within_perm_p(cx, cy, reps=10000, seed=3):
    """Two-sided p of the within-draw Pearson r, permuting fold values inside each draw."""
    flat_x = [a for g in cx for a in g]
    obs = abs(pearson(flat_x, [b for g in cy for b in g]))
    rng = random.Random(seed)
    hits = 0
    for _ in range(reps):
        ys = []
        for g in cy:
            g = g[:]
            rng.shuffle(g)
            ys += g
        if abs(pearson(flat_x, ys)) >= obs - 1e-12:
            hits += 1
    return (hits + 1) / (reps + 1)


def centred(groups, key):
    out = []
    for g in groups:
        m = sum(p[key] for p in g) / len(g)
        out.append([p[key] - m for p in g])
    return out


def main(argv):
    budget = 10
    out = None
    pairs = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--budget":
            budget = int(argv[i + 1])
            i += 2
        elif a == "--out":
            out = argv[i + 1]
            i += 2
        else:
            pairs.append(a)
            i += 1
    rows = []
    for p in pairs:
        label, rest = p.split("=", 1)
        study, split = rest.split(":", 1)
        folds = sorted(d for d in os.listdir(split) if d.startswith("f"))
        for fd in folds:
            k = int(fd[1:])
            m = fold_measures(os.path.join(split, fd), study, k, budget)
            m["draw"] = label
            m["fold"] = k
            rows.append(m)
            print(
                "%s fold %d: %d test, %d training, anchors %s"
                % (label, k, m["test"], m["training_playlists"], m["anchors_check"]),
                file=sys.stderr,
            )
    cols = [
        "draw", "fold", "R", "amplification", "in_list", "R48",
        "seeds_last_f1", "seeds_last_f2", "seeds_last_le2", "seeds_last_f0",
        "seeds_lastknown_f1", "seeds_lastknown_le2", "seeds_len1_last_f1",
        "query_weight_b0", "query_weight_le2", "heldout_of_last_f1",
        "anchors_f1", "anchors_le2", "indirect_freq_mean", "cloud_amp_clean",
        "tracks_f1", "tracks_f2", "seed_anchor_playlists", "cosine_s_queries", "anchors_check",
    ]
    if out:
        with open(out, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(cols)
            for r in rows:
                w.writerow([("%.6g" % r[c]) if isinstance(r[c], float) else r[c] for c in cols])

    def fmt(v):
        if isinstance(v, float):
            return "%.1f" % v if abs(v) >= 10 else "%.3g" % v
        return str(v)

    show = [
        "draw", "fold", "R", "amplification", "in_list", "seeds_last_f1", "seeds_last_le2",
        "seeds_lastknown_f1", "query_weight_b0", "anchors_f1", "anchors_le2",
        "indirect_freq_mean", "cloud_amp_clean", "tracks_f1",
    ]
    print("Per fold (B = %d):" % budget)
    print("| " + " | ".join(show) + " |")
    print("|" + "---|" * len(show))
    for r in rows:
        print("| " + " | ".join(fmt(r[c]) for c in show) + " |")

    draws = []
    for r in rows:
        if not draws or draws[-1][0]["draw"] != r["draw"]:
            draws.append([])
        draws[-1].append(r)

    print("\nPer draw (fold values in brackets):")
    print("| draw | R(s*) | amplification (mean) | seeds ending in f = 1 | in f <= 2 | anchors in 1 playlist | cosine(s*, queries) |")
    print("|---|---|---:|---|---|---|---|")
    for g in draws:
        br = lambda k, f="%d": " ".join(f % p[k] for p in g)
        print(
            "| %s | %s | %.1f | %s | %s | %s | %s |"
            % (g[0]["draw"], br("R"), sum(p["amplification"] for p in g) / len(g),
               br("seeds_last_f1"), br("seeds_last_le2"), br("anchors_f1"),
               br("cosine_s_queries", "%.2f"))
        )

    # Variance of R between and within draws, with a permutation test of the between share.
    def between_share(groups):
        allv = [v for g in groups for v in g]
        mu = sum(allv) / len(allv)
        ss_tot = sum((v - mu) ** 2 for v in allv)
        ss_b = sum(len(g) * (sum(g) / len(g) - mu) ** 2 for g in groups)
        return ss_b / ss_tot if ss_tot else float("nan")

    for key in ("R", "amplification"):
        groups = [[p[key] for p in g] for g in draws]
        obs = between_share(groups)
        rng = random.Random(2)
        flat = [v for g in groups for v in g]
        sizes = [len(g) for g in groups]
        hits = 0
        reps = 10000
        for _ in range(reps):
            rng.shuffle(flat)
            gs, o = [], 0
            for s in sizes:
                gs.append(flat[o:o + s])
                o += s
            if between_share(gs) >= obs:
                hits += 1
        print(
            "\n%s: share of the sum of squares between draws %.2f (permutation p = %.3f, %d "
            "reshuffles of the %d folds; %.2f expected with no draw effect)"
            % (key, obs, (hits + 1) / (reps + 1), reps, len(flat),
               (len(groups) - 1) / (len(flat) - 1))
        )

    preds = [
        "seeds_last_f1", "seeds_last_f2", "seeds_last_le2", "seeds_last_f0",
        "seeds_lastknown_f1", "seeds_lastknown_le2", "seeds_len1_last_f1", "query_weight_b0",
        "query_weight_le2", "heldout_of_last_f1", "anchors_f1", "anchors_le2",
        "indirect_freq_mean", "cloud_amp_clean", "tracks_f1", "tracks_f2", "R48",
        "cosine_s_queries",
    ]
    for outcome in ("R", "amplification", "in_list"):
        print(
            "\nSpearman with %s at B = %d: over the %d folds [cluster bootstrap over draws, "
            "10,000]; over the %d draw means [Fisher z] (exact permutation p, for R); within "
            "draws: Pearson of fold minus draw mean [cluster bootstrap] (p of 10,000 "
            "permutations of the folds inside each draw, for R)" % (outcome, budget, len(rows), len(draws))
        )
        print("| predictor | range over folds | folds ρ [95% CI] | draw means ρ [95% CI] (exact p) | within draws r [95% CI] (permutation p) |")
        print("|---|---|---|---|---|")
        for p in preds:
            xs = [r[p] for r in rows]
            ys = [r[outcome] for r in rows]
            rho = spearman(xs, ys)
            lo, hi = cluster_boot(
                [[(r[p], r[outcome]) for r in g] for g in draws],
                lambda pts: spearman([a for a, _ in pts], [b for _, b in pts]),
            )
            mx = [sum(r[p] for r in g) / len(g) for g in draws]
            my = [sum(r[outcome] for r in g) / len(g) for g in draws]
            rd = spearman(mx, my)
            dlo, dhi = fisher_ci(rd, len(draws))
            dp = perm_p(mx, my) if len(draws) <= 8 and outcome == "R" else float("nan")
            cx, cy = centred(draws, p), centred(draws, outcome)
            wp = within_perm_p(cx, cy) if outcome == "R" else float("nan")
            rw = pearson([a for g in cx for a in g], [b for g in cy for b in g])
            wlo, whi = cluster_boot(
                [list(zip(a, b)) for a, b in zip(cx, cy)],
                lambda pts: pearson([a for a, _ in pts], [b for _, b in pts]),
            )
            print(
                "| %s | %s–%s | %+.2f [%+.2f, %+.2f] | %+.2f [%+.2f, %+.2f] (%.3f) | %+.2f [%+.2f, %+.2f] (%.3f) |"
                % (p, fmt(min(xs)), fmt(max(xs)), rho, lo, hi, rd, dlo, dhi, dp, rw, wlo, whi, wp)
            )
    # Ceiling: does s* reach more test playlists than end in a rare track?
    over = [r for r in rows if r["R"] > r["seeds_last_le2"]]
    print(
        "\nFolds with R(s*) above the number of test seeds whose last track has f <= 2: %d of %d"
        % (len(over), len(rows))
    )
    print(
        "R(s*) / seeds ending in f = 1, per fold: "
        + " ".join("%.2f" % (r["R"] / r["seeds_last_f1"]) for r in rows)
    )


if __name__ == "__main__":
    main(sys.argv[1:])
