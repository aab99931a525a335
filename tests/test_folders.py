"""One module knows the project's folders: the record cache follows $NNVIZ_CACHE, else the project."""
from pathlib import Path

from nnviz import folders


def test_use_project_sets_the_record_cache_unless_already_set(tmp_path, monkeypatch):
    monkeypatch.delenv("NNVIZ_CACHE", raising=False)
    assert folders.use_project(tmp_path) == tmp_path / "renders" / ".cache" / "records"
    assert folders.records_cache() == tmp_path / "renders" / ".cache" / "records"
    assert folders.use_project(tmp_path / "other") == tmp_path / "renders" / ".cache" / "records"   # first wins
    monkeypatch.setenv("NNVIZ_CACHE", str(tmp_path / "mine"))
    assert folders.records_cache() == tmp_path / "mine"


def test_core_excludes_drawing_and_tooling():
    rel = [p.relative_to(folders.PACKAGE) for p in folders.core_sources()]
    assert Path("train.py") in rel and Path("experiments/descent.py") in rel
    assert not [r for r in rel if r.parts[0] in ("render", "figures", "build") or r.name == "cli.py"]
