"""Blog formats: every format pair decodes to the same frames and duration as the mp4; mp4s are
fast-start; GIFs (also transparent, -t) come from nnviz's writer; posters pick the asked frame;
section clips for slide decks."""
from __future__ import annotations

import itertools

import manim as mn
import numpy as np
import pytest
from PIL import Image

from nnviz import theme
from nnviz.errors import NNVizError
from nnviz.render import ThemedScene
from nnviz.render.gif import atoms, encoder_options, faststart, probe, transcode
from nnviz.render.poster import parse_poster
from nnviz.render.runner import GifOptions, RenderOptions, render

ORANGE = np.array([int(theme.OPTIMIZER["adam"][i:i + 2], 16) for i in (1, 3, 5)])
FPS, W, H = 10, 192, 108


class Grow(ThemedScene):
    """1 s fade-in, 1 s move right, 0.5 s wait, 0.5 s fade-out (3 s, 30 frames at 10 fps)."""

    def construct(self):
        sq = mn.Square(side_length=2, color=theme.OPTIMIZER["adam"], fill_opacity=1).shift(3 * mn.LEFT)
        self.play(mn.FadeIn(sq), run_time=1, rate_func=mn.linear)
        self.pause("move")
        self.play(sq.animate.shift(6 * mn.RIGHT), run_time=1, rate_func=mn.linear)
        self.wait(0.5)
        self.pause("gone")
        self.play(mn.FadeOut(sq), run_time=0.5, rate_func=mn.linear)


def _render(tmp_path, formats, transparent=False, poster="auto", sections=False, name="Grow"):
    opts = RenderOptions("low", tuple(formats), fps=FPS, resolution=(W, H), transparent=transparent,
                         gif=GifOptions(fps=FPS, width=W), poster=poster)
    return render(Grow, tmp_path / "out", name, opts, media_dir=tmp_path / "media", sections=sections)


def gif_facts(path):
    im = Image.open(path)
    durations = []
    for i in range(im.n_frames):
        im.seek(i)
        durations.append(im.info["duration"])
    return im, durations


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The mp4 alone: the frame count and duration every other format must match."""
    res = _render(tmp_path_factory.mktemp("ref"), ["mp4"])
    return probe(res.files["mp4"])


def test_reference_mp4_is_what_the_scene_plays(reference):
    assert reference["frames"] == 30
    assert reference["duration"] == pytest.approx(3.0, abs=1e-6)


@pytest.mark.parametrize("pair", list(itertools.combinations(["mp4", "webm", "gif", "png"], 2)))
def test_every_format_pair_matches_the_mp4(tmp_path, reference, pair):
    res = _render(tmp_path, pair)
    assert set(res.files) == set(pair)
    for fmt, path in res.files.items():
        if fmt in ("mp4", "webm"):
            p = probe(path)               # decodes every frame
            assert p["frames"] == reference["frames"], fmt
            assert p["duration"] == pytest.approx(reference["duration"], abs=1e-3), fmt
            assert np.all(np.diff(p["pts"]) > 0), f"{fmt}: timestamps must increase"
            assert p["container_duration"] == pytest.approx(reference["duration"], abs=0.05), fmt
        elif fmt == "gif":
            im, durations = gif_facts(path)
            assert im.size == (W, H) and im.info.get("loop") == 0
            assert sum(durations) == pytest.approx(1000 * reference["duration"], abs=10)
            # identical consecutive frames are merged; the time each frame starts is still on the 10 fps grid
            assert all(d % 10 == 0 for d in durations)
        else:
            assert Image.open(path).size == (W, H)


class Seen(Grow):
    """Grow, noting the encoder options manim renders with."""
    seen: dict = {}

    def construct(self):
        Seen.seen = dict(mn.config.video_encoder_options)
        super().construct()


def test_renders_decode_identically_with_one_encoder_thread(tmp_path):
    """Same scene, same frames ⇒ the same decoded pictures: the encoder runs on one thread (x264's threads made a
    few fade frames of descent_surface decode differently between renders of identical frames)."""
    import imageio.v3 as iio

    opts = RenderOptions("low", ("mp4",), fps=FPS, resolution=(W, H))
    a, b = (render(Seen, tmp_path / d, "seen", opts, media_dir=tmp_path / d / "media").files["mp4"] for d in "ab")
    assert Seen.seen.get("threads") == "1"
    fa, fb = (iio.imread(f, plugin="pyav") for f in (a, b))
    assert fa.shape == fb.shape and fa.shape[0] == 30 and np.array_equal(fa, fb)


def test_every_encoder_runs_on_one_thread():
    """The renders' encoder (manim) and transcode's, mp4 and webm: one thread; webm keeps VP9's settings."""
    assert encoder_options() == {"threads": "1"} == encoder_options("mp4")
    assert encoder_options("webm")["threads"] == "1" and encoder_options("webm")["deadline"] == "realtime"


def test_mp4_is_fast_start_and_faststart_rewrites_a_slow_file(tmp_path):
    res = _render(tmp_path, ["mp4", "webm"])
    a = atoms(res.files["mp4"])
    assert a.index("moov") < a.index("mdat")
    # a file written the ordinary way has its index at the end; faststart moves it, same frames
    slow = tmp_path / "slow.mp4"
    import av

    with av.open(str(res.files["webm"])) as inp, av.open(str(slow), "w") as out:
        st = out.add_stream("libx264", rate=FPS)
        st.width, st.height, st.pix_fmt = W, H, "yuv420p"
        for f in inp.decode(video=0):
            f.pts = None
            for pkt in st.encode(f.reformat(format="yuv420p")):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
    assert atoms(slow).index("moov") > atoms(slow).index("mdat")
    before = probe(slow)["frames"]
    faststart(slow)
    assert atoms(slow).index("moov") < atoms(slow).index("mdat")
    assert probe(slow)["frames"] == before


def test_transcode_keeps_every_timestamp(tmp_path, reference):
    res = _render(tmp_path, ["webm"])
    mp4 = transcode(res.files["webm"], tmp_path / "x.mp4", "mp4")
    p = probe(mp4)
    assert p["frames"] == reference["frames"] and p["duration"] == pytest.approx(reference["duration"], abs=1e-3)
    assert atoms(mp4).index("moov") < atoms(mp4).index("mdat")


def test_transparent_gif_goes_through_nnviz_writer(tmp_path):
    res = _render(tmp_path, ["webm", "gif", "png"], transparent=True)
    im, durations = gif_facts(res.files["gif"])
    assert im.size == (W, H)                    # the GIF width option, not manim's full-size writer
    assert sum(durations) == pytest.approx(3000, abs=10)
    im.seek(0)
    first = np.asarray(im.convert("RGBA"))
    assert first[..., 3].max() == 0             # before the fade-in: fully transparent
    im.seek(im.n_frames // 2)
    mid = np.asarray(im.convert("RGBA"))
    opaque = mid[..., 3] == 255
    assert 0.02 < opaque.mean() < 0.1           # the square (27×27 px), transparency around it
    assert np.abs(mid[opaque][:, :3].astype(int) - ORANGE).max(axis=1).mean() < 20
    assert Image.open(res.files["png"]).mode == "RGBA"
    # the webm still has the same frames as the opaque render
    assert probe(res.files["webm"])["frames"] == 30


def test_gif_alone_needs_no_video(tmp_path):
    res = _render(tmp_path, ["gif"], transparent=True)
    assert list(res.files) == ["gif"] and not list((tmp_path / "out").glob("*.webm"))


def _square_x(frame):
    """Centre column of the orange square (fraction of the width), or None if it is not shown."""
    d = np.abs(np.asarray(frame)[..., :3].astype(int) - ORANGE).max(axis=-1) < 40
    cols = np.nonzero(d.any(axis=0))[0]
    return None if cols.size == 0 else cols.mean() / frame.shape[1]


@pytest.mark.parametrize("spec, x", [("auto", 0.71), ("1.5s", 0.5), ("50%", 0.5), ("0.9s", 0.29)])
def test_poster_picks_the_asked_frame(tmp_path, spec, x):
    res = _render(tmp_path, ["mp4", "png"], poster=spec)
    got = np.asarray(Image.open(res.files["png"]))
    assert got.shape == (H, W, 3)
    assert _square_x(got) == pytest.approx(x, abs=0.03)
    assert np.array_equal(got, res.poster[..., :3])


def test_last_poster_is_the_final_state_even_if_empty(tmp_path):
    res = _render(tmp_path, ["png"], poster="last")
    assert _square_x(np.asarray(Image.open(res.files["png"]))) is None
    # the png alone with a timed poster renders the frames to find it
    res = _render(tmp_path, ["png"], poster="1.5s")
    assert _square_x(np.asarray(Image.open(res.files["png"]))) == pytest.approx(0.5, abs=0.03)


@pytest.mark.parametrize("bad", ["first", "-2s", "120%", "2.5", ""])
def test_bad_poster_refused(bad):
    with pytest.raises(NNVizError, match="poster"):
        parse_poster(bad)
    with pytest.raises(NNVizError, match="poster"):
        RenderOptions(poster=bad)


def test_sections_give_one_clip_and_last_frame_per_pause(tmp_path):
    res = _render(tmp_path, ["mp4"], sections=True)
    labels = [s[0] for s in res.sections]
    assert labels[1:] == ["move", "gone"]
    frames = [probe(clip)["frames"] for _, clip, _ in res.sections]
    assert frames == [10, 15, 5]                 # 1 s, 1.5 s, 0.5 s at 10 fps
    xs = [_square_x(last) for _, _, last in res.sections]
    assert xs[0] == pytest.approx(0.29, abs=0.03) and xs[1] == pytest.approx(0.71, abs=0.03)
    assert xs[2] is None                         # the scene's end state: faded out
    # a section's poster is the state at its break, not the last written frame (87.5 % into the fade-in)
    first = res.sections[0][2]
    centre = first[H // 2, int(0.29 * W), :3].astype(int)
    assert np.abs(centre - ORANGE).max() <= 2


def test_manifest_poster_per_target_and_in_the_build_key(tmp_path):
    from nnviz.build import load_manifest
    from nnviz.build.keys import Keys
    from nnviz.build.manifest import ManifestError

    (tmp_path / "scenes").mkdir()
    (tmp_path / "scenes" / "s.py").write_text("from nnviz.render import ThemedScene\nclass S(ThemedScene):\n"
                                              "    def construct(self):\n        pass\n")
    text = ('[settings]\nposter = "40%"\n[targets.a]\nscene = "scenes/s.py"\nclass = "S"\n'
            '[targets.b]\nscene = "scenes/s.py"\nclass = "S"\nposter = "2.5s"\n')
    (tmp_path / "renders.toml").write_text(text)
    m = load_manifest(tmp_path / "renders.toml")
    assert m.targets["a"].options.poster == "40%" and m.targets["b"].options.poster == "2.5s"
    keys = Keys(m)
    (tmp_path / "renders.toml").write_text(text.replace('poster = "2.5s"', 'poster = "last"'))
    m2 = load_manifest(tmp_path / "renders.toml")
    assert Keys(m2).key(m2.targets["b"])[0] != keys.key(m.targets["b"])[0]
    assert Keys(m2).key(m2.targets["a"])[0] == keys.key(m.targets["a"])[0]
    (tmp_path / "renders.toml").write_text(text.replace('poster = "2.5s"', 'poster = "first"'))
    with pytest.raises(ManifestError, match=r"targets\.b.*poster 'first'"):
        load_manifest(tmp_path / "renders.toml")
