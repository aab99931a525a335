"""Records round-trip exactly, and every broken record is one RecordError."""
import json
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pytest

from nnviz import data, optim
from nnviz.errors import NNVizError, RecordError
from nnviz.nn import MLP
from nnviz.problems import NetworkProblem
from nnviz.records import SCHEMA_VERSION, Record, Run, Surface, load
from nnviz.train import Recording, train


@pytest.fixture(scope="module")
def run():
    m = MLP((2, 5, 1), loss="bce")
    p = NetworkProblem(m, data.moons(n=60, seed=0).split(0.25, seed=0))
    rec = Recording(every=3, state=True, grads=True)
    return train(p, optim.adam(0.05), m.init(np.random.default_rng(0)), epochs=4, batch_size=8,
                 seed=1, record=rec, name="t")


@dataclass(frozen=True)
class Probe(Record):
    kind: ClassVar[str] = "h1_test_probe"
    config: dict
    values: np.ndarray
    table: dict = field(default_factory=dict)
    note: str = ""


def test_run_round_trips_exactly(tmp_path, run):
    assert run.grads and run.state  # the dict-of-array fields are really exercised
    path = run.save(tmp_path / "r")
    assert path == tmp_path / "r.json" and (tmp_path / "r.npz").exists()
    again = Run.load(tmp_path / "r")
    assert again.equals(run) and isinstance(again, Run)
    assert again.config == json.loads(json.dumps(run.config))
    for name in ("thetas", "loss", "steps", "eval_steps", "train_acc"):
        a, b = getattr(run, name), getattr(again, name)
        assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    assert again.state.keys() == {"m", "v"} and again.grads.keys() == {"grad"}
    assert again.diverged_at == run.diverged_at and again.wall_time == run.wall_time
    # suffixes are accepted on both sides
    assert load(tmp_path / "r.npz").equals(run) and load(str(tmp_path / "r.json")).equals(run)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "r.npz"]  # no temp files left


def test_equals_is_bit_exact(run, tmp_path):
    th = run.thetas.copy()
    th[1, 2] = np.nextafter(th[1, 2], np.inf)
    changed = Run(**{**run.__dict__, "thetas": th})
    assert not changed.equals(run)
    st = {**run.state, "m": run.state["m"].astype(np.float32)}
    assert not Run(**{**run.__dict__, "state": st}).equals(run)  # dtype matters
    assert not Run(**{**run.__dict__, "config": {**run.config, "seed": 2}}).equals(run)
    assert Run(**run.__dict__).equals(run)
    slower = Run(**{**run.__dict__, "wall_time": run.wall_time + 1.0})
    assert not slower.equals(run) and slower.equals(run, ignore=Run.TIMING)
    assert not changed.equals(run, ignore=Run.TIMING)


def test_generic_record_round_trip_with_dicts_of_arrays(tmp_path):
    p = Probe(config={"a": 1, "b": [1.5, None, "x"], "nested": {"k": float("nan")}},
              values=np.arange(6, dtype=np.float32).reshape(2, 3),
              table={"ints": np.arange(3), "f": np.array([np.nan, np.inf, -0.0]),
                     "sub/key": np.ones((2, 2), bool)},
              note="ünïcode")
    p.save(tmp_path / "probe")
    q = Record.load(tmp_path / "probe")
    assert isinstance(q, Probe) and q.equals(p)
    assert q.table["sub/key"].dtype == bool and q.values.dtype == np.float32
    assert np.signbit(q.table["f"][2])
    empty = Probe(config={}, values=np.zeros(0))
    empty.save(tmp_path / "empty")
    assert load(tmp_path / "empty").equals(empty) and load(tmp_path / "empty").table == {}


def test_surface_round_trip(tmp_path):
    s = Surface(config={"objective": "x"}, method="pca", xs=np.linspace(-1, 1, 3), ys=np.linspace(0, 1, 2),
                loss=np.array([[1.0, np.inf, 2.0], [np.nan, 0.5, 0.25]]), origin=np.zeros(4),
                directions=np.eye(2, 4), extra={"test_loss": np.ones((2, 3))})
    s.save(tmp_path / "s")
    t = Surface.load(tmp_path / "s")
    assert t.equals(s) and t.nonfinite == 2


def test_overwrite_replaces_the_old_record(tmp_path, run):
    Probe(config={}, values=np.zeros(2)).save(tmp_path / "x")
    run.save(tmp_path / "x")
    assert load(tmp_path / "x").equals(run)


def test_subclass_without_its_own_kind_does_not_hijack_loading(tmp_path, run):
    @dataclass(frozen=True)
    class RunWithExtras(Run):
        def speed(self):
            return 1

    run.save(tmp_path / "r")
    assert type(load(tmp_path / "r")) is Run


# ---- every broken record is one RecordError ---------------------------------------------
@pytest.fixture
def saved(tmp_path, run):
    run.save(tmp_path / "r")
    return tmp_path / "r"


def test_missing(tmp_path):
    with pytest.raises(RecordError, match="record not found: .*nothing.json"):
        load(tmp_path / "nothing")


def test_missing_arrays(saved):
    saved.with_suffix(".npz").unlink()
    with pytest.raises(RecordError, match="missing its arrays file"):
        load(saved)


def test_truncated_json(saved):
    js = saved.with_suffix(".json")
    js.write_text(js.read_text()[:40])
    with pytest.raises(RecordError, match="truncated or corrupted"):
        load(saved)


def test_json_of_the_wrong_shape(saved):
    js = saved.with_suffix(".json")
    for doc in ([1, 2], {"schema": 1, "kind": "run"}, {"schema": 1, "kind": "run", "fields": [1]}):
        js.write_text(json.dumps(doc))
        with pytest.raises(RecordError, match="truncated or corrupted"):
            load(saved)


def test_truncated_arrays(saved):
    npz = saved.with_suffix(".npz")
    npz.write_bytes(npz.read_bytes()[:-100])
    with pytest.raises(RecordError, match="do not match"):
        load(saved)


def test_corrupted_arrays(saved):
    npz = saved.with_suffix(".npz")
    raw = bytearray(npz.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    npz.write_bytes(bytes(raw))
    with pytest.raises(RecordError, match="truncated, corrupted or half-written"):
        load(saved)


def test_unreadable_arrays_with_a_matching_checksum(saved):
    """Even if the checksum is made to match, garbage arrays are a RecordError."""
    import hashlib

    npz, js = saved.with_suffix(".npz"), saved.with_suffix(".json")
    npz.write_bytes(b"not a zip file at all")
    doc = json.loads(js.read_text())
    doc["npz_sha256"] = hashlib.sha256(b"not a zip file at all").hexdigest()
    js.write_text(json.dumps(resign(doc)))
    with pytest.raises(RecordError, match="cannot be read"):
        load(saved)


def resign(doc: dict) -> dict:
    """Make an edited record's JSON checksum match again, to reach the checks behind it."""
    from nnviz.records import _doc_checksum

    return {**doc, "sha256": _doc_checksum(doc)}


def test_edited_json_fails_its_checksum(saved):
    js = saved.with_suffix(".json")
    doc = json.loads(js.read_text())
    doc["fields"]["diverged_at"] = 3
    js.write_text(json.dumps(doc))
    with pytest.raises(RecordError, match="does not match its checksum"):
        load(saved)
    js.write_text(json.dumps(resign(doc), indent=4))       # whitespace is not content
    assert load(saved).diverged_at == 3


def test_newer_schema(saved):
    js = saved.with_suffix(".json")
    doc = json.loads(js.read_text())
    doc["schema"] = SCHEMA_VERSION + 1
    js.write_text(json.dumps(doc))
    with pytest.raises(RecordError, match=f"schema {SCHEMA_VERSION + 1}, newer than this nnviz.*upgrade"):
        load(saved)


def test_unknown_kind_and_wrong_type(saved):
    with pytest.raises(RecordError, match="holds a 'run' record, not a 'surface'"):
        Surface.load(saved)
    js = saved.with_suffix(".json")
    doc = json.loads(js.read_text())
    doc["kind"] = "hologram"
    js.write_text(json.dumps(resign(doc)))
    with pytest.raises(RecordError, match="unknown kind 'hologram'"):
        load(saved)


def test_fields_that_do_not_match_the_schema(saved):
    js = saved.with_suffix(".json")
    doc = json.loads(js.read_text())
    del doc["fields"]["config"]
    js.write_text(json.dumps(resign(doc)))
    with pytest.raises(RecordError, match="does not match the 'run' schema"):
        load(saved)


def test_record_error_is_one_catchable_type():
    assert issubclass(RecordError, NNVizError) and issubclass(RecordError, OSError)


def test_unsavable_field_is_an_error_and_writes_nothing(tmp_path):
    bad = Probe(config={"when": object()}, values=np.zeros(2))
    with pytest.raises(NNVizError, match=r"config\['when'\] holds a object"):
        bad.save(tmp_path / "bad")
    objarr = Probe(config={}, values=np.array([1, "a", None], dtype=object))
    with pytest.raises(NNVizError, match="object array"):
        objarr.save(tmp_path / "bad")
    mixed = Probe(config={}, values=np.zeros(1), table={"a": np.zeros(2), "b": 3})
    with pytest.raises(NNVizError, match="ndarray"):
        mixed.save(tmp_path / "bad")
    assert list(tmp_path.iterdir()) == []


def test_every_record_type_loads_without_the_code_that_made_it(tmp_path):
    """Record types have one home: a fresh process loads a projection and a perceptron run with
    nothing but nnviz.records imported (no experiment discovery, no landscape or perceptron)."""
    import subprocess
    import sys

    from nnviz import landscape, perceptron
    from nnviz.records import _RECORD_TYPES

    assert {"run", "surface", "projection", "perceptron", "network_pass", "boundary", "dropout_masks", "tuning", "table", "graph"} <= set(_RECORD_TYPES)
    d = data.and_gate()
    perceptron.run(d.X, d.Y[:, 0], epochs=3).save(tmp_path / "p")
    z = np.zeros(2)
    landscape.Projection(steps=np.arange(2), coords=np.zeros((2, 2)), off_plane=z, rel_off_plane=z,
                         true_loss=z, plane_loss=z, grid_loss=z).save(tmp_path / "q")
    code = (f"import sys\nfrom nnviz.records import load\n"
            f"print(load({str(tmp_path / 'p')!r}).kind, load({str(tmp_path / 'q')!r}).kind)\n"
            "print(sorted(m for m in sys.modules if m.startswith(('nnviz.experiments', 'nnviz.landscape', 'nnviz.perceptron'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "perceptron projection"
    assert out[1] == "[]"


def test_a_runs_learning_rate_has_one_place(run):
    """The optimizer's hyperparameters are read from the run's config; `lr` is the per-update rate."""
    assert run.optimizer == run.config["optimizer"] and run.optimizer["name"] == "adam"
    assert run.learning_rate == 0.05 and np.all(run.lr == run.learning_rate)
    from nnviz import objectives as O
    from nnviz.schedules import exponential

    sched = train(O.ObjectiveProblem(O.quadratic()), optim.sgd(lr=exponential(0.1, decay=0.5)), np.ones(2), steps=4)
    assert sched.learning_rate is None and sched.optimizer["lr"]["kind"] == "exponential"
    assert sched.lr[0] == 0.1 and sched.lr[-1] < 0.1
