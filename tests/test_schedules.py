"""Learning-rate schedules against their formulas, written out here."""
import math

import pytest

from nnviz import schedules as S
from nnviz.errors import NNVizError, UnknownNameError

TS = [0, 1, 2, 7, 99, 100, 101, 250, 1000]


def test_constant():
    s = S.constant(0.3)
    assert [s(t) for t in TS] == [0.3] * len(TS)
    assert S.as_schedule(0.3) == s


def test_step_decay():
    s = S.step_decay(0.8, decay=0.5, every=100)
    expected = {0: 0.8, 99: 0.8, 100: 0.4, 101: 0.4, 250: 0.2, 1000: 0.8 * 0.5 ** 10}
    for t, v in expected.items():
        assert s(t) == pytest.approx(v, rel=1e-15)


def test_exponential():
    s = S.exponential(0.5, decay=0.01)
    for t in TS:
        assert s(t) == pytest.approx(0.5 * math.exp(-0.01 * t), rel=1e-15)
    assert s(100) == pytest.approx(0.5 / math.e)


def test_inverse_time():
    s = S.inverse_time(0.5, decay=0.1)
    for t in TS:
        assert s(t) == pytest.approx(0.5 / (1 + 0.1 * t), rel=1e-15)
    assert s(10) == pytest.approx(0.25)


def test_cosine():
    s = S.cosine(1.0, total=100, floor=0.1)
    assert s(0) == pytest.approx(1.0)
    assert s(50) == pytest.approx(0.55)   # halfway: mean of start and floor
    assert s(100) == pytest.approx(0.1)
    assert s(1000) == pytest.approx(0.1)  # stays at the floor after `total`
    for t in range(0, 101, 7):
        assert s(t) == pytest.approx(0.1 + 0.45 * (1 + math.cos(math.pi * t / 100)), rel=1e-14)


def test_json_round_trip():
    for s in [S.constant(0.1), S.step_decay(0.1, 0.3, 7), S.exponential(0.2, 0.05),
              S.inverse_time(0.3, 0.2), S.cosine(0.4, 50, 0.01)]:
        again = S.as_schedule(s.to_json())
        assert again == s and [again(t) for t in TS] == [s(t) for t in TS]


def test_unknown_schedule_lists_valid_ones():
    with pytest.raises(UnknownNameError, match="unknown schedule 'warmup'; valid: constant, cosine, exponential"):
        S.as_schedule({"kind": "warmup", "lr": 0.1})


def test_bad_learning_rates_are_clear_errors():
    with pytest.raises(NNVizError, match="a learning rate is a number or a Schedule, got 'fast'"):
        S.as_schedule("fast")
    with pytest.raises(NNVizError, match="must be finite"):
        S.as_schedule(float("nan"))
    with pytest.raises(NNVizError, match="bad schedule"):
        S.as_schedule({"kind": "cosine", "lr": 0.1, "tmax": 3})
