"""hpo's helper for training programs: one file, Python standard library only.

hpo runs a program once per fold of each trial. The worker puts this file's folder first on
PYTHONPATH, so a program does ``import hpo`` and calls:

- ``params(defaults=None)``: the trial's parameters (``HPO_PARAMS``, JSON; nested parameters are
  nested dicts) merged over ``defaults``.
- ``fold()`` / ``folds()``: this process's fold (0-based) and the number of folds.
- ``refit()``: True in the trial's refit run (``hpo export``), one run on every row.
- ``output_dir()``: a directory for this fold's files, kept with the trial.
- ``report(step, metrics=None, **more)``: one line of hpo's protocol on stdout,
  ``{"hpo": {"step": 3, "val_accuracy": 0.91}}``. A fold's score is the last value reported for
  the sweep's metric; every metric reported is stored and plotted.
- ``kfold_indices(n, labels=None, fold=None)``: ``(train, validation)`` row indices of a fold,
  exactly the split hpo's built-in K-fold (packages/core/src/kfold.ts) makes for the sweep's
  ``cv.seed`` and ``cv.stratified``; ``labels`` are used only when the sweep is stratified.

Outside hpo (no ``HPO_FOLD`` in the environment) the sweep defaults apply: fold 0 of 5, seed 0,
stratified, no parameters, the current directory as output. Everything else the program prints
goes to the trial log.

The split is bit-exact with packages/core (mulberry32 in 32-bit integer arithmetic, Fisher-Yates,
classes in core's class-labels.ts order); test/program-kit/kfold-parity.test.ts checks it against
core and against ../js/hpo.mjs. Change them together.
"""

import json
import math
import numbers
import os
import re
import sys

__all__ = ["params", "refit", "fold", "folds", "output_dir", "report", "kfold_indices"]

_DEFAULT_FOLDS = 5
_MASK = 0xFFFFFFFF


def _env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"hpo: environment variable {name} must be an integer, got {raw!r}") from None


def _merge(base, over):
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def params(defaults=None):
    """The trial's parameters (``HPO_PARAMS``) merged over ``defaults`` (nested dicts merge too).

    Raises ValueError when ``HPO_PARAMS`` is not a JSON object.
    """
    raw = os.environ.get("HPO_PARAMS")
    given = {}
    if raw:
        try:
            given = json.loads(raw)
        except json.JSONDecodeError as e:
            raise ValueError(f"hpo: HPO_PARAMS is not valid JSON: {e}") from None
        if not isinstance(given, dict):
            raise ValueError(f"hpo: HPO_PARAMS must be a JSON object, got {raw[:60]!r}")
    return _merge(defaults or {}, given)


def refit():
    """True in a trial's refit run (``HPO_REFIT=1``, ``hpo export``): one run on every row.

    Its ``output_dir()`` is what ``hpo export`` hands the user; ``kfold_indices`` then gives every
    row as training and validation (the program runs unchanged; its "validation" figures are
    training figures and hpo does not score them).
    """
    return os.environ.get("HPO_REFIT") == "1"


def fold():
    """This process's fold, 0-based (``HPO_FOLD``; 0 outside hpo)."""
    return _this_fold()


def _this_fold():
    return _env_int("HPO_FOLD", 0)


def folds():
    """The number of folds of the trial (``HPO_FOLDS``; 5 outside hpo)."""
    return _env_int("HPO_FOLDS", _DEFAULT_FOLDS)


def output_dir():
    """A directory for this fold's files (``HPO_OUTPUT_DIR``, created if missing; "." outside hpo)."""
    path = os.environ.get("HPO_OUTPUT_DIR") or "."
    os.makedirs(path, exist_ok=True)
    return path


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def report(step, metrics=None, **more):
    """Writes one protocol line to stdout: ``{"hpo": {"step": step, <metrics>}}``, and flushes.

    ``metrics`` is a dict (and/or keyword arguments) of metric name to finite number.
    Raises ValueError naming the problem: a step that is not a non-negative integer, no metric,
    an empty name, a name "step", or a value that is not a finite number.
    """
    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
        raise ValueError(f"hpo.report: step must be a non-negative integer, got {step!r}")
    values = dict(metrics or {})
    values.update(more)
    if not values:
        raise ValueError(f"hpo.report: step {step} has no metrics")
    line = {"step": int(step)}
    for name, value in values.items():
        if not isinstance(name, str) or name == "" or name == "step":
            raise ValueError(f"hpo.report: step {step}: metric name {name!r} is not allowed")
        if not _is_number(value) or not math.isfinite(value):
            raise ValueError(f"hpo.report: step {step}: metric {name!r} must be a finite number, got {value!r}")
        line[name] = int(value) if isinstance(value, numbers.Integral) else float(value)
    out = sys.stdout
    out.write(json.dumps({"hpo": line}, separators=(",", ":")) + "\n")
    out.flush()


# ---- K-fold split, bit-exact with packages/core/src/kfold.ts and rng.ts ----


class _Rng:
    """mulberry32 over a 32-bit state, as core's createRng."""

    def __init__(self, seed):
        self.state = int(seed) & _MASK

    def uint32(self):
        self.state = (self.state + 0x6D2B79F5) & _MASK
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & _MASK
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & _MASK)) & _MASK
        return (t ^ (t >> 14)) & _MASK

    def int(self, lo, hi):
        return lo + math.floor(self.uint32() / 4294967296 * (hi - lo + 1))


def _shuffled(items, rng):
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = rng.int(0, i)
        out[i], out[j] = out[j], out[i]
    return out


# JavaScript's String.prototype.trim whitespace, so labels read as numbers exactly when core reads them so.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_NUMERIC = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?(infinity|inf)", re.IGNORECASE)


def _class_key(label, row):
    """(dict key, sort key) of a label in core's class order: numbers by value, then text by UTF-16 units."""
    if _is_number(label):
        value = float(label)
        if math.isnan(value):
            raise ValueError(f"hpo.kfold_indices: label of row {row} is NaN")
        return ("n", value), (0, value)
    if isinstance(label, str):
        text = label.strip(_JS_SPACE)
        if _NUMERIC.fullmatch(text):
            value = float(text)
            return ("s", label), (0, value)
        return ("s", label), (1, label.encode("utf-16-be", "surrogatepass"))
    raise TypeError(f"hpo.kfold_indices: label of row {row} must be a number or a string, got {type(label).__name__}")


def _assign(n, k, seed, labels):
    rng = _Rng(seed)
    assignment = [0] * n
    if labels is None:
        for j, row in enumerate(_shuffled(range(n), rng)):
            assignment[row] = j % k
        return assignment
    by_class = {}
    for i, label in enumerate(labels):
        key, order = _class_key(label, i)
        entry = by_class.setdefault(key, (order, label, []))
        entry[2].append(i)
    offset = 0
    for _, label, rows in sorted(by_class.values(), key=lambda e: e[0]):
        if len(rows) < k:
            raise ValueError(
                f"hpo.kfold_indices: class {json.dumps(label)} has {len(rows)} rows, fewer than cv.folds ({k});"
                " use fewer folds or cv.stratified: false"
            )
        for j, row in enumerate(_shuffled(rows, rng)):
            assignment[row] = (offset + j) % k
        offset = (offset + len(rows)) % k
    return assignment


def kfold_indices(n, labels=None, fold=None):
    """``(train, validation)``: lists of row indices of fold ``fold`` (default: this process's fold).

    The split of ``n`` rows is the one hpo's built-in K-fold makes for this sweep (``HPO_FOLDS``,
    ``HPO_CV_SEED``, ``HPO_CV_STRATIFIED``): stratified by ``labels`` (numbers or strings, one per
    row) when the sweep is, else a plain shuffle. Raises ValueError when there are fewer than 2
    folds (``cv.folds: 1`` means the program validates on its own), more folds than rows, a class
    with fewer rows than folds, or ``len(labels) != n``; and when ``fold`` is out of range.
    """
    if refit() and fold is None:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(f"hpo.kfold_indices: n must be a non-negative integer, got {n!r}")
        return list(range(n)), list(range(n))
    k = folds()
    seed = _env_int("HPO_CV_SEED", 0)
    stratified = os.environ.get("HPO_CV_STRATIFIED", "1") != "0"
    f = _this_fold() if fold is None else fold
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"hpo.kfold_indices: n must be a non-negative integer, got {n!r}")
    if k < 2:
        raise ValueError(
            f"hpo.kfold_indices: cv.folds must be an integer >= 2, got {k}"
            " (with cv.folds: 1 the program validates on its own)"
        )
    if k > n:
        raise ValueError(f"hpo.kfold_indices: cv.folds ({k}) exceeds the number of rows ({n})")
    if isinstance(f, bool) or not isinstance(f, numbers.Integral) or not 0 <= f < k:
        raise ValueError(f"hpo.kfold_indices: fold must be an integer in [0, {k - 1}], got {f!r}")
    if labels is not None:
        labels = list(labels)
        if len(labels) != n:
            raise ValueError(f"hpo.kfold_indices: {len(labels)} labels for {n} rows")
    assignment = _assign(int(n), k, seed, labels if stratified else None)
    train = [i for i, a in enumerate(assignment) if a != f]
    validation = [i for i, a in enumerate(assignment) if a == f]
    return train, validation
