# SPDX-License-Identifier: Apache-2.0
"""Write the scikit-learn fixtures of the kit, and the iris model of the offline store.

Why this exists: the TypeScript SKLEARN_SERVER runtime (lib/server/runtimes/sklearn) reads real
joblib and pickle files through a safe unpickler (lib/server/pickle) and must predict what
scikit-learn predicts. This script trains small, deterministic models with Debian's scikit-learn,
saves them the ways people save them (joblib, compressed joblib, plain pickle with protocol 2 and
5), asks scikit-learn itself for the answers of every method and writes them, repr-exact, to
expected.json. It also writes hostile files (pickles that would run a command if Python loaded
them) so the tests can show that ours never does. The files are committed; tests need no Python.

Run it from the repository root:   /usr/bin/python3 cluster/models/make_sklearn_models.py

Fixtures (cluster/models/fixtures/sklearn-<name>/):
  iris                  Seldon's iris model, exactly as servers/sklearnserver/models/iris/train.py:
                        Pipeline([("clf", LogisticRegression(solver="liblinear", multi_class="ovr"))])
                        on all of iris (its coef_ is Fortran-ordered, so joblib writes order 'F')
  logistic-binary       LogisticRegression (lbfgs) on iris, "virginica" against "other": string labels
  logistic-multinomial  LogisticRegression(multi_class="multinomial") on iris: softmax probabilities
  scaler-logistic       Pipeline(StandardScaler, LogisticRegression) on breast cancer: 30 features
  linear-regression     LinearRegression on diabetes (10 features)
  tree-classifier       DecisionTreeClassifier on iris, with rows sitting exactly on split thresholds
  tree-regressor        DecisionTreeRegressor on diabetes
  forest-classifier     RandomForestClassifier on iris with the species names as labels
  forest-regressor      RandomForestRegressor on diabetes
  forest-random-state   a small forest built with random_state=RandomState(0): the file carries
                        numpy's RandomState, which the loader keeps as inert data
  pickle-protocol0      the linear regression as model.pkl, pickle protocol 0 (text opcodes,
                        objects through copyreg._reconstructor)
  pickle-protocol2      the iris model as model.pkl, pickle protocol 2 (bytes as _codecs.encode)
  pickle-protocol5      the tree classifier as model.pkl, pickle protocol 5 (arrays via _frombuffer)
  compressed-zlib       the forest classifier as joblib.dump(..., compress=3) (zlib)
  compressed-gzip       the iris model as joblib.dump(..., compress=("gzip", 3))
  joblib-legacy         the iris model as joblib <= 1.1 and Python 3.7 wrote it (protocol 3, no
                        alignment padding before array bytes): the layout of Seldon's published file
  numpy-dtypes          not a model: a dict of arrays of every supported dtype and memory order, as
                        arrays.joblib and arrays-p{0,1,2,3,4,5}.pkl, with their values in expected.json
  hostile               pickles that run code in Python (os.system, posix.system, builtins.eval,
                        subprocess.Popen, one hidden inside a real Pipeline) and a truncated file

expected.json of a model: {"inputs": rows, "outputs": {method: result}, "dtypes": {method: numpy
dtype}, "unsupported": [methods], "tolerance": t}. A method scikit-learn does not have for that estimator (decision_function of a
tree) is listed in "unsupported". Linear models match to t = 1e-12 (relative, or absolute below 1):
numpy hands X @ coef_.T to BLAS, whose summation order and use of FMA depend on the CPU. Trees
match exactly (t = 0).

The offline store gets the iris model (legacy layout) and Seldon's metadata.yaml at
store/gs/seldon-models/{v1.11.0-dev,v1.11.0,}/sklearn/iris/.
"""

import io
import json
import os
import pickle
import platform
import shutil
import subprocess
import sys

import joblib
import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
STORE = os.path.join(HERE, "store", "gs", "seldon-models")
METHODS = ("predict_proba", "decision_function", "predict")

# Seldon's metadata.yaml for the iris model (servers/sklearnserver/models/iris/metadata.yaml).
IRIS_METADATA = """name: iris
versions: [iris/v1]
platform: sklearn
inputs:
- datatype: BYTES
  name: input
  shape: [ 4 ]
outputs:
- datatype: BYTES
  name: output
  shape: [ 3 ]
"""

# What the hostile pickles would run if Python loaded them: harmless, and it leaves a mark the
# TypeScript tests look for.
MARKER = "/tmp/seldon-lab-pickle-was-executed"
PAYLOAD = f"touch {MARKER}"


# ---------------------------------------------------------------------------------------------
# Writing files


def compact_json(doc):
    """JSON with one line per top-level key: small, readable in a diff, floats written by repr."""
    dump = lambda v: json.dumps(v, allow_nan=False, separators=(",", ":"))  # noqa: E731
    return "{\n" + ",\n".join(f" {json.dumps(k)}: {dump(v)}" for k, v in doc.items()) + "\n}\n"


def fixture_dir(name):
    folder = os.path.join(FIXTURES, "sklearn-" + name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


class Unseekable(io.RawIOBase):
    """A write-only stream without tell(): joblib then writes no alignment padding, as joblib <= 1.1 did."""

    def __init__(self, f):
        self.f = f

    def writable(self):
        return True

    def write(self, b):
        return self.f.write(b)


def save(model, folder, how):
    """Saves `model` in `folder` the way `how` says, and checks that it loads back to the same answers."""
    if how == "joblib":
        path = os.path.join(folder, "model.joblib")
        joblib.dump(model, path)
    elif how == "joblib-zlib":
        path = os.path.join(folder, "model.joblib")
        joblib.dump(model, path, compress=3)
    elif how == "joblib-gzip":
        path = os.path.join(folder, "model.joblib")
        joblib.dump(model, path, compress=("gzip", 3))
    elif how == "joblib-legacy":
        path = os.path.join(folder, "model.joblib")
        with open(path, "wb") as f:
            joblib.dump(model, Unseekable(f), protocol=3)
    elif how.startswith("pickle-"):
        path = os.path.join(folder, "model.pkl")
        with open(path, "wb") as f:
            pickle.dump(model, f, protocol=int(how[len("pickle-"):]))
    else:
        raise ValueError(how)
    return path


# ---------------------------------------------------------------------------------------------
# Expected answers


def answers(model, rows):
    """Every method the model has, called on rows, as JSON-ready lists (repr-exact floats)."""
    X = np.asarray(rows, dtype=np.float64)
    outputs, dtypes, unsupported = {}, {}, []
    for method in METHODS:
        if not hasattr(model, method):
            unsupported.append(method)
            continue
        result = np.asarray(getattr(model, method)(X))
        outputs[method] = result.tolist()
        dtypes[method] = "str" if result.dtype.kind == "U" else result.dtype.name
    return outputs, dtypes, unsupported


def float64_leaf_changes(model, rows):
    """How many rows would reach another leaf if X were compared as float64 instead of float32."""
    if not hasattr(model, "tree_") and not hasattr(model, "estimators_"):
        return None
    X = np.asarray(rows, dtype=np.float64)
    changed = 0
    for tree in trees_of(model):
        leaves32 = tree.apply(X.astype(np.float32))
        for i, row in enumerate(X):
            node = 0
            while tree.children_left[node] != -1:
                go_left = row[tree.feature[node]] <= tree.threshold[node]
                node = tree.children_left[node] if go_left else tree.children_right[node]
            changed += int(node != leaves32[i])
    return changed


def write_model_fixture(name, model, description, rows, how="joblib", tolerance=1e-12):
    folder = fixture_dir(name)
    path = save(model, folder, how)
    outputs, dtypes, unsupported = answers(model, rows)

    # The file must load back, in scikit-learn itself, to the very same answers.
    loaded = joblib.load(path)
    again, _, _ = answers(loaded, rows)
    if again != outputs:
        sys.exit(f"{name}: {os.path.basename(path)} loads back to different answers")

    expected = {
        "description": description,
        "generator": "cluster/models/make_sklearn_models.py",
        "file": os.path.basename(path),
        "saved_as": how,
        "python": platform.python_version(),
        "scikit_learn": sklearn.__version__,
        "numpy": np.__version__,
        "joblib": joblib.__version__,
        "tolerance": tolerance,
        "n_features": int(np.asarray(rows).shape[1]),
        # Trees: rows (summed over trees) whose leaf depends on casting X to float32 first.
        "float32_sensitive_rows": float64_leaf_changes(model, rows),
        "unsupported": unsupported,
        # numpy's dtype of each answer ("str" for unicode labels): how Seldon writes the numbers
        "dtypes": dtypes,
        "inputs": rows,
        "outputs": outputs,
    }
    with open(os.path.join(folder, "expected.json"), "w") as f:
        f.write(compact_json(expected))
    print(f"wrote fixtures/sklearn-{name}/{os.path.basename(path)} ({os.path.getsize(path)} bytes)")
    return path


def sample_rows(X, every, extra=()):
    """Every `every`-th training row, plus a few rows of our own, as lists of Python floats."""
    rows = np.asarray(X, dtype=np.float64)[::every].tolist()
    return rows + [list(map(float, r)) for r in extra]


def trees_of(model):
    if hasattr(model, "estimators_"):
        return [e.tree_ for e in model.estimators_]
    return [model.tree_]


def threshold_rows(model, base_row, limit=60):
    """Rows that sit on, and a hair either side of, split thresholds.

    scikit-learn casts X to float32 and sends float32(x) <= threshold (a float64) to the left.
    A threshold is a midpoint of two float32 values, so it is usually not a float32 itself: the
    float64 threshold, its float64 neighbours, and the float32 values around it land on different
    sides depending on that cast. These rows check that the TypeScript trees do the same.
    """
    rows, seen = [], set()
    for tree in trees_of(model):
        for node in range(tree.node_count):
            if tree.children_left[node] == -1:
                continue
            feature, t = int(tree.feature[node]), float(tree.threshold[node])
            if (feature, t) in seen:
                continue
            seen.add((feature, t))
            t32 = np.float32(t)
            candidates = [
                t,
                float(np.nextafter(t, np.inf)),
                float(np.nextafter(t, -np.inf)),
                float(t32),
                float(np.nextafter(t32, np.float32(np.inf))),
                float(np.nextafter(t32, np.float32(-np.inf))),
            ]
            for value in candidates:
                row = list(base_row)
                row[feature] = value
                rows.append(row)
            if len(rows) >= limit:
                return rows
    return rows


# ---------------------------------------------------------------------------------------------
# The numpy dtype fixture


def numpy_arrays():
    return {
        "f8_c": np.arange(6, dtype="<f8").reshape(2, 3) * 1.5,
        "f8_f": np.asfortranarray(np.arange(6.0).reshape(2, 3) / 3),
        "f8_3d_f": np.asfortranarray(np.arange(24.0).reshape(2, 3, 4) - 0.5),
        "f8_big_endian": np.array([1.0, -2.5, 1e-300], dtype=">f8"),
        "f4": np.array([1.5, -2.25, 0.1, 3.4028235e38], dtype="<f4"),
        "i8": np.array([-1, 2**40, 7, -(2**53)], dtype="<i8"),
        "i4": np.array([[-5, 5], [2**31 - 1, -(2**31)]], dtype="<i4"),
        "u1": np.arange(0, 256, 51, dtype="u1"),
        "bool": np.array([True, False, True]),
        "objects": np.array(["setosa", "versicolor", None, 3, 2.5], dtype=object),
        "unicode": np.array(["a", "bcd", "é", "日本"]),
        "records": np.array([(1, 2.5, True), (-1, 0.125, False)], dtype=[("a", "<i8"), ("b", "<f8"), ("c", "u1")]),
        "empty": np.zeros((0, 3)),
        "zero_d": np.array(4.5),
        "scalar_f8": np.float64(2.5),
        "scalar_i8": np.int64(-3),
        "scalar_bool": np.bool_(True),
        "plain": {"list": [1, 2.5, "x", None, True], "tuple": (1, "two"), "bytes": b"\x00\xffab", "big": 2**70,
                  "negative_big": -(2**65), "set": {3}},
    }


def describe(value):
    """How the TypeScript side should see a value of numpy_arrays()."""
    if isinstance(value, np.ndarray):
        if value.dtype.names:
            values = {n: value[n].tolist() for n in value.dtype.names}
        else:
            values = value.tolist()
        return {"dtype": value.dtype.str, "shape": list(value.shape), "values": values}
    if isinstance(value, np.generic):
        return {"scalar": value.item()}
    if isinstance(value, dict):
        return {
            "list": value["list"], "tuple": list(value["tuple"]), "bytes": list(value["bytes"]),
            "big": str(value["big"]), "negative_big": str(value["negative_big"]), "set": sorted(value["set"]),
        }
    raise TypeError(type(value))


def write_numpy_fixture():
    folder = fixture_dir("numpy-dtypes")
    arrays = numpy_arrays()
    joblib.dump(arrays, os.path.join(folder, "arrays.joblib"))
    for protocol in (0, 1, 2, 3, 4, 5):
        with open(os.path.join(folder, f"arrays-p{protocol}.pkl"), "wb") as f:
            pickle.dump(arrays, f, protocol=protocol)
    expected = {
        "description": "A dict of numpy arrays of every dtype and memory order the unpickler reads",
        "generator": "cluster/models/make_sklearn_models.py",
        "files": ["arrays.joblib"] + [f"arrays-p{p}.pkl" for p in (0, 1, 2, 3, 4, 5)],
        "numpy": np.__version__,
        "joblib": joblib.__version__,
        "note": "values are in C order (tolist); records give one list per field; big ints are strings",
        "arrays": {k: describe(v) for k, v in arrays.items()},
    }
    with open(os.path.join(folder, "expected.json"), "w") as f:
        f.write(compact_json(expected))
    print("wrote fixtures/sklearn-numpy-dtypes")


# ---------------------------------------------------------------------------------------------
# Hostile files


class Reduce:
    """An object whose unpickling calls func(*args): the classic pickle exploit."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def write_hostile_fixture(iris_joblib):
    folder = fixture_dir("hostile")
    files = {}

    def dump(name, obj, protocol):
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump(obj, f, protocol=protocol)
        files[name] = describe_globals(os.path.join(folder, name))

    # os.system is posix.system on Linux: that is the name the pickle carries.
    dump("posix-system.pkl", Reduce(os.system, PAYLOAD), 2)
    dump("builtins-eval.pkl", Reduce(eval, f"__import__('os').system({PAYLOAD!r})"), 4)
    dump("subprocess-popen.pkl", Reduce(subprocess.Popen, ["touch", MARKER]), 5)
    # A real model with the payload hidden in a step: every other class in it is allowed.
    dump("pipeline-with-payload.pkl", Pipeline([("clf", Reduce(os.system, PAYLOAD))]), 4)
    # Written by hand, protocol 0, the way exploit write-ups show it.
    with open(os.path.join(folder, "os-system.pkl"), "wb") as f:
        f.write(b"cos\nsystem\n(V" + PAYLOAD.encode() + b"\ntR.")
    files["os-system.pkl"] = ["os.system"]
    # The iris model cut in half: a download that stopped early.
    with open(iris_joblib, "rb") as f:
        data = f.read()
    with open(os.path.join(folder, "truncated.joblib"), "wb") as f:
        f.write(data[: len(data) // 2])
    files["truncated.joblib"] = []
    expected = {
        "description": "Pickles that run a command when Python loads them, and a truncated joblib file",
        "generator": "cluster/models/make_sklearn_models.py",
        "marker": MARKER,
        "payload": PAYLOAD,
        "globals": files,
    }
    with open(os.path.join(folder, "expected.json"), "w") as f:
        f.write(compact_json(expected))
    print("wrote fixtures/sklearn-hostile")


def describe_globals(path):
    """The module.name globals a pickle file asks for (read with pickletools, never loaded)."""
    import pickletools

    names, strings = [], []
    with open(path, "rb") as f:
        for op, arg, _ in pickletools.genops(f):
            if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
                strings.append(arg)
            elif op.name == "GLOBAL":
                names.append(arg.replace(" ", "."))
            elif op.name == "STACK_GLOBAL":
                names.append(f"{strings[-2]}.{strings[-1]}")
    return sorted(set(names))


# ---------------------------------------------------------------------------------------------


def main():
    iris_X, iris_y = load_iris(return_X_y=True)
    names = load_iris().target_names
    dia_X, dia_y = load_diabetes(return_X_y=True)
    bc_X, bc_y = load_breast_cancer(return_X_y=True)
    seed_rows = [[1, 2, 3, 4], [5.1, 3.5, 1.4, 0.2], [1, 2, 5, 6], [0, 0, 0, 0], [-3.5, 100, 7.25, -0.001]]

    # 1. Seldon's iris model, exactly as train.py builds it (no random_state there either:
    #    liblinear's primal solver is deterministic).
    iris = Pipeline([("clf", LogisticRegression(solver="liblinear", multi_class="ovr"))])
    iris.fit(iris_X, iris_y)
    seed = iris.predict_proba(np.array([[1, 2, 3, 4]]))[0]
    want = [0.0006985194531162835, 0.00366803903943666, 0.995633441507447]
    if max(abs(a - b) for a, b in zip(seed, want)) > 1e-12:
        sys.exit(f"the iris model answers {seed.tolist()} for [[1,2,3,4]], not the seed's {want}")
    iris_rows = sample_rows(iris_X, 7, seed_rows)
    iris_path = write_model_fixture(
        "iris", iris, "Seldon's iris model: Pipeline([('clf', LogisticRegression(solver='liblinear', "
        "multi_class='ovr'))]) fit on all of iris", iris_rows)

    # 2. Binary logistic regression with string labels (classes_ is a numpy unicode array).
    binary = LogisticRegression(max_iter=1000).fit(iris_X, np.where(iris_y == 2, "virginica", "other"))
    write_model_fixture("logistic-binary", binary,
                        "LogisticRegression (lbfgs), virginica against other: binary, string labels", iris_rows)

    # 3. Multinomial logistic regression: softmax over the three classes.
    multinomial = LogisticRegression(multi_class="multinomial", max_iter=1000).fit(iris_X, iris_y)
    write_model_fixture("logistic-multinomial", multinomial,
                        "LogisticRegression(multi_class='multinomial') on iris", iris_rows)

    # 4. StandardScaler + LogisticRegression on 30 features.
    scaler_lr = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=1000))])
    scaler_lr.fit(bc_X, bc_y)
    write_model_fixture("scaler-logistic", scaler_lr,
                        "Pipeline(StandardScaler, LogisticRegression) on breast cancer (30 features, binary)",
                        sample_rows(bc_X, 23, [bc_X.mean(axis=0) * 2, np.zeros(30)]))

    # 5. Linear regression.
    dia_rows = sample_rows(dia_X, 17, [np.zeros(10), np.ones(10) * 0.1])
    write_model_fixture("linear-regression", LinearRegression().fit(dia_X, dia_y),
                        "LinearRegression on diabetes (10 features)", dia_rows)

    # 6. Trees: exact answers, including on the thresholds.
    tree = DecisionTreeClassifier(random_state=0).fit(iris_X, iris_y)
    tree_rows = sample_rows(iris_X, 5, seed_rows) + threshold_rows(tree, iris_X[0]) + threshold_rows(tree, iris_X[100])
    if not float64_leaf_changes(tree, tree_rows):
        sys.exit("the threshold rows would not notice a tree that forgets the float32 cast")
    write_model_fixture("tree-classifier", tree, "DecisionTreeClassifier(random_state=0) on iris",
                        tree_rows, tolerance=0)
    tree_reg = DecisionTreeRegressor(max_depth=6, random_state=0).fit(dia_X, dia_y)
    write_model_fixture("tree-regressor", tree_reg, "DecisionTreeRegressor(max_depth=6) on diabetes",
                        dia_rows + threshold_rows(tree_reg, dia_X[0]), tolerance=0)

    # 7. Forests (sequential: n_jobs=None adds the trees' answers up in order, as we do).
    forest = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(iris_X, names[iris_y])
    forest_rows = sample_rows(iris_X, 5, seed_rows) + threshold_rows(forest, iris_X[60], limit=90)
    write_model_fixture("forest-classifier", forest,
                        "RandomForestClassifier(n_estimators=10, max_depth=4) on iris, species names as labels",
                        forest_rows, tolerance=0)
    forest_reg = RandomForestRegressor(n_estimators=8, max_depth=5, random_state=0).fit(dia_X, dia_y)
    write_model_fixture("forest-regressor", forest_reg, "RandomForestRegressor(n_estimators=8, max_depth=5) on diabetes",
                        dia_rows + threshold_rows(forest_reg, dia_X[3], limit=60), tolerance=0)

    small = RandomForestClassifier(n_estimators=3, max_depth=2, random_state=np.random.RandomState(0))
    small.fit(iris_X, iris_y)
    write_model_fixture("forest-random-state", small,
                        "RandomForestClassifier(n_estimators=3, max_depth=2, random_state=RandomState(0)) on iris",
                        sample_rows(iris_X, 10, seed_rows), tolerance=0)

    # 8. The same models saved other ways.
    write_model_fixture("pickle-protocol0", LinearRegression().fit(dia_X, dia_y),
                        "The linear regression as a plain pickle, protocol 0", dia_rows, how="pickle-0")
    write_model_fixture("pickle-protocol2", iris, "Seldon's iris model as a plain pickle, protocol 2",
                        iris_rows, how="pickle-2")
    write_model_fixture("pickle-protocol5", tree, "The tree classifier as a plain pickle, protocol 5",
                        tree_rows, how="pickle-5", tolerance=0)
    write_model_fixture("compressed-zlib", forest, "The forest classifier, joblib.dump(compress=3): zlib",
                        forest_rows, how="joblib-zlib", tolerance=0)
    write_model_fixture("compressed-gzip", iris, "Seldon's iris model, joblib.dump(compress=('gzip', 3))",
                        iris_rows, how="joblib-gzip")
    legacy = write_model_fixture(
        "joblib-legacy", iris, "Seldon's iris model as joblib <= 1.1 on Python 3.7 wrote it: protocol 3, "
        "no alignment padding before array bytes", iris_rows, how="joblib-legacy")

    # 9. The offline store: what gs://seldon-models/.../sklearn/iris holds.
    for version in ("v1.11.0-dev", "v1.11.0", ""):
        target = os.path.join(STORE, version, "sklearn", "iris")
        os.makedirs(target, exist_ok=True)
        shutil.copyfile(legacy, os.path.join(target, "model.joblib"))
        with open(os.path.join(target, "metadata.yaml"), "w") as f:
            f.write(IRIS_METADATA)
        print(f"wrote {os.path.relpath(target, HERE)}/model.joblib and metadata.yaml")

    write_numpy_fixture()
    write_hostile_fixture(iris_path)


if __name__ == "__main__":
    main()
