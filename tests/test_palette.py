"""One colour per concept across the whole series (nnviz/theme.py's table).

Entries of one family share a picture, so they must be far apart; entries of different families are
the same concept (declared in theme.SAME_CONCEPT, then identical) or clearly different. Distances are
CIE76 ΔE in Lab (D65): about 2.3 is the smallest difference people notice; 10 reads as a different
shade, 20 as a different colour.
"""
import itertools

import numpy as np
import pytest

from nnviz import theme

FAMILIES = ("OPTIMIZER", "REGIME", "VARIANT", "OUTCOME", "SCHEDULE", "SPLIT", "PENALTY", "ACTIVATION",
            "LOSS_KIND", "NORM", "MEMORY_NET")
SINGLES = ("POSITIVE", "NEGATIVE", "ACTIVE", "GRADIENT", "GRADIENT_NEGATIVE", "MEMORY_BUDGET", "TEST_LOSS")
WITHIN, ACROSS = 20.0, 10.0


def lab(hex_color: str) -> np.ndarray:
    h = hex_color.lstrip("#")
    rgb = np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)]) / 255.0
    rgb = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str) -> float:
    return float(np.linalg.norm(lab(a) - lab(b)))


def entries() -> dict:
    out = {f"{fam}.{k}": v for fam in FAMILIES for k, v in getattr(theme, fam).items()}
    out.update({name: getattr(theme, name) for name in SINGLES})
    out.update({"CLASS.0": theme.CLASS[0], "CLASS.1": theme.CLASS[1]})
    return out


def concept(key: str) -> frozenset:
    for group in theme.SAME_CONCEPT:
        if key in group:
            return frozenset(group)
    return frozenset((key,))


@pytest.fixture(autouse=True, params=[None, "light"])
def each_theme(request):
    theme.use(request.param)
    yield
    theme.use(None)


def test_delta_e_matches_published_values():
    assert delta_e("#000000", "#ffffff") == pytest.approx(100.0, abs=0.01)
    assert delta_e("#ff0000", "#ff0000") == 0.0
    assert lab("#ff0000") == pytest.approx([53.24, 80.09, 67.20], abs=0.05)


def test_one_family_is_told_apart_in_one_picture():
    close = [(a, b, round(delta_e(ca, cb), 1)) for fam in FAMILIES
             for (a, ca), (b, cb) in itertools.combinations(getattr(theme, fam).items(), 2)
             if delta_e(ca, cb) < WITHIN]
    assert not close, f"same-family colours closer than ΔE {WITHIN}: {close}"


def test_same_concept_has_one_colour():
    table = entries()
    for group in theme.SAME_CONCEPT:
        assert all(k in table for k in group), group
        assert len({table[k].lower() for k in group}) == 1, {k: table[k] for k in group}


def test_different_concepts_never_look_alike():
    table = entries()
    clash = [(a, b, round(delta_e(table[a], table[b]), 1))
             for a, b in itertools.combinations(table, 2)
             if concept(a) != concept(b) and a.split(".")[0] != b.split(".")[0]
             and delta_e(table[a], table[b]) < ACROSS]
    assert not clash, f"different concepts with (nearly) one colour: {clash}"


def test_the_checks_catch_a_reused_hue(monkeypatch):
    monkeypatch.setitem(theme.NORM, "batch", theme.OPTIMIZER["momentum"])   # the clash reviewers found
    with pytest.raises(AssertionError):
        test_different_concepts_never_look_alike()
