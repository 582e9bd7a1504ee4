#!/usr/bin/python3
"""Golden vectors for package estimate, computed with NumPy and scikit-learn.

Run with Debian's Python (numpy 1.24.2, scipy 1.10.1, scikit-learn 1.2.1,
pandas 1.5.3):

    /usr/bin/python3 estimate/testdata/golden.py

It writes, next to itself:

  golden.json       the pieces: NumPy's pairwise sums and RandomState draws,
                    StratifiedShuffleSplit folds, IsotonicRegression fits,
                    ROC AUC / average precision, the calibration decision,
                    pandas periods as NannyML's PeriodBasedChunker groups them;
  binary_reference.csv, binary_analysis.csv,
  multiclass_reference.csv, multiclass_analysis.csv
                    synthetic model outputs (the analysis data are shifted
                    and only partly labelled);
  cbpe_<case>.json  CBPE run end to end on those files, in the JSON shape of
                    `modelwatch estimate --json`; "chunk_size" is a row count
                    or a pandas offset alias (period chunks).

NannyML itself cannot be installed here, so CBPE is reimplemented below from
the formulas written up in shared/reference/nannyml-cbpe.md (NannyML 0.13.1),
with NumPy and scikit-learn doing the arithmetic: isotonic calibration fitted
on the reference, the calibration decision over StratifiedShuffleSplit folds,
the expected confusion matrix, sampling errors, size-based chunks and
mean ± 3 std thresholds. Where NumPy's default (unstable) argsort would leave
ties in an unspecified order, this script sorts stably, as the Go code does.
"""

import json
import math
import os

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import (average_precision_score, confusion_matrix,
                             f1_score, precision_score, recall_score,
                             roc_auc_score)
from sklearn.model_selection import StratifiedShuffleSplit

HERE = os.path.dirname(os.path.abspath(__file__))


def clean(v):
    """Make v JSON-safe: NumPy scalars to Python, NaN and inf to None."""
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    if isinstance(v, np.ndarray):
        return [clean(x) for x in v.tolist()]
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return None if math.isnan(v) or math.isinf(v) else v
    return v


# ---------------------------------------------------------------- pieces


def numpy_pieces():
    rng = np.random.RandomState(7)
    sums = []
    for n in [0, 1, 7, 8, 9, 15, 16, 17, 100, 128, 129, 130, 255, 256, 257, 1000, 1003]:
        x = rng.standard_normal(n) * 10 ** rng.uniform(-3, 3, n)
        sums.append({"x": x, "sum": np.sum(x), "mean": np.mean(x) if n else None,
                     "std": np.std(x) if n else None})
    draws = []
    for seed in [0, 1, 42, 4294967295]:
        r = np.random.RandomState(seed)
        raw = r.randint(0, 2 ** 32, size=5, dtype=np.uint64)
        perm = np.random.RandomState(seed).permutation(23)
        np.random.seed(seed)
        choice = np.random.choice(1000, 7, replace=True)
        draws.append({"seed": seed, "uint32": raw, "permutation23": perm, "choice1000": choice})
    splits = []
    for name, y in [
        ("balanced", rng.randint(0, 2, 40)),
        ("imbalanced", (rng.uniform(size=97) < 0.1).astype(int)),
        ("three_classes", rng.randint(0, 3, 61)),
        ("ties_in_mode", np.array([0] * 11 + [1] * 11 + [2] * 11)),
    ]:
        folds = []
        for train, test in StratifiedShuffleSplit(n_splits=4, test_size=0.1, random_state=42).split(y, y):
            folds.append({"train": train, "test": test})
        splits.append({"name": name, "y": y, "folds": folds})
    return {"sums": sums, "draws": draws, "splits": splits}


def isotonic_pieces():
    rng = np.random.RandomState(11)
    cases = []

    def add(name, x, y, w=None):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        iso = IsotonicRegression(out_of_bounds="clip", increasing=True)
        iso.fit(x, y, sample_weight=w)
        lo, hi = float(np.min(x)), float(np.max(x))
        q = np.concatenate([x[:20], np.linspace(lo - 0.5, hi + 0.5, 23), [lo, hi]])
        cases.append({"name": name, "x": x, "y": y, "w": None if w is None else np.asarray(w, float),
                      "x_thresholds": iso.X_thresholds_, "y_thresholds": iso.y_thresholds_,
                      "query": q, "predict": iso.predict(q)})

    x = rng.uniform(size=200)
    add("random_binary", x, (rng.uniform(size=200) < x).astype(float))
    xr = np.round(rng.uniform(size=300), 2)
    add("tied_x", xr, (rng.uniform(size=300) < xr).astype(float))
    add("near_ties_below_resolution", [0.5, 0.5 + 4e-16, 0.5 + 2e-15, 0.7, 0.7 + 9e-16, 0.2],
        [1, 0, 1, 0, 0, 1])
    add("decreasing", np.arange(10.0), np.arange(10.0)[::-1])
    add("increasing", np.arange(10.0), np.arange(10.0) ** 2)
    add("constant_y", rng.uniform(size=15), np.ones(15))
    add("constant_x", np.full(8, 0.3), [0, 1, 1, 0, 1, 0, 0, 1])
    add("single_point", [0.4], [1])
    add("two_points", [0.1, 0.9], [1, 0])
    add("equal_neighbours", [1, 2, 3, 4, 5, 6], [1, 1, 0.5, 0.5, 2, 2])
    add("weighted", rng.uniform(size=30), rng.uniform(size=30), rng.choice([0.0, 0.5, 1.0, 3.0], 30))
    xs = rng.standard_normal(500)
    add("continuous_target", xs, xs + rng.standard_normal(500))
    return cases


def binary_clf_pieces():
    rng = np.random.RandomState(5)
    cases = []
    for name, y, s in [
        ("distinct", rng.randint(0, 2, 50), rng.uniform(size=50)),
        ("ties", rng.randint(0, 2, 80), np.round(rng.uniform(size=80), 1)),
        ("all_tied", np.array([0, 1, 1, 0, 1]), np.full(5, 0.5)),
        ("perfect", np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])),
        ("reversed", np.array([1, 1, 0, 0]), np.array([0.1, 0.2, 0.8, 0.9])),
        ("large", (rng.uniform(size=3000) < 0.3).astype(int), np.round(rng.beta(2, 3, 3000), 3)),
    ]:
        cases.append({"name": name, "y": y, "score": s,
                      "roc_auc": roc_auc_score(y, s), "average_precision": average_precision_score(y, s)})
    return cases


def bin_edges(n, bins):
    """NannyML's equal-count bin edges (written from the reference)."""
    if n <= 2 * bins:
        bins = n // 2
        if bins < 2:
            return None
    width = n // bins
    e = list(range(0, n + 1, width))
    e[-1] = n
    return list(zip(e[:-1], e[1:]))


def ece(y, p, edges):
    order = np.argsort(p, kind="stable")
    p, y = p[order], y[order]
    terms = [(b - a) / len(p) * abs(np.mean(p[a:b]) - np.mean(y[a:b])) for a, b in edges]
    return np.sum(terms)


def calibration_errors(y, p):
    """The ECEs NannyML's needs_calibration compares, or None where it decides
    without them (a single class, ROC AUC above 0.999)."""
    y = np.asarray(y)
    p = np.asarray(p, dtype=float)
    if len(np.unique(y)) == 1 or roc_auc_score(y, p) > 0.999:
        return None
    ty, tp, tc = [], [], []
    for train, test in StratifiedShuffleSplit(n_splits=10, test_size=0.1, random_state=42).split(p, y):
        iso = IsotonicRegression(out_of_bounds="clip", increasing=True).fit(p[train], y[train])
        ty.append(y[test])
        tp.append(p[test])
        tc.append(iso.predict(p[test]))
    ty, tp, tc = np.concatenate(ty).astype(float), np.concatenate(tp), np.concatenate(tc)
    edges = bin_edges(len(tp), 10)
    return ece(ty, tp, edges), ece(ty, tc, edges)


def needs_calibration(y, p):
    e = calibration_errors(y, p)
    return e is not None and e[0] > e[1]


def calibration_pieces():
    rng = np.random.RandomState(3)
    cases = []
    x = rng.standard_normal(1000)
    truth = 1 / (1 + np.exp(-x))
    y = (rng.uniform(size=1000) < truth).astype(int)
    for name, p in [
        ("calibrated", truth),
        ("overconfident", 1 / (1 + np.exp(-3 * x))),
        ("underconfident", 1 / (1 + np.exp(-0.3 * x))),
        ("rounded", np.round(1 / (1 + np.exp(-2 * x - 0.5)), 2)),
    ]:
        e = calibration_errors(y, p)
        cases.append({"name": name, "y": y, "p": p, "ece_before": e[0], "ece_after": e[1],
                      "needs_calibration": needs_calibration(y, p)})
    sep = np.array([0] * 50 + [1] * 50)
    cases.append({"name": "separable", "y": sep, "p": np.linspace(0, 1, 100), "ece_before": None,
                  "ece_after": None, "needs_calibration": needs_calibration(sep, np.linspace(0, 1, 100))})
    edges = [{"n": n, "bins": 10, "edges": bin_edges(n, 10)} for n in [3, 4, 5, 20, 21, 25, 100, 101, 1009]]
    return {"cases": cases, "bin_edges": edges}


def period_pieces():
    """Rows grouped by to_period(alias) after sorting by time, as NannyML's
    PeriodBasedChunker does: key, first and last row, period bounds."""
    rng = np.random.RandomState(13)
    start = pd.Timestamp("2023-12-29 17:00:00")
    offsets = np.sort(rng.uniform(0, 200 * 24, 120))  # hours, over ~200 days
    ts = [start + pd.Timedelta(hours=float(h)) for h in offsets]
    ts = [t.floor("s") for t in ts]
    df = pd.DataFrame({"ts": ts})
    out = []
    for alias in ["H", "D", "W", "M", "Q", "Y"]:
        chunks = []
        for k, g in df.groupby(df["ts"].dt.to_period(alias)):
            chunks.append({"key": str(k), "start": int(g.index.min()), "end": int(g.index.max()),
                           "start_time": k.start_time.isoformat(), "end_time": k.end_time.isoformat()})
        out.append({"period": alias, "chunks": chunks})
    return {"times": [t.isoformat() for t in ts], "periods": out}


# ---------------------------------------------------------------- datasets


def write_csv(path, header, rows):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def fmt(v):
    return repr(float(v))


def make_binary():
    rng = np.random.RandomState(2024)

    def draw(n, shift, start, labelled):
        x = rng.standard_normal(n) + shift
        truth = 1 / (1 + np.exp(-(1.6 * x - 0.4)))
        # An overconfident model: scores need calibrating.
        score = np.round(1 / (1 + np.exp(-(2.4 * x - 0.5))), 4)
        y = (rng.uniform(size=n) < truth).astype(int)
        pred = (score >= 0.5).astype(int)
        ts = [np.datetime64("2024-01-01T00:00:00") + np.timedelta64(start + 37 * i, "m") for i in range(n)]
        rows = []
        for i in range(n):
            yt = str(y[i]) if labelled(i) else ""
            rows.append([str(ts[i]) + "Z", fmt(score[i]), str(pred[i]), yt])
        return rows

    ref = draw(2000, 0.0, 0, lambda i: True)
    ana = draw(1800, 0.9, 2000 * 37, lambda i: i < 1100 and i % 7 != 3)
    header = ["timestamp", "y_pred_proba", "y_pred", "y_true"]
    write_csv(os.path.join(HERE, "binary_reference.csv"), header, ref)
    write_csv(os.path.join(HERE, "binary_analysis.csv"), header, ana)


CLASSES = ["cat", "dog", "fish"]


def make_multiclass():
    rng = np.random.RandomState(77)
    w = np.array([[1.5, -0.5], [-1.0, 1.2], [-0.3, -0.9]])

    def draw(n, shift, labelled):
        x = rng.standard_normal((n, 2)) + shift
        logits = x @ w.T
        truth = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        model = np.exp(1.7 * logits) / np.exp(1.7 * logits).sum(axis=1, keepdims=True)
        score = np.round(model, 4)
        y = np.array([rng.choice(3, p=t) for t in truth])
        pred = score.argmax(axis=1)
        rows = []
        for i in range(n):
            yt = CLASSES[y[i]] if labelled(i) else ""
            rows.append([fmt(score[i, 0]), fmt(score[i, 1]), fmt(score[i, 2]), CLASSES[pred[i]], yt])
        return rows

    ref = draw(1500, np.array([0.0, 0.0]), lambda i: True)
    ana = draw(1650, np.array([0.6, -0.4]), lambda i: i % 3 != 0)
    header = ["proba_cat", "proba_dog", "proba_fish", "y_pred", "y_true"]
    write_csv(os.path.join(HERE, "multiclass_reference.csv"), header, ref)
    write_csv(os.path.join(HERE, "multiclass_analysis.csv"), header, ana)


def read_csv(path, multiclass):
    """Scores, predicted and true classes (-1: unlabelled) and timestamps
    (None without a timestamp column) of a CSV written above."""
    with open(path) as f:
        lines = [l.rstrip("\n").split(",") for l in f]
    head, rows = lines[0], lines[1:]
    col = {h: i for i, h in enumerate(head)}
    times = [r[col["timestamp"]] for r in rows] if "timestamp" in col else None
    if multiclass:
        scores = np.array([[float(r[col["proba_" + c]]) for c in CLASSES] for r in rows])
        pred = np.array([CLASSES.index(r[col["y_pred"]]) for r in rows])
        y = np.array([CLASSES.index(r[col["y_true"]]) if r[col["y_true"]] else -1 for r in rows])
    else:
        scores = np.array([[float(r[col["y_pred_proba"]])] for r in rows])
        pred = np.array([int(r[col["y_pred"]]) for r in rows])
        y = np.array([int(r[col["y_true"]]) if r[col["y_true"]] else -1 for r in rows])
    return scores, pred, y, times


# ---------------------------------------------------------------- CBPE


def est_rate(metric, p, hit):
    """Estimated precision/recall/specificity/f1 of one positive class: hit
    marks rows predicted positive, p the calibrated probability."""
    tp = np.sum(np.where(hit, p, 0))
    fp = np.sum(np.where(hit, 1 - p, 0))
    fn = np.sum(np.where(~hit, p, 0))
    tn = np.sum(np.where(~hit, 1 - p, 0))
    num, den = {"precision": (tp, tp + fp), "recall": (tp, tp + fn),
                "specificity": (tn, tn + fp), "f1": (tp, tp + 0.5 * (fp + fn))}[metric]
    return num / den if den != 0 else 0.0


def est_curve(cal, raw):
    order = np.argsort(raw, kind="stable")[::-1]
    return np.cumsum(cal[order])


def est_roc_auc(cal, raw):
    if len(cal) == 0:
        return math.nan
    tps = est_curve(cal, raw)
    fps = 1 + np.arange(len(cal)) - tps
    tps = np.round(np.r_[0, tps], 5)
    fps = np.round(np.r_[0, fps], 5)
    if tps[-1] == 0 or fps[-1] == 0:
        return math.nan
    tpr, fpr = tps / tps[-1], fps / fps[-1]
    d = np.diff(fpr)
    sign = -1.0 if (np.any(d < 0) and np.all(d <= 0)) else 1.0
    return sign * np.trapz(tpr, fpr)


def est_ap(cal, raw):
    if len(cal) == 0:
        return math.nan
    tps = np.round(est_curve(cal, raw), 5)
    if tps[-1] == 0:
        return math.nan
    prec = np.r_[1, tps / np.arange(1, len(tps) + 1)]
    rec = np.r_[0, tps] / tps[-1]
    return -np.sum(np.diff(rec[::-1]) * prec[::-1][:-1])


def auc_components(pos, score, variance):
    pos = np.asarray(pos, dtype=int)
    score = np.asarray(score, dtype=float)
    if np.mean(pos) > 0.5:
        pos, score = 1 - pos, 1 - score
    order = np.argsort(score, kind="stable")
    pos = pos[order]
    ranks = np.nonzero(pos)[0]
    ranks = ranks[ranks > 0]
    below = ranks - np.arange(len(ranks))
    n_pos = pos.sum()
    gaps = below / (len(pos) - n_pos)
    return (np.var(gaps) if variance else np.std(gaps)), n_pos / len(pos)


def ap_components(pos, score, variance):
    size = min(len(pos) // 2, 50000)
    res = []
    for _ in range(50):
        idx = np.random.choice(len(pos), size, replace=True)
        res.append(average_precision_score(pos[idx], score[idx]))
    return (np.var(res) if variance else np.std(res)), size


def rate_components(metric, y, p, n, multiclass):
    tp, fp = np.sum(y & p), np.sum(~y & p)
    fn, tn = np.sum(y & ~p), np.sum(~y & ~p)
    if metric == "precision":
        obs, frac = np.r_[np.ones(tp), np.zeros(fp)], (tp + fp) / n
    elif metric == "recall":
        obs, frac = np.r_[np.ones(tp), np.zeros(fn)], (tp + fn) / n
    elif metric == "specificity":
        obs, frac = np.r_[np.ones(tn), np.zeros(fp)], (tn + fp) / n
    else:
        size = tp + fn + fp
        if size == 0:
            return math.nan, 0.0
        scale = 1.0 if multiclass else size / ((fn + fp) * 0.5 + tp)
        obs, frac = np.r_[np.ones(tp), np.zeros(fn + fp)] * scale, size / n
    return (np.var(obs) if multiclass else np.std(obs)), frac


class CBPE:
    """CBPE as the reference describes it, for a binary model (one score
    column) or a multiclass one (one column per class)."""

    def __init__(self, metrics, chunk_size, calibration="auto", normalize=None, seed=0):
        self.metrics, self.size, self.mode, self.norm, self.seed = metrics, chunk_size, calibration, normalize, seed

    def chunks(self, n, times=None):
        """(first row, last row, key) of each chunk: size-based, or one per
        pandas period when self.size is an offset alias (rows sorted by time)."""
        if isinstance(self.size, str):
            periods = pd.Series(pd.to_datetime(times)).dt.tz_localize(None).dt.to_period(self.size)
            return [(int(g.index.min()), int(g.index.max()), str(k)) for k, g in periods.groupby(periods)]
        out = [(i, i + self.size - 1) for i in range(0, n - n % self.size, self.size)]
        if n % self.size:
            out.append((n - n % self.size, n - 1))
        return [(a, b, "[%d:%d]" % (a, b)) for a, b in out]

    def cells(self):
        if self.C == 1:
            return [("true_positive", 1, 1), ("true_negative", 0, 0),
                    ("false_positive", 0, 1), ("false_negative", 1, 0)]
        return [("true_%s_pred_%s" % (a, b), i, j) for i, a in enumerate(CLASSES) for j, b in enumerate(CLASSES)]

    def components(self):
        out = []
        for m in self.metrics:
            if m == "confusion_matrix":
                out += [(name, m, (i, j)) for name, i, j in self.cells()]
            else:
                out.append((m, m, None))
        return out

    def pos_class(self, k):
        return 1 if self.C == 1 else k

    def limits(self, metric):
        if metric == "confusion_matrix":
            return 0.0, (math.inf if self.norm is None else 1.0)
        return 0.0, 1.0

    # -- realised metrics, scikit-learn's with NannyML's guards

    def realized(self, comp, raw, pred, y):
        name, metric, cell = comp
        keep = y >= 0
        raw, pred, y = raw[keep], pred[keep], y[keep]
        if len(y) == 0:
            return math.nan
        classes = 2 if self.C == 1 else self.C
        single = len(np.unique(y)) <= 1 or len(np.unique(pred)) <= 1
        allc = len(np.unique(y)) == classes
        if metric in ("roc_auc", "average_precision"):
            if self.C == 1:
                if metric == "roc_auc":
                    return roc_auc_score(y, raw[:, 0]) if allc else math.nan
                return average_precision_score(y, raw[:, 0]) if 1 in y else math.nan
            if not allc:
                return math.nan
            f = roc_auc_score if metric == "roc_auc" else average_precision_score
            return np.mean([f(y == k, raw[:, k]) for k in range(self.C)])
        if self.C == 1:
            if metric in ("precision", "recall", "f1"):
                if single:
                    return math.nan
                f = {"precision": precision_score, "recall": recall_score, "f1": f1_score}[metric]
                return f(y, pred, zero_division=0)
            if metric == "specificity":
                tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
                return tn / (tn + fp) if tn + fp else math.nan
            if metric == "accuracy":
                return np.mean(y == pred)
            return confusion_matrix(y, pred, labels=[0, 1], normalize=self.norm)[cell]
        if single:
            return math.nan
        labels = list(range(self.C))
        if metric in ("precision", "recall", "f1"):
            f = {"precision": precision_score, "recall": recall_score, "f1": f1_score}[metric]
            return f(y, pred, average="macro", labels=labels, zero_division=0)
        if metric == "specificity":
            spec = []
            for k in labels:
                tn = np.sum((y != k) & (pred != k))
                fp = np.sum((y != k) & (pred == k))
                spec.append(tn / (tn + fp) if tn + fp else math.nan)
            return np.mean(spec)
        if metric == "accuracy":
            return np.mean(y == pred)
        return confusion_matrix(y, pred, labels=labels, normalize=self.norm)[cell]

    # -- estimates from calibrated probabilities

    def estimated(self, comp, cal, raw, pred):
        name, metric, cell = comp
        n = len(pred)
        if n == 0:
            return math.nan
        if metric == "roc_auc":
            return np.mean([est_roc_auc(cal[:, k], raw[:, k]) for k in range(self.C)])
        if metric == "average_precision":
            return np.mean([est_ap(cal[:, k], raw[:, k]) for k in range(self.C)])
        if metric in ("precision", "recall", "specificity", "f1"):
            return np.mean([est_rate(metric, cal[:, k], pred == self.pos_class(k)) for k in range(self.C)])
        if metric == "accuracy":
            if self.C == 1:
                p, hit = cal[:, 0], pred == 1
                return (np.sum(np.where(hit, p, 0)) + np.sum(np.where(~hit, 1 - p, 0))) / n
            return np.mean(cal[np.arange(n), pred])
        # confusion matrix
        if self.C == 1:
            p, hit = cal[:, 0], pred == 1
            r = {(1, 1): np.mean(np.where(hit, p, 0)), (0, 1): np.mean(np.where(hit, 1 - p, 0)),
                 (1, 0): np.mean(np.where(~hit, p, 0)), (0, 0): np.mean(np.where(~hit, 1 - p, 0))}
            if self.norm is None:
                return r[cell] * n
            if self.norm == "all":
                return r[cell]
            # the other cell of the same true row ("true") or predicted column ("pred")
            other = (cell[0], 1 - cell[1]) if self.norm == "true" else (1 - cell[0], cell[1])
            return r[cell] * (1 / (r[cell] + r[other]))
        m = np.array([[np.mean(np.where(pred == j, cal[:, i], 0)) for j in range(self.C)] for i in range(self.C)])
        if self.norm is None:
            m = m * n
        elif self.norm == "true":
            m = m / np.sum(m, axis=1)[:, None]
        elif self.norm == "pred":
            m = m / np.sum(m, axis=0)[None, :]
        else:
            m = m / np.sum(m)
        return m[cell]

    # -- sampling errors

    def fit_sampling_errors(self, raw, pred, y):
        n = len(y)
        mc = self.C > 1
        se = {}
        for comp in self.components():
            name, metric, cell = comp
            if metric in ("roc_auc", "average_precision"):
                parts = [(auc_components if metric == "roc_auc" else ap_components)(y == self.pos_class(k), raw[:, k], mc)
                         for k in range(self.C)]
                if not mc:
                    std, frac = parts[0]
                    se[name] = (lambda m, s=std, f=frac: s / np.sqrt(m * f)) if metric == "roc_auc" else \
                        (lambda m, s=std, f=frac: s * np.sqrt(f / m))
                elif metric == "roc_auc":
                    se[name] = lambda m, p=parts: np.sqrt(np.sum([v / (m * f) for v, f in p])) / len(p) * 1.2
                else:
                    se[name] = lambda m, p=parts: np.sqrt(np.mean([v * s / m for v, s in p]))
            elif metric in ("precision", "recall", "specificity", "f1"):
                parts = [rate_components(metric, y == self.pos_class(k), pred == self.pos_class(k), n, mc)
                         for k in range(self.C)]
                if not mc:
                    std, frac = parts[0]
                    se[name] = lambda m, s=std, f=frac: s / np.sqrt(m * f)
                else:
                    se[name] = lambda m, p=parts: np.sqrt(np.sum([v / (m * f) for v, f in p])) / len(p)
            elif metric == "accuracy":
                s = np.std((y == pred).astype(int))
                se[name] = lambda m, s=s: s / np.sqrt(m)
            else:
                i, j = cell
                count = np.sum((y == i) & (pred == j))
                if self.norm in (None, "all"):
                    obs = ((y == i) & (pred == j)).astype(int) if not mc else np.r_[np.ones(count), np.zeros(n - count)]
                    s = np.std(obs)
                    se[name] = (lambda m, s=s: s / np.sqrt(m) * m) if self.norm is None else (lambda m, s=s: s / np.sqrt(m))
                else:
                    marg = np.sum(y == i) if self.norm == "true" else np.sum(pred == j)
                    s = np.std(np.r_[np.ones(count), np.zeros(marg - count)])
                    se[name] = lambda m, s=s, f=marg / n: s / np.sqrt(m * f)
        return se

    # -- fit and estimate

    def calibrate(self, raw):
        cal = np.column_stack([self.cal[k].predict(raw[:, k]) if self.cal[k] is not None else raw[:, k]
                               for k in range(self.C)])
        if self.C > 1:
            s = np.sum(cal, axis=1)[:, None]
            cal = np.divide(cal, s, out=np.full_like(cal, 1 / self.C), where=s != 0)
        return cal

    def fit(self, raw, pred, y, times=None):
        self.C = raw.shape[1]
        n = len(y)
        np.random.seed(self.seed)
        self.se = self.fit_sampling_errors(raw, pred, y)
        self.thr = {}
        for comp in self.components():
            vals = np.array([self.realized(comp, raw[a:b + 1], pred[a:b + 1], y[a:b + 1])
                             for a, b, _ in self.chunks(n, times)])
            lo = np.nanmean(vals) - 3 * np.nanstd(vals)
            hi = np.nanmean(vals) + 3 * np.nanstd(vals)
            llim, ulim = self.limits(comp[1])
            self.thr[comp[0]] = (llim if lo <= llim else lo, ulim if hi >= ulim else hi)
        self.cal = []
        for k in range(self.C):
            pos = (y == self.pos_class(k)).astype(int)
            use = self.mode == "always" or (self.mode == "auto" and needs_calibration(pos, raw[:, k]))
            self.cal.append(IsotonicRegression(out_of_bounds="clip", increasing=True).fit(raw[:, k], pos)
                            if use else None)
        return self.run(raw, pred, y, times, "reference")

    def run(self, raw, pred, y, times, period):
        cal = self.calibrate(raw)
        out = []
        for a, b, key in self.chunks(len(pred), times):
            rec = {"period": period, "key": key, "start_index": a, "end_index": b}
            c_raw, c_cal, c_pred, c_y = raw[a:b + 1], cal[a:b + 1], pred[a:b + 1], y[a:b + 1]
            labelled = np.any(c_y >= 0)
            for comp in self.components():
                name, metric, _ = comp
                v = self.estimated(comp, c_cal, c_raw, c_pred)
                s = self.se[name](b - a + 1)
                llim, ulim = self.limits(metric)
                lo, hi = self.thr[name]
                r = {"value": v, "sampling_error": s}
                if labelled:
                    r["realized"] = self.realized(comp, c_raw, c_pred, c_y)
                r.update({"upper_confidence_boundary": np.minimum(ulim, v + 3 * s),
                          "lower_confidence_boundary": np.maximum(llim, v - 3 * s),
                          "upper_threshold": hi, "lower_threshold": lo,
                          "alert": bool(v < lo or v > hi)})
                rec[name] = r
            out.append(rec)
        return out


def cbpe_case(name, kind, metrics, chunk_size, calibration="auto", normalize=None, seed=0):
    mc = kind == "multiclass"
    ref = read_csv(os.path.join(HERE, kind + "_reference.csv"), mc)
    ana = read_csv(os.path.join(HERE, kind + "_analysis.csv"), mc)
    est = CBPE(metrics, chunk_size, calibration, normalize, seed)
    chunks = est.fit(*ref) + est.run(*ana, period="analysis")
    doc = {"metrics": [c[0] for c in est.components()],
           "needs_calibration": any(c is not None for c in est.cal),
           "chunks": chunks}
    args = {"kind": kind, "metrics": metrics, "chunk_size": chunk_size, "calibration": calibration,
            "normalize": normalize or "", "seed": seed}
    with open(os.path.join(HERE, "cbpe_%s.json" % name), "w") as f:
        json.dump(clean({"args": args, "result": doc}), f, indent=1)
        f.write("\n")


DEFAULT = ["roc_auc", "f1", "precision", "recall", "specificity", "accuracy"]
ALL = ["roc_auc", "f1", "average_precision", "precision", "recall", "specificity", "accuracy", "confusion_matrix"]


def main():
    make_binary()
    make_multiclass()
    golden = {"numpy": numpy_pieces(), "isotonic": isotonic_pieces(), "binary_clf": binary_clf_pieces(),
              "calibration": calibration_pieces(), "periods": period_pieces()}
    with open(os.path.join(HERE, "golden.json"), "w") as f:
        json.dump(clean(golden), f)
        f.write("\n")
    cbpe_case("binary", "binary", ALL, 250)
    cbpe_case("binary_never_cm_true", "binary", ["accuracy", "confusion_matrix"], 400, "never", "true")
    cbpe_case("binary_always_cm_pred", "binary", ["f1", "confusion_matrix"], 333, "always", "pred", seed=9)
    cbpe_case("binary_weekly", "binary", DEFAULT, "W")
    cbpe_case("multiclass", "multiclass", ALL, 300, seed=3)
    cbpe_case("multiclass_default", "multiclass", DEFAULT + ["confusion_matrix"], 300)
    cbpe_case("multiclass_never_cm_all", "multiclass", ["roc_auc", "accuracy", "confusion_matrix"], 500, "never", "all")


if __name__ == "__main__":
    main()
