# SPDX-License-Identifier: Apache-2.0
"""Write the XGBoost fixtures of the kit, and the XGBoost iris model of the offline store.

Why this exists: the TypeScript XGBoost runtime (lib/server/runtimes/xgboost) must predict exactly
what XGBoost predicts. This script trains small, deterministic models with Debian's xgboost 1.7.4,
saves each in the three formats XGBoost writes (model.json, model.ubj and the legacy binary
model.bst), asks XGBoost itself for predictions and writes them, repr-exact, to expected.json.
The files it writes are committed, so the tests need no Python.

Run it from the repository root:   /usr/bin/python3 cluster/models/make_xgboost_models.py

Fixtures (cluster/models/fixtures/xgboost-<name>/):
  iris           multi:softmax, trained the way Seldon's iris sample was (max_depth 6, eta 0.1,
                 num_class 10, 10 rounds); this one is also copied into the offline store at
                 store/gs/seldon-models/xgboost/iris/ (Seldon's sample modelUri)
  iris-softprob  multi:softprob on iris, 3 classes
  binary         binary:logistic, virginica against the rest
  regression     reg:squarederror on scikit-learn's diabetes data, with a non-default base_score
  missing        binary:logistic trained on iris with a quarter of its cells missing (NaN), so
                 that the trees learn a default direction for missing values both ways; gamma 1
                 prunes branches, which leaves deleted nodes in the file
  dart           binary:logistic with the dart booster (per-tree weights)
  expf-sigmoid,  hand-made trees (XGBoost's JSON layout, loaded and saved by XGBoost) whose leaves
  expf-softmax   send sigmoid and softmax to inputs where glibc's expf is not float32(exp(x)):
                 trained trees give too few distinct margins to meet such inputs by chance
  logf-base-score  the same for the logf that turns a logistic base_score into a margin

  libm           not a model: expf.json and logf.json hold float32 inputs and what this machine's
                 C library (glibc, which XGBoost calls) returns for them, including inputs where
                 that is not float32(exp(x)) or float32(log(x)); the runtime must match bit for bit

expected.json: {"cases": [{"name", "input", "margin", "output"}], ...}; in "input", null stands
for NaN (a missing value), because JSON has no NaN.
"""

import ctypes
import json
import math
import os
import shutil
import sys

import numpy as np
import sklearn
import xgboost as xgb
from sklearn.datasets import load_diabetes, load_iris

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
STORE = os.path.join(HERE, "store", "gs", "seldon-models")
FORMATS = ("model.json", "model.ubj", "model.bst")


def train(params, X, y, rounds):
    # nthread 1 and a fixed seed: the same trees on every run.
    params = dict(params, nthread=1, seed=0, verbosity=0)
    return xgb.train(params, xgb.DMatrix(X, label=y), num_boost_round=rounds)


def to_json_rows(X):
    """Rows as JSON-ready lists: float64 values as Python floats, NaN as None."""
    return [[None if np.isnan(v) else float(v) for v in row] for row in np.asarray(X, dtype=np.float64)]


def threshold_rows(booster, base_row, limit=40):
    """Rows that sit exactly on, just under, and a hair under the trees' split thresholds.

    XGBoost casts features to float32 and sends x < threshold to the left. These rows check both
    rules: the threshold itself goes right, the float32 just below it goes left, and a float64 a
    quarter of a float32 step below it rounds up to the threshold in float32, so it goes right too.
    """
    model = json.loads(booster.save_raw("json"))
    booster_doc = model["learner"]["gradient_booster"]
    trees = booster_doc.get("gbtree", booster_doc)["model"]["trees"]  # dart keeps its trees one level down
    seen, rows = set(), []
    for tree in trees:
        for node, left in enumerate(tree["left_children"]):
            if left == -1:
                continue
            feature = tree["split_indices"][node]
            threshold = np.float32(tree["split_conditions"][node])
            if (feature, threshold) in seen:
                continue
            seen.add((feature, threshold))
            below = np.nextafter(threshold, np.float32(-np.inf), dtype=np.float32)
            step = float(threshold) - float(below)
            for value in (float(threshold), float(below), float(threshold) - step / 4):
                row = list(base_row)
                row[feature] = value
                rows.append(row)
            if len(rows) >= limit * 3:
                return rows
    return rows


def glibc(name):
    """float f(float) from this machine's C library: the one XGBoost's float32 maths calls."""
    fn = getattr(ctypes.CDLL("libm.so.6"), name)
    fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float]
    return fn


def chain_tree(leaves, tree_id):
    """A hand-made tree in XGBoost's JSON layout: row [j] (j = 0..k-1) lands in leaf j.

    Node 0 splits x0 < 0.5 into leaf 0 (node 1) and node 2, which splits x0 < 1.5, and so on;
    the last split has two leaves. Children sit side by side, as XGBoost allocates them.
    """
    k = len(leaves)
    n = 2 * k - 1
    left, right, index, cond = [-1] * n, [-1] * n, [0] * n, [0.0] * n
    parents = [2147483647] + [0] * (n - 1)
    for j in range(k - 1):
        node = 2 * j
        left[node], right[node], cond[node] = node + 1, node + 2, j + 0.5
        parents[node + 1] = parents[node + 2] = node
        cond[node + 1] = float(leaves[j])
    cond[n - 1] = float(leaves[k - 1])
    zeros = [0.0] * n
    return {
        "base_weights": zeros, "categories": [], "categories_nodes": [], "categories_segments": [],
        "categories_sizes": [], "default_left": [0] * n, "id": tree_id, "left_children": left,
        "loss_changes": zeros, "parents": parents, "right_children": right, "split_conditions": cond,
        "split_indices": index, "split_type": [0] * n, "sum_hessian": zeros,
        "tree_param": {"num_deleted": "0", "num_feature": "4", "num_nodes": str(n), "size_leaf_vector": "0"},
    }


def crafted_booster(template, trees_leaves, base_score=None):
    """A trained booster's JSON with its trees replaced by chain trees, loaded back by XGBoost."""
    doc = json.loads(template.save_raw("json"))
    if base_score is not None:
        # Written the way XGBoost writes floats ("4.9902347E-1"); XGBoost 1.7 quietly keeps 0.5
        # for a longer decimal such as "0.4990234673023224".
        written = np.format_float_scientific(np.float32(base_score), unique=True, exp_digits=1).upper().replace("E+", "E")
        doc["learner"]["learner_model_param"]["base_score"] = written
    model = doc["learner"]["gradient_booster"]["model"]
    groups = max(1, int(doc["learner"]["learner_model_param"]["num_class"]))
    model["trees"] = [chain_tree(leaves, i) for i, leaves in enumerate(trees_leaves)]
    model["tree_info"] = [i % groups for i in range(len(trees_leaves))]
    model["gbtree_model_param"]["num_trees"] = str(len(trees_leaves))
    booster = xgb.Booster(model_file=bytearray(json.dumps(doc).encode()))
    if base_score is not None:
        kept = json.loads(booster.save_config())["learner"]["learner_model_param"]["base_score"]
        if np.float32(kept) != np.float32(base_score):
            sys.exit(f"XGBoost did not keep base_score {base_score} (it has {kept})")
    return booster


def hard_leaves(count, expf_argument):
    """Leaf values for which XGBoost calls expf on an input where glibc's expf is not float32(exp(x)).

    `expf_argument(leaf)` is what the objective passes to expf for a row landing in that leaf,
    computed in float32 as XGBoost does.
    """
    expf = glibc("expf")
    rng = np.random.default_rng(11)
    found = []
    for leaf in rng.uniform(-16.0, 0.0, 400_000).astype(np.float32):
        x = float(expf_argument(leaf))
        if expf(x) != float(np.float32(math.exp(x))):
            found.append(float(leaf))
            if len(found) == count:
                break
    return found


def write_hand_made_fixtures(binary, softprob):
    """Models whose answers depend on the last bit of expf or logf: only glibc's own algorithms
    predict them. Trained trees give too few distinct margins to meet such inputs by chance."""
    f32 = np.float32
    # binary:logistic with base_score 0.5 starts at margin 0, so a row's margin is its leaf, and
    # sigmoid computes expf(-margin).
    leaves = hard_leaves(24, lambda leaf: -leaf)  # leaves are negative, so the 88.7 cap never applies
    # and margins beyond float32 exp's range: XGBoost caps sigmoid's exponent at 88.7
    leaves += [-120.0, -88.8, -87.6, 30.0, 120.0]
    sigmoid_model = crafted_booster(binary, [leaves])
    rows = [[float(j), 0.0, 0.0, 0.0] for j in range(len(leaves))]
    write_fixture("expf-sigmoid", sigmoid_model,
                  "hand-made binary:logistic tree whose leaves make sigmoid call expf on its hard inputs, "
                  "and on margins beyond float32 exp's range (-120, 120)",
                  [("one row per leaf", rows)])
    # binary:logistic starts at -logf(1/base_score - 1): a base_score where glibc's logf of that
    # is not float32(log(x)) shows whether the base margin is computed as XGBoost does.
    logf = glibc("logf")
    rng = np.random.default_rng(12)
    base_score = None
    for b in rng.uniform(0.01, 0.99, 100_000).astype(np.float32):
        t = float(np.float32(np.float32(1) / b) - np.float32(1))
        if logf(t) != float(np.float32(math.log(t))):
            base_score = float(b)
            break
    logistic = crafted_booster(binary, [[0.0, 0.25, -3.0]], base_score=base_score)
    write_fixture("logf-base-score", logistic,
                  f"hand-made binary:logistic tree with base_score {np.float32(base_score)!s}, where glibc's logf(1/base_score - 1) "
                  "is not float32(log(x)); the margin of the first row is the base margin itself",
                  [("one row per leaf", rows[:3])])
    # multi:softprob starts every class at 0.5. Class 0's leaf is 0, so its margin 0.5 is the
    # largest, and softmax computes expf(margin - 0.5) for the others.
    leaves = hard_leaves(24, lambda leaf: (f32(0.5) + leaf) - f32(0.5))
    half = len(leaves) // 2
    softmax_model = crafted_booster(softprob, [[0.0] * half, leaves[:half], leaves[half:]])
    write_fixture("expf-softmax", softmax_model,
                  "hand-made multi:softprob trees whose margins make softmax call expf on its hard inputs",
                  [("one row per leaf", rows[:half])])


def with_missing(X, fraction, seed):
    rng = np.random.default_rng(seed)
    X = np.array(X, dtype=np.float64)
    X[rng.random(X.shape) < fraction] = np.nan
    return X


def predict(booster, rows):
    X = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=np.float64)
    dm = xgb.DMatrix(X)
    return booster.predict(dm), booster.predict(dm, output_margin=True)


def as_floats(a):
    """float32 results as Python floats: exact, and written by json with repr (shortest round trip)."""
    return np.asarray(a, dtype=np.float64).tolist()


def compact_json(doc):
    """JSON with one line per top-level key and per case: small, and readable in a diff."""
    dump = lambda v: json.dumps(v, allow_nan=False, separators=(",", ":"))  # noqa: E731
    lines = [f" {json.dumps(k)}: {dump(v)}" for k, v in doc.items() if k != "cases"]
    if "cases" in doc:
        lines.append(' "cases": [\n' + ",\n".join("  " + dump(case) for case in doc["cases"]) + "\n ]")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def write_fixture(name, booster, description, cases):
    """Saves the booster in every format, checks XGBoost reads each back the same, writes expected.json."""
    folder = os.path.join(FIXTURES, "xgboost-" + name)
    os.makedirs(folder, exist_ok=True)
    for fmt in FORMATS:
        booster.save_model(os.path.join(folder, fmt))

    # Every format must load back to the same predictions in XGBoost itself, or the fixture is wrong.
    reloaded = [xgb.Booster(model_file=os.path.join(folder, fmt)) for fmt in FORMATS]
    out_cases = []
    for case_name, rows in cases:
        output, margin = predict(booster, rows)
        for fmt, other in zip(FORMATS, reloaded):
            again, _ = predict(other, rows)
            if not np.array_equal(np.asarray(again), np.asarray(output), equal_nan=True):
                sys.exit(f"{name}: {fmt} predicts differently from the trained booster")
        out_cases.append(
            {"name": case_name, "input": rows, "margin": as_floats(margin), "output": as_floats(output)}
        )

    config = json.loads(booster.save_config())
    expected = {
        "description": description,
        "generator": "cluster/models/make_xgboost_models.py",
        "xgboost": xgb.__version__,
        "scikit_learn": sklearn.__version__,
        "booster": config["learner"]["gradient_booster"]["name"],
        "objective": config["learner"]["objective"]["name"],
        "num_feature": booster.num_features(),
        "files": list(FORMATS),
        "note": "In input, null stands for NaN (a missing value). output is booster.predict(DMatrix(input)); "
        "margin is the same with output_margin=True. float32 results are written as exact float64 values.",
        "cases": out_cases,
    }
    with open(os.path.join(folder, "expected.json"), "w") as f:
        f.write(compact_json(expected))
    print(f"wrote {os.path.relpath(folder, HERE)} ({booster.num_boosted_rounds()} rounds)")
    return folder


def iris_cases(booster, X):
    rows = to_json_rows(X)
    return [
        ("the seed's request [[1,2,3,4]]", [[1.0, 2.0, 3.0, 4.0]]),
        ("every iris row", rows),
        ("split thresholds in float32", threshold_rows(booster, rows[0]) + threshold_rows(booster, rows[120])),
        ("missing values", to_json_rows(with_missing(X[::5], 0.4, seed=1)) + [[None, None, None, None]]),
        ("zeros, negatives and large values", [[0.0, -0.0, -1.5, 1e30], [-1e30, 1e-40, 7.0, -3.25]]),
        ("fewer columns than features (XGBoost takes the rest as missing)", [[5.1, 3.5], [6.7, 3.0]]),
    ]


def as_json_float(x):
    """A float for JSON: finite ones as numbers, the rest as "inf", "-inf" or "nan"."""
    return x if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))


def write_libm_vectors():
    """expf and logf as XGBoost gets them: from glibc, which is not correctly rounded in float32."""
    rng = np.random.default_rng(4)
    f32 = lambda values: [float(np.float32(v)) for v in values]  # noqa: E731
    tiny = float(np.float32(1e-45))
    functions = {  # name: (the float64 function, inputs to scan, usual inputs, special inputs)
        "expf": (math.exp, rng.uniform(-104.0, 89.0, 400_000),
                 f32(rng.uniform(-104.0, 89.0, 300)) + f32(rng.uniform(-20.0, 0.0, 300)),
                 [0.0, -0.0, 1e-30, -1e-30, 88.0, 88.7, 88.72283172607422, 88.72284, -87.33, -88.0,
                  -103.97207641601562, -103.98, -120.0, 100.0, math.inf, -math.inf, math.nan]),
        # logf: XGBoost takes it of 1/base_score - 1, in float32, for binary:logistic.
        "logf": (math.log, np.exp(rng.uniform(-80.0, 80.0, 400_000)),
                 f32(np.exp(rng.uniform(-80.0, 80.0, 300)))
                 + [float(np.float32(np.float32(1) / np.float32(b)) - np.float32(1)) for b in np.linspace(0.001, 0.999, 300)],
                 [1.0, 0.0, -0.0, -1.0, tiny, tiny * 3, 1e-39, 1.1754942e-38, 1.1754944e-38, 3.4028235e38,
                  0.7, 1.4, 2.0, 0.5, math.inf, -math.inf, math.nan]),
    }
    purpose = {"expf": "in softmax and sigmoid", "logf": "to turn a logistic base_score into a margin"}
    folder = os.path.join(FIXTURES, "xgboost-libm")
    os.makedirs(folder, exist_ok=True)
    for name, (exact, scan, usual, special) in functions.items():
        fn = glibc(name)
        scan = scan.astype(np.float32)
        # Where glibc differs from rounding the float64 function: the cases a naive port gets wrong.
        with np.errstate(over="ignore"):
            differs = [float(x) for x in scan if fn(float(x)) != float(np.float32(exact(float(x))))][:400]
        inputs = differs + usual + f32(special)
        doc = {
            "description": f"{name}(x) from this machine's glibc, which XGBoost calls {purpose[name]}",
            "generator": "cluster/models/make_xgboost_models.py",
            "libc": " ".join(os.confstr("CS_GNU_LIBC_VERSION").split()),
            "machine": os.uname().machine,
            "differs_from_rounded_float64": len(differs),
            "note": "float32 values as exact float64 numbers; inf, -inf and nan as strings",
            "input": [as_json_float(x) for x in inputs],
            "output": [as_json_float(float(fn(x))) for x in inputs],
        }
        with open(os.path.join(folder, f"{name}.json"), "w") as f:
            f.write(compact_json(doc))
        print(f"wrote fixtures/xgboost-libm/{name}.json ({len(inputs)} values, {len(differs)} unlike float32({name[:3]}(x)))")


def main():
    write_libm_vectors()
    iris_X, iris_y = load_iris(return_X_y=True)

    # 1. Seldon's iris sample (servers/xgboostserver/test/xgboost_iris.ipynb): these parameters,
    #    xgb.train's default 10 rounds, and num_class 10 although iris has 3 classes.
    iris = train(
        {"max_depth": 6, "eta": 0.1, "num_class": 10, "objective": "multi:softmax"}, iris_X, iris_y, 10
    )
    if iris.predict(xgb.DMatrix(np.array([[1.0, 2.0, 3.0, 4.0]]))).tolist() != [2.0]:
        sys.exit("the iris model does not answer [2.0] for [[1,2,3,4]], as the seed says it should")
    folder = write_fixture(
        "iris", iris, "Seldon's iris sample: multi:softmax, num_class 10, max_depth 6, eta 0.1, 10 rounds",
        iris_cases(iris, iris_X),
    )
    for store_path in ("xgboost/iris", "v1.11.0-dev/xgboost/iris"):
        target = os.path.join(STORE, store_path)
        os.makedirs(target, exist_ok=True)
        shutil.copyfile(os.path.join(folder, "model.bst"), os.path.join(target, "model.bst"))
        print(f"wrote store/gs/seldon-models/{store_path}/model.bst")

    # 2. multi:softprob: probabilities per class, a 2-D answer.
    softprob = train(
        {"max_depth": 3, "eta": 0.3, "num_class": 3, "objective": "multi:softprob"}, iris_X, iris_y, 8
    )
    write_fixture("iris-softprob", softprob, "multi:softprob on iris, 3 classes, max_depth 3, 8 rounds",
                  iris_cases(softprob, iris_X))

    # 3. binary:logistic: virginica (class 2) against the rest.
    binary = train({"max_depth": 3, "eta": 0.3, "objective": "binary:logistic"}, iris_X, iris_y == 2, 12)
    write_fixture("binary", binary, "binary:logistic on iris, virginica against the rest, 12 rounds",
                  iris_cases(binary, iris_X))

    # 4. reg:squarederror with a base_score that is not a round number in float32.
    dia_X, dia_y = load_diabetes(return_X_y=True)
    regression = train(
        {"max_depth": 3, "eta": 0.3, "objective": "reg:squarederror", "base_score": float(np.mean(dia_y))},
        dia_X, dia_y, 15,
    )
    dia_rows = to_json_rows(dia_X[::8])
    write_fixture(
        "regression", regression,
        "reg:squarederror on scikit-learn's diabetes data (10 features), base_score = mean target, 15 rounds",
        [
            ("every eighth diabetes row", dia_rows),
            ("split thresholds in float32", threshold_rows(regression, dia_rows[0])),
            ("missing values", to_json_rows(with_missing(dia_X[::15], 0.3, seed=2))),
        ],
    )

    # 5. Trained with missing values: the trees learn where NaN goes (default_left) from the data.
    miss_X = with_missing(iris_X, 0.25, seed=3)
    missing = train(
        {"max_depth": 4, "eta": 0.3, "gamma": 1.0, "objective": "binary:logistic", "base_score": 0.3},
        miss_X, iris_y == 1, 10,
    )
    write_fixture(
        "missing", missing,
        "binary:logistic, versicolor against the rest, trained with 25% of iris cells missing, base_score 0.3, "
        "gamma 1 (pruning leaves deleted nodes in the trees)",
        [("training rows with their missing values", to_json_rows(miss_X))] + iris_cases(missing, iris_X)[2:],
    )

    # 6. dart: every tree carries a weight (weight_drop) that scales its leaves at prediction time.
    dart = train(
        {"booster": "dart", "max_depth": 3, "eta": 0.3, "rate_drop": 0.3, "skip_drop": 0.0,
         "objective": "binary:logistic"},
        iris_X, iris_y == 1, 10,
    )
    write_fixture("dart", dart, "binary:logistic with the dart booster (rate_drop 0.3), 10 rounds",
                  iris_cases(dart, iris_X))

    # 7. Hand-made trees for the last bit of expf and logf.
    write_hand_made_fixtures(binary, softprob)


if __name__ == "__main__":
    main()
