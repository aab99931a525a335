"""Your own data: arrays, CSV files and IDX files (written here, byte by byte) become Datasets that train."""
from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from nnviz import data, nn, optim, problems, train
from nnviz.errors import DataError, ShapeError
from nnviz.loaders import read_idx, write_idx


def test_from_arrays_shapes_targets_for_each_task():
    X = np.arange(12.0).reshape(6, 2)
    r = data.from_arrays(X, np.linspace(0, 1, 6) ** 2, task="regression")
    assert r.task == "regression" and r.Y.shape == (6, 1)
    b = data.from_arrays(X, ["no", "yes", "no", "yes", "yes", "no"])
    assert b.task == "binary" and b.Y[:, 0].tolist() == [0, 1, 0, 1, 1, 0] and b.meta["classes"] == ["no", "yes"]
    m = data.from_arrays(X, [3, 5, 7, 3, 5, 7])
    assert m.task == "multiclass" and m.Y.shape == (6, 3) and m.labels.tolist() == [0, 1, 2, 0, 1, 2]
    assert m.meta["classes"] == [3, 5, 7]
    one = data.from_arrays(X[:, 0], [0.5, 1.5, 2.25, 3.0, 4.0, 5.0])   # 1-D X, non-integer y → regression
    assert one.X.shape == (6, 1) and one.task == "regression"
    hot = data.from_arrays(X, np.eye(3)[[0, 1, 2, 0, 1, 2]], task="multiclass")
    assert np.array_equal(hot.Y, np.eye(3)[[0, 1, 2, 0, 1, 2]])


def test_from_arrays_with_test_part_shares_the_class_order():
    d = data.from_arrays([[0.0], [1.0], [2.0]], ["b", "c", "b"], X_test=[[3.0]], y_test=["a"], task="multiclass")
    assert d.meta["classes"] == ["a", "b", "c"] and d.Y_test.tolist() == [[1, 0, 0]]


@pytest.mark.parametrize("kw, err, msg", [
    (dict(X=np.zeros((3, 2)), y=[0, 1]), ShapeError, "one row per row"),
    (dict(X=np.zeros((3, 2)), y=[0, 1, 2], task="binary"), DataError, "use task='multiclass'"),
    (dict(X=np.zeros((3, 2)), y=[1, 1, 1], task="binary"), DataError, "at least 2 classes"),
    (dict(X=np.zeros((2, 2)), y=[0, 1], task="classify"), DataError, "unknown task"),
    (dict(X=[[0.0], [np.nan]], y=[0, 1]), DataError, "NaN"),
    (dict(X=np.zeros((2, 2)), y=[0, 1], X_test=np.zeros((1, 2))), ShapeError, "both"),
])
def test_from_arrays_refuses_bad_input_in_one_line(kw, err, msg):
    with pytest.raises(err, match=msg):
        data.from_arrays(**kw)


def test_load_csv_words_and_numbers(tmp_path):
    p = tmp_path / "flowers.csv"
    p.write_text("petal_length,petal_width,species\n1.4,0.2,setosa\n4.7,1.4,versicolor\n\n6.0,2.5,virginica\n"
                 "1.3,0.3,setosa\n")
    d = data.load_csv(p, target="species")
    assert d.name == "flowers" and d.task == "multiclass" and d.X.shape == (4, 2)
    assert d.meta["features"] == ["petal_length", "petal_width"] and d.meta["classes"][0] == "setosa"
    assert d.labels.tolist() == [0, 1, 2, 0]
    r = data.load_csv(p, target="petal_width", features=["petal_length"], task="regression")
    assert r.Y[:, 0].tolist() == [0.2, 1.4, 2.5, 0.3] and r.X[:, 0].tolist() == [1.4, 4.7, 6.0, 1.3]
    b = data.load_csv(p, target=1, features=[0])          # column numbers; 0.2/1.4/… are not labels
    assert b.task == "regression"


@pytest.mark.parametrize("text, msg", [
    ("a,b,y\n1,x,0\n", "line 2: column 'b' is 'x', not a number"),
    ("a,y\n1,0\n2\n", "line 3: 1 fields, the header has 2"),
    ("a,y\n", "at least one data row"),
    ("a,y\n1,0\n", "no column 'label'"),
])
def test_load_csv_errors_name_the_line(tmp_path, text, msg):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    target = "label" if "label" in msg else "y"
    with pytest.raises(DataError, match=msg):
        data.load_csv(p, target=target)


def _write_idx_by_hand(path, array, code=0x08, gz=False):
    """IDX written independently of nnviz: magic, big-endian sizes, big-endian data."""
    dt = {0x08: ">u1", 0x0B: ">i2", 0x0D: ">f4"}[code]
    blob = bytes([0, 0, code, array.ndim]) + struct.pack(">" + "I" * array.ndim, *array.shape) \
        + np.asarray(array, dtype=dt).tobytes()
    path.write_bytes(gzip.compress(blob) if gz else blob)
    return path


def test_read_idx_reads_real_layouts(tmp_path):
    img = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4) * 5
    assert np.array_equal(read_idx(_write_idx_by_hand(tmp_path / "a", img)), img)
    assert np.array_equal(read_idx(_write_idx_by_hand(tmp_path / "a.gz", img, gz=True)), img)
    s = np.array([-300, 2, 1000], dtype=np.int16)           # big-endian multi-byte types
    assert read_idx(_write_idx_by_hand(tmp_path / "s", s, 0x0B)).tolist() == [-300, 2, 1000]
    f = np.array([[0.5, -1.25]], dtype=np.float32)
    assert read_idx(_write_idx_by_hand(tmp_path / "f", f, 0x0D)).tolist() == [[0.5, -1.25]]
    assert np.array_equal(read_idx(write_idx(tmp_path / "w", s)), s)   # writer round-trips


@pytest.mark.parametrize("blob, msg", [
    (b"\x00\x00\x08", "bad magic"), (b"\x01\x02\x08\x01", "bad magic"),
    (b"\x00\x00\x08\x02\x00\x00\x00\x02", "truncated"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02", "holds 2 bytes"),
])
def test_read_idx_refuses_broken_files(tmp_path, blob, msg):
    p = tmp_path / "x"
    p.write_bytes(blob)
    with pytest.raises(DataError, match=msg):
        read_idx(p)


def test_load_idx_mnist_shaped_files_train(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.arange(60) % 3
    imgs = np.zeros((60, 6, 6), np.uint8)
    for k in range(3):                                    # three "digits": a bright row at 1, 3 or 5
        imgs[labels == k, 2 * k + 1, :] = 255
    imgs = np.clip(imgs + rng.integers(0, 40, imgs.shape), 0, 255).astype(np.uint8)
    tr_i = _write_idx_by_hand(tmp_path / "train-images-idx3-ubyte.gz", imgs[:45], gz=True)
    tr_l = _write_idx_by_hand(tmp_path / "train-labels-idx1-ubyte.gz", labels[:45], gz=True)
    te_i = _write_idx_by_hand(tmp_path / "t10k-images-idx3-ubyte", imgs[45:])
    te_l = _write_idx_by_hand(tmp_path / "t10k-labels-idx1-ubyte", labels[45:])
    d = data.load_idx(tr_i, tr_l, te_i, te_l)
    assert d.X.shape == (45, 36) and d.X_test.shape == (15, 36) and d.Y.shape == (45, 3)
    assert d.X.max() <= 1.0 and d.meta["image_shape"] == [6, 6]
    assert np.array_equal(d.X[0].reshape(6, 6), imgs[0] / 255.0)
    assert d.labels.tolist() == labels[:45].tolist()
    model = nn.MLP((36, 8, 3), hidden="tanh", loss="cce")
    run = train.train(problems.NetworkProblem(model, d), optim.adam(0.05), model.init(np.random.default_rng(0)),
                      epochs=30, batch_size=15, seed=0)
    assert run.test_acc[-1] == 1.0                       # the rows separate the classes exactly
    assert data.load_idx(tr_i, tr_l, n=10).n == 10
    with pytest.raises(DataError, match="expected 45 labels"):
        data.load_idx(tr_i, te_l)
