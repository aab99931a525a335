"""The experiment cache: recompute exactly when name/config/code change, survive damaged entries."""
import importlib
import sys
import textwrap

import numpy as np
import pytest

from nnviz import experiments as E
from nnviz.errors import NNVizError, UnknownNameError
from nnviz.experiments import descent


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """An isolated registry and cache folder; a counter of how often each experiment computed."""
    E.discover()
    monkeypatch.setattr(E, "EXPERIMENTS", dict(E.EXPERIMENTS))
    monkeypatch.setenv("NNVIZ_CACHE", str(tmp_path / "cache"))
    calls = []
    return calls


def _register(calls, name="t-exp", **config):
    from nnviz.records import Surface

    @E.experiment(name, description="test", **config)
    def fn(cfg):
        calls.append(dict(cfg))
        x = np.arange(3.0) * cfg.get("scale", 1.0)
        return {"s": Surface(config=cfg, method="analytic", xs=x, ys=x, loss=np.outer(x, x),
                             origin=np.zeros(2), directions=np.eye(2))}
    return fn


def test_computed_once_then_read_from_cache(registry):
    _register(registry, scale=2.0)
    a = E.load("t-exp")
    b = E.load("t-exp")
    assert len(registry) == 1
    assert a["s"].equals(b["s"]) and b["s"].loss[2, 2] == 16.0
    assert E.is_cached("t-exp")


def test_config_change_recomputes_and_old_entry_is_reused(registry):
    _register(registry, scale=2.0)
    E.load("t-exp")
    k1 = E.get("t-exp").key()
    _register(registry, scale=3.0)
    assert E.get("t-exp").key() != k1
    assert E.load("t-exp")["s"].loss[2, 2] == 36.0
    assert len(registry) == 2
    _register(registry, scale=2.0)
    assert E.get("t-exp").key() == k1
    E.load("t-exp")
    assert len(registry) == 2          # back to the first config: still cached


def test_force_recomputes(registry):
    _register(registry)
    E.load("t-exp")
    E.load("t-exp", force=True)
    assert len(registry) == 2


def test_arrays_in_config_are_hashed_by_value(registry):
    big = np.arange(5000.0)
    _register(registry, data=big)
    k1 = E.get("t-exp").key()
    changed = big.copy()
    changed[2500] = -1.0               # str() would elide the middle of this array
    _register(registry, data=changed)
    assert E.get("t-exp").key() != k1


@pytest.mark.parametrize("damage", ["truncate_npz", "garbage_manifest", "manifest_not_list",
                                    "missing_json", "bad_json"])
def test_damaged_entry_is_recomputed_not_a_crash(registry, damage):
    _register(registry, scale=2.0)
    E.load("t-exp")
    path = E.get("t-exp").path()
    if damage == "truncate_npz":
        f = path / "s.npz"
        f.write_bytes(f.read_bytes()[:40])
    elif damage == "garbage_manifest":
        (path / "manifest.json").write_bytes(b"\x00{not json")
    elif damage == "manifest_not_list":
        (path / "manifest.json").write_text('{"records": {"s": 1}}')
    elif damage == "missing_json":
        (path / "s.json").unlink()
    else:
        (path / "s.json").write_text('{"schema": 1, "kind": "surf')
    with pytest.warns(RuntimeWarning, match="recomputing"):
        out = E.load("t-exp")
    assert len(registry) == 2
    assert out["s"].loss[2, 2] == 16.0
    E.load("t-exp")
    assert len(registry) == 2          # and the repaired entry is whole again
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []


def test_code_change_recomputes(registry, tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    mod = src / "h2_cache_probe.py"
    body = textwrap.dedent('''
        import numpy as np
        from nnviz.experiments import experiment
        from nnviz.records import Surface

        CALLS = []

        @experiment("t-code", description="probe")
        def probe(cfg):
            CALLS.append(1)
            x = np.arange(3.0) * FACTOR
            return {"s": Surface(config={}, method="analytic", xs=x, ys=x, loss=np.outer(x, x),
                                 origin=np.zeros(2), directions=np.eye(2))}
        ''')
    mod.write_text(body + "FACTOR = 1.0\n")
    monkeypatch.syspath_prepend(str(src))
    m = importlib.import_module("h2_cache_probe")
    try:
        E.load("t-code")
        E.load("t-code")
        assert len(m.CALLS) == 1
        k1 = E.get("t-code").key()
        mod.write_text(body + "FACTOR = 2.0\n")
        m = importlib.reload(m)
        assert E.get("t-code").key() != k1
        assert E.load("t-code")["s"].loss[2, 2] == 16.0
        assert len(m.CALLS) == 1       # the reloaded module computed once
    finally:
        sys.modules.pop("h2_cache_probe", None)


def test_core_digest_follows_core_sources_only(tmp_path, monkeypatch):
    core = tmp_path / "nnviz"
    (core / "render").mkdir(parents=True)
    (core / "experiments").mkdir()
    (core / "train.py").write_text("x = 1\n")
    (core / "render" / "plots.py").write_text("y = 1\n")
    (core / "experiments" / "descent.py").write_text("z = 1\n")
    monkeypatch.setattr(E, "_CORE", core)

    def digest():
        monkeypatch.setattr(E, "_DIGEST", None)
        return E._core_digest()

    d0 = digest()
    (core / "render" / "plots.py").write_text("y = 2\n")          # drawing code: no effect
    (core / "experiments" / "descent.py").write_text("z = 2\n")   # hashed per experiment instead
    assert digest() == d0
    (core / "train.py").write_text("x = 2\n")
    assert digest() != d0
    (core / "new_module.py").write_text("")
    assert digest() != d0


def test_core_change_changes_every_key(registry, monkeypatch):
    _register(registry)
    k1 = E.get("t-exp").key()
    monkeypatch.setattr(E, "_core_digest", lambda: "something else")
    assert E.get("t-exp").key() != k1


def test_keys_cover_experiment_modules_an_experiment_uses(tmp_path, monkeypatch):
    """An experiment module's key covers the experiment modules it imports from, read from its
    source (transitively), and nothing else of the package (the core is hashed whole)."""
    user = tmp_path / "probe_key_user.py"
    user.write_text("import numpy as np\nfrom nnviz.experiments.descent import with_meta\nfrom nnviz import train\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    m = importlib.import_module("probe_key_user")
    try:
        names = [n for n, _ in E._experiment_sources(m)]
        assert names == ["nnviz.experiments.descent", "probe_key_user"]
        assert [n for n, _ in E._experiment_sources(descent)] == ["nnviz.experiments.descent"]
    finally:
        sys.modules.pop("probe_key_user", None)


def test_bad_names_and_bad_experiments_are_clear_errors(registry):
    with pytest.raises(UnknownNameError, match="valid: .*descent_surface"):
        E.load("descent_surfac")

    @E.experiment("t-bad")
    def bad(cfg):
        return {"x": np.zeros(3)}
    with pytest.raises(NNVizError, match="dict of records"):
        E.load("t-bad")
    assert not E.get("t-bad").path().exists()


def test_prune_removes_only_unreachable_entries(registry):
    _register(registry, scale=2.0)
    E.load("t-exp")
    old = E.get("t-exp").path()
    _register(registry, scale=3.0)
    E.load("t-exp")
    new = E.get("t-exp").path()
    (old.parent / ".tmp-leftover").mkdir()
    assert set(E.prune("t-exp", dry_run=True)) == {old, old.parent / ".tmp-leftover"}
    assert old.exists()
    E.prune()
    assert not old.exists() and new.exists()
    E.load("t-exp")
    assert len(registry) == 2          # the current entry survived


def test_keys_follow_imported_constants_of_other_experiment_modules(tmp_path, monkeypatch):
    pkg_mod = tmp_path / "probe_pkg_user.py"
    pkg_mod.write_text("from nnviz.experiments.descent import RACE_ORDER as X\nY = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    m = importlib.import_module("probe_pkg_user")
    try:
        assert "nnviz.experiments.descent" in dict(E._experiment_sources(m))
        pkg_mod.write_text("Y = 1\n")                       # the same module without that import
        assert "nnviz.experiments.descent" not in dict(E._experiment_sources(m))
    finally:
        sys.modules.pop("probe_pkg_user", None)
