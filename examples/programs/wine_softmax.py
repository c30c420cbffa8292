"""Softmax regression on the wine dataset, trained by minibatch SGD in plain Python.

A training program as hpo runs it (sweep: wine-softmax.yaml): one process per fold; parameters
from hpo.params(), this fold's rows from hpo.kfold_indices() (the split hpo's built-in trainer
makes of the same CSV for the same cv.seed), one hpo.report() per epoch. Python standard
library only. Run it alone as fold 0 of 5 with its default parameters:

    python3 examples/programs/wine_softmax.py
"""

import csv
import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    import hpo
except ImportError:  # run outside hpo: the helper shipped in this repository
    sys.path.insert(0, os.path.join(HERE, "..", "..", "packages", "program-kit", "python"))
    import hpo

DEFAULTS = {
    "learning_rate": 0.1,
    "batch_size": 16,
    "l2": 0.0001,
    "epochs": 30,
    "data": os.path.join(HERE, "..", "..", "packages", "trainer", "datasets", "wine.csv"),
}


def load(path):
    """Features (lists of floats) and integer labels of a CSV whose last column is the class."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))[1:]
    return [[float(v) for v in r[:-1]] for r in rows], [int(r[-1]) for r in rows]


def moments(x, rows):
    """Each feature's mean and standard deviation over the training rows only."""
    d = len(x[0])
    mean = [sum(x[i][j] for i in rows) / len(rows) for j in range(d)]
    std = [math.sqrt(sum((x[i][j] - mean[j]) ** 2 for i in rows) / len(rows)) or 1.0 for j in range(d)]
    return mean, std


def softmax(z):
    top = max(z)
    e = [math.exp(v - top) for v in z]
    s = sum(e)
    return [v / s for v in e]


def main():
    p = hpo.params(DEFAULTS)
    x, y = load(p["data"])
    classes = max(y) + 1
    train, val = hpo.kfold_indices(len(x), labels=y)
    mean, std = moments(x, train)
    d = len(mean)
    xs = [[(v[j] - mean[j]) / std[j] for j in range(d)] for v in x]
    w = [[0.0] * d for _ in range(classes)]
    b = [0.0] * classes
    rng = random.Random(hpo.fold())
    lr, l2, batch = float(p["learning_rate"]), float(p["l2"]), int(p["batch_size"])

    def probs(i):
        return softmax([sum(wc[j] * xs[i][j] for j in range(d)) + b[c] for c, wc in enumerate(w)])

    def loss_and_accuracy(rows):
        loss = hits = 0.0
        for i in rows:
            pr = probs(i)
            loss -= math.log(max(pr[y[i]], 1e-12))
            hits += pr.index(max(pr)) == y[i]
        return loss / len(rows), hits / len(rows)

    for epoch in range(int(p["epochs"])):
        order = train[:]
        rng.shuffle(order)
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            gw = [[l2 * wcj for wcj in wc] for wc in w]
            gb = [0.0] * classes
            for i in rows:
                pr = probs(i)
                for c in range(classes):
                    g = (pr[c] - (c == y[i])) / len(rows)
                    gb[c] += g
                    for j in range(d):
                        gw[c][j] += g * xs[i][j]
            for c in range(classes):
                b[c] -= lr * gb[c]
                for j in range(d):
                    w[c][j] -= lr * gw[c][j]
        train_loss, train_accuracy = loss_and_accuracy(train)
        val_loss, val_accuracy = loss_and_accuracy(val)
        hpo.report(epoch, val_accuracy=val_accuracy, val_loss=val_loss, train_loss=train_loss)

    # everything needed to predict: in the refit run (hpo export; hpo.refit() is True, every row
    # trained on) this file is the exported model
    with open(os.path.join(hpo.output_dir(), "model.json"), "w") as f:
        json.dump({"weights": w, "bias": b, "mean": mean, "std": std}, f)


if __name__ == "__main__":
    main()
