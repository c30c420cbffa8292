"""A stand-in for the ``wandb`` package, so a program written for W&B runs under hpo unchanged.

hpo puts this folder first on PYTHONPATH when a sweep says ``report: wandb``; the program's
``import wandb`` then gets this module, which turns the W&B calls a training script makes into
hpo's line protocol (``{"hpo": {"step": 3, "val_loss": 0.2}}`` on stdout, written by ../../hpo.py):

- ``wandb.init(config=...)`` returns a ``Run`` (also a context manager) and sets ``wandb.run``.
- ``wandb.config`` / ``run.config``: attribute and item access; the trial's parameters
  (``HPO_PARAMS``) win over the program's own config, and setting one of them is ignored with a
  warning, as W&B does for keys a sweep controls.
- ``wandb.log(data, step=None, commit=None)``: W&B's step rules. Without ``step`` each call is one
  step (0, 1, 2, ...); with ``step`` the data joins that step, which is written when a later step
  begins or at finish. ``commit=False`` keeps the step open. Numbers (and one-element tensors)
  are reported; other values (images, tables, text) are dropped with one warning per key. Nested
  dicts are flattened as ``outer.inner``.
- ``run.summary``: dict-like. Values set in it are written at finish as one more step after the
  last one logged, so they are the last values reported: ``run.summary["best_acc"] = ...`` can be
  the sweep's metric, and a summary value of a logged metric becomes the fold's score, as the
  summary is what a W&B sweep reads. (Not the last step itself: hpo refuses a report for a step
  that the sweep's metric already closed.)
- ``wandb.finish()`` / ``run.finish()``: writes what is pending; also runs at exit.
- ``wandb.agent(sweep_id, function)`` calls ``function`` once (hpo runs one trial per process) and
  ``wandb.sweep(config)`` returns hpo's sweep id: the sweep file given to hpo decides.

Every other attribute or call (``wandb.watch``, ``wandb.Table``, ``wandb.Image``, ``wandb.plot``,
``wandb.login``, ``wandb.integration.keras...``) is a no-op that warns once per name on stderr.
Standard library only.
"""

import atexit
import importlib.abc
import importlib.machinery
import importlib.util
import numbers
import math
import os
import sys
import types

__version__ = "0.0.0-hpo-standin"


def _load_hpo():
    """hpo.py, shipped two folders up (packages/program-kit/python), whether or not it is on the path."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "hpo.py")
    spec = importlib.util.spec_from_file_location("_hpo_for_wandb_standin", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_hpo = _load_hpo()
_warned = set()


def _warn(key, message):
    if key in _warned:
        return
    _warned.add(key)
    sys.stderr.write(f"wandb stand-in (hpo): {message}\n")
    sys.stderr.flush()


# ---- no-ops for everything hpo does not map ----


class _NoOp:
    """What an unsupported name gives: callable, indexable, iterable (empty), a context manager."""

    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def __call__(self, *args, **kwargs):
        return _NoOp(self._name)

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _NoOp(f"{self._name}.{attr}")

    def __setattr__(self, attr, value):
        pass

    def __getitem__(self, key):
        return _NoOp(self._name)

    def __setitem__(self, key, value):
        pass

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __repr__(self):
        return f"<wandb stand-in no-op {self._name}>"


def _unsupported(name):
    _warn(name, f"{name} is not supported under hpo; it does nothing")
    return _NoOp(name)


class _NoOpModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes ``import wandb.<anything>`` work: a module whose every name is a no-op."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith(__name__ + "."):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        module.__path__ = []

        def __getattr__(attr):
            if attr.startswith("__"):
                raise AttributeError(attr)
            return _unsupported(f"{spec.name}.{attr}")

        module.__getattr__ = __getattr__
        return module

    def exec_module(self, module):
        pass


sys.meta_path.append(_NoOpModules())


# ---- config ----


class Config:
    """W&B's run config: attribute and item access; the trial's parameters win and are locked."""

    def __init__(self):
        object.__setattr__(self, "_items", _hpo.params())
        object.__setattr__(self, "_locked", frozenset(self._items))

    def _set(self, key, value):
        if key in self._locked:
            if self._items[key] != value:
                _warn(f"config.{key}", f"config key {key!r} is set by the hpo sweep; the program's value is ignored")
            return
        self._items[key] = value

    def _set_defaults(self, values):
        """The program's own config (wandb.init(config=...)), under the trial's parameters."""
        merged = _hpo.params(values)
        for key, value in merged.items():
            self._items[key] = value

    def update(self, values=None, allow_val_change=None, **more):
        for key, value in _as_dict(values).items():
            self._set(key, value)
        for key, value in more.items():
            self._set(key, value)

    def setdefaults(self, values):
        for key, value in _as_dict(values).items():
            self._items.setdefault(key, value)

    def get(self, key, default=None):
        return self._items.get(key, default)

    def keys(self):
        return self._items.keys()

    def values(self):
        return self._items.values()

    def items(self):
        return self._items.items()

    def as_dict(self):
        return dict(self._items)

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(key)
        try:
            return self._items[key]
        except KeyError:
            raise AttributeError(f"wandb.config has no key {key!r}; it has {sorted(self._items)}") from None

    def __setattr__(self, key, value):
        self._set(key, value)

    def __getitem__(self, key):
        return self._items[key]

    def __setitem__(self, key, value):
        self._set(key, value)

    def __contains__(self, key):
        return key in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def __repr__(self):
        return repr(self._items)


def _as_dict(values):
    if values is None:
        return {}
    if isinstance(values, dict):
        return values
    if isinstance(values, Config):
        return values.as_dict()
    if isinstance(values, str):
        _warn("config-file", f"config={values!r}: config files are not read under hpo; the sweep's parameters apply")
        return {}
    if hasattr(values, "__dict__"):  # argparse.Namespace and the like
        return {k: v for k, v in vars(values).items() if not k.startswith("_")}
    return dict(values)


# ---- metrics ----


def _number(value):
    """The finite float or int reported for a logged value, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if not isinstance(value, numbers.Real) and callable(getattr(value, "item", None)):
        try:
            value = value.item()  # numpy scalars, one-element tensors
        except Exception:
            return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return value if math.isfinite(value) else None


def _flatten(data, prefix=""):
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        else:
            yield name, value


class Summary(dict):
    """A run's summary: a dict whose entries are written at finish, one step after the last logged."""

    def update(self, values=None, **more):
        super().update(values or {}, **more)


class Run:
    """One W&B run: this fold's process under hpo."""

    def __init__(self, project=None, name=None):
        self.config = _CONFIG
        self.summary = Summary()
        self.project = project or "hpo"
        self.id = f"{os.environ.get('HPO_TRIAL_ID', 'local')}-fold{_hpo.fold()}"
        self.name = name or self.id
        self.sweep_id = os.environ.get("HPO_SWEEP_ID")
        self.dir = _hpo.output_dir()
        self.step = 0
        self._row = {}
        self._last_step = None
        self._finished = False

    def log(self, data, step=None, commit=None, sync=None):
        if self._finished:
            _warn("log-after-finish", "wandb.log after finish is ignored")
            return
        if step is not None:
            if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
                raise ValueError(f"wandb.log: step must be a non-negative integer, got {step!r}")
            if step < self.step:
                _warn(
                    f"step-back-{step}",
                    f"wandb.log: step {step} is before the current step {self.step}; that data is ignored (as in W&B)",
                )
                return
            if step > self.step:
                self._commit()
                self.step = int(step)
        for key, value in _flatten(dict(data)):
            self._row[key] = value
        if commit or (commit is None and step is None):
            self._commit()
            self.step += 1

    def _commit(self):
        row, self._row = self._row, {}
        metrics = {}
        for key, value in row.items():
            number = _number(value)
            if key in ("step", "_step"):
                _warn(f"log-{key}", f"wandb.log: key {key!r} names hpo's step; it is not reported as a metric")
            elif number is None:
                _warn(f"log-{key}", f"wandb.log: {key!r} is not a finite number; not reported")
            else:
                metrics[key] = number
        if metrics:
            _hpo.report(self.step, metrics)
            self._last_step = self.step

    def finish(self, exit_code=None, quiet=None):
        global run
        if self._finished:
            return
        self._commit()
        summary = {}
        for key, value in _flatten(dict(self.summary)):
            number = _number(value)
            if number is None:
                _warn(f"summary-{key}", f"run.summary[{key!r}] is not a finite number; not reported")
            else:
                summary[key] = number
        if summary:
            _hpo.report(0 if self._last_step is None else self._last_step + 1, summary)
        self._finished = True
        if run is self:
            run = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.finish()
        return False

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _unsupported(f"run.{attr}")


_CONFIG = Config()
config = _CONFIG
run = None
summary = None


def init(project=None, config=None, name=None, reinit=None, **kwargs):
    """Starts (or, while one is running, returns) the run of this fold; ``config`` sits under the trial's parameters."""
    global run, summary
    if run is not None and not reinit:
        return run
    if run is not None:
        run.finish()
    _CONFIG._set_defaults(_as_dict(config))
    run = Run(project=project, name=name)
    summary = run.summary
    return run


def log(data, step=None, commit=None, sync=None):
    if run is None:
        raise RuntimeError("wandb.log: call wandb.init() first (as with W&B)")
    run.log(data, step=step, commit=commit)


def finish(exit_code=None, quiet=None):
    if run is not None:
        run.finish(exit_code)


def sweep(sweep=None, entity=None, project=None, **kwargs):
    _warn("sweep", "wandb.sweep: under hpo the sweep file given to hpo decides; this config is ignored")
    return os.environ.get("HPO_SWEEP_ID", "hpo-sweep")


def agent(sweep_id=None, function=None, entity=None, project=None, count=None, **kwargs):
    """Runs ``function`` once: hpo starts one process per fold of each trial."""
    if function is not None:
        function()


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return _unsupported(f"wandb.{name}")


atexit.register(finish)
