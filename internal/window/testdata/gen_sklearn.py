#!/usr/bin/python3
"""Golden values for internal/window, computed with scikit-learn.

Run with Debian's interpreter, which has python3-sklearn:

    /usr/bin/python3 internal/window/testdata/gen_sklearn.py > internal/window/testdata/sklearn_golden.json

Each case is a stream of label events [seq, ground_truth, prediction]. A seq
seen before is a corrected label for a prediction already labelled; the
window keeps the last `size` predictions in order of first label arrival and
replaces corrected labels in place (dropping corrections of predictions that
already left the window). At each checkpoint the script computes sklearn's
accuracy and weighted precision/recall/F1 (zero_division=0) over the window.
"""
import json
import random
import sys
from collections import OrderedDict

import sklearn
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score


def window_metrics(win):
    y_true = [t for (t, p) in win.values()]
    y_pred = [p for (t, p) in win.values()]
    return {
        "count": len(y_true),
        "accuracy": accuracy_score(y_true, y_pred),
        "precision": precision_score(y_true, y_pred, average="weighted", zero_division=0),
        "recall": recall_score(y_true, y_pred, average="weighted", zero_division=0),
        "f1": f1_score(y_true, y_pred, average="weighted", zero_division=0),
    }


def run_case(name, size, events, every):
    win = OrderedDict()  # seq -> (truth, pred), oldest first
    checkpoints = []
    for i, (seq, truth, pred) in enumerate(events):
        if seq in win:
            win[seq] = (truth, pred)
        elif not win or seq > next(reversed(win)):
            win[seq] = (truth, pred)
            if len(win) > size:
                win.popitem(last=False)
        if (i + 1) % every == 0 or i + 1 == len(events):
            cp = window_metrics(win)
            cp["after"] = i + 1
            checkpoints.append(cp)
    return {"name": name, "size": size, "events": events, "checkpoints": checkpoints}


def stream(rng, n, classes, accuracy, extra_pred_classes=(), start_seq=1):
    events = []
    for k in range(n):
        truth = rng.choice(classes)
        if rng.random() < accuracy:
            pred = truth
        else:
            pred = rng.choice([c for c in classes + list(extra_pred_classes) if c != truth])
        events.append([start_seq + k, truth, pred])
    return events


def main():
    rng = random.Random(20261126)
    cases = []
    cases.append(run_case("binary", 1000, stream(rng, 600, ["0", "1"], 0.85), 50))
    cases.append(run_case("multiclass", 1000, stream(rng, 900, ["cat", "dog", "bird", "fish"], 0.7), 75))
    # Classes that only ever appear as predictions (weight 0 in the averages,
    # but they lower the precision denominators of nothing and the recall of
    # the true classes).
    cases.append(run_case("prediction_only_classes", 1000,
                          stream(rng, 500, ["1", "2", "3"], 0.6, extra_pred_classes=["7", "8"]), 50))
    # Past the window size: wrap-around, with accuracy falling half-way.
    ev = stream(rng, 1500, ["0", "1", "2"], 0.9) + stream(rng, 1500, ["0", "1", "2"], 0.5, start_seq=1501)
    cases.append(run_case("wrap_around", 1000, ev, 250))
    # Corrections: re-labelled predictions, some still in the window, some
    # already evicted, interleaved with new labels; and a small window.
    ev = stream(rng, 400, ["a", "b", "c", "d", "e"], 0.75)
    mixed = []
    seq = 401
    for k in range(600):
        if rng.random() < 0.3:
            old = rng.randint(1, seq - 1)
            mixed.append([old, rng.choice(["a", "b", "c", "d", "e"]), None])
        else:
            t = rng.choice(["a", "b", "c", "d", "e"])
            p = t if rng.random() < 0.7 else rng.choice(["a", "b", "c", "d", "e", "z"])
            mixed.append([seq, t, p])
            seq += 1
    # Fill in the prediction of corrections from the original event.
    preds = {s: p for s, t, p in ev}
    for e in mixed:
        if e[2] is None:
            e[2] = preds[e[0]]
        else:
            preds[e[0]] = e[2]
    cases.append(run_case("corrections", 250, ev + mixed, 40))
    # A single class everywhere, and all wrong.
    cases.append(run_case("single_class", 1000, [[k + 1, "x", "x"] for k in range(150)], 50))
    cases.append(run_case("all_wrong", 1000, [[k + 1, "1", "0"] for k in range(150)], 50))
    json.dump({"generator": "gen_sklearn.py", "sklearn_version": sklearn.__version__, "cases": cases},
              sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
