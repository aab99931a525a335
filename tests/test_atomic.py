"""The one atomic-write helper: a file or folder is whole or absent, never half-written."""
import pytest

from nnviz.atomic import atomic_dir, atomic_path, write_atomic


def test_write_replaces_whole_and_leaves_no_temp(tmp_path):
    t = tmp_path / "sub" / "f.json"
    write_atomic(t, "one")
    write_atomic(t, b"two")
    assert t.read_bytes() == b"two"
    assert [p.name for p in t.parent.iterdir()] == ["f.json"]


def test_failed_write_keeps_the_old_file(tmp_path):
    t = tmp_path / "f.bin"
    write_atomic(t, b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(t) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("crash mid-write")
    assert t.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_atomic_dir_whole_or_absent(tmp_path):
    t = tmp_path / "entry"
    with pytest.raises(RuntimeError):
        with atomic_dir(t) as d:
            (d / "a").write_text("1")
            raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []
    with atomic_dir(t) as d:
        (d / "a").write_text("1")
    with atomic_dir(t) as d:          # a (damaged) existing entry is replaced
        (d / "b").write_text("2")
    assert sorted(p.name for p in t.iterdir()) == ["b"]
    assert [p.name for p in tmp_path.iterdir()] == ["entry"]
