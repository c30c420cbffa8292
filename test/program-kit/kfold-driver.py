"""Reads K-fold cases (JSON list on stdin) and prints, per case, every fold's validation rows
from hpo.kfold_indices, or {"error": message}. Used by kfold-parity.test.ts."""

import json
import os
import sys

import hpo

out = []
for case in json.load(sys.stdin):
    os.environ["HPO_FOLDS"] = str(case["folds"])
    os.environ["HPO_CV_SEED"] = str(case["seed"])
    os.environ["HPO_CV_STRATIFIED"] = "1" if case["stratified"] else "0"
    try:
        out.append([hpo.kfold_indices(case["n"], case.get("labels"), fold=f)[1] for f in range(case["folds"])])
    except (ValueError, TypeError) as e:
        out.append({"error": str(e)})
json.dump(out, sys.stdout)
