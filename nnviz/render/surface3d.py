"""Fast, correctly occluded 3-D loss surfaces: `SurfaceMesh` and the `SurfaceCamera` that draws it.

Why a camera and not a mobject alone: manim's `Surface` is a VGroup of one VMobject per face, and
Cairo's ThreeDCamera spends ~85 % of a frame on per-face Python (shading, colour, path building);
its painter's sort also orders whole mobjects, so a descent path (one VMobject) is drawn either
entirely before or entirely after the surface — a hill never hides it. Here the surface is one
mobject holding its vertex grid, and `SurfaceCamera` (a `ThreeDCamera` subclass that
`ThemedThreeDScene` uses as its camera class) projects, lights and depth-sorts every face at once in
NumPy and fills them in one tight pycairo loop. The mobjects registered with `SurfaceMesh.occlude`
(descent paths, heads, markers, minimum stars) are drawn *in the same depth order*: stroke-only
curves are cut into pieces of at most one grid cell, every other mobject is one item at its centre.
Because it is a camera and not an image overlay, `ThreeDAxes`, fixed-in-frame text, labels and every
camera move (`move_camera`, ambient rotation, zoom, frame centre) stay aligned: one projection
(`ThreeDCamera.project_points`) serves both. Under a plain `ThreeDCamera` a `SurfaceMesh` draws
nothing (manim skips bare `Mobject`s), so scenes must use `SurfaceCamera` (ThemedThreeDScene does).

Depth order (painter's algorithm, far to near, stable sort ⇒ deterministic frames):
faces by the camera-space depth of their centroid; path pieces by the depth of their midpoint plus a
lift of `lift` cell diagonals toward the viewer, so a path lying on the surface is drawn after its
own face and its neighbours (never flickers against them) while a ridge more than a cell in front
of it still covers it. Segments longer than `jump` scene units (an optimizer's jump across a
valley: its straight chord is not where the run went) are drawn dashed and thin, without outline.

Lighting follows manim's 3-D shading (`get_shaded_rgb`): colour + 0.5·(n·l)³ (halved when
negative), evaluated per face with the face normal and the camera's light source, so the look is
close to `manim.Surface`'s; the colour of a face is the height ramp at its centroid.
"""
from __future__ import annotations

import itertools as it
import math

import cairo
import manim as mn
import numpy as np

from .. import theme
from ..display import loss_tick_text

__all__ = ["EndZoom", "covering_head", "PlaneInset", "SurfaceMesh", "SurfaceCamera", "SurfaceScene", "decade_ticks", "grid_minimum", "height_axis", "level_rings",
           "manim_surface", "marker", "outline",
           "ramp_rgb", "sanitise_heights", "snapshot", "zoom_half"]


# ---------------------------------------------------------------- numeric helpers
def ramp_rgb(t, colors=None) -> np.ndarray:
    """Colour ramp (theme.SURFACE_RAMP by default) at t ∈ [0, 1], vectorised: (..., 3) floats 0..1."""
    ramp = np.array([mn.ManimColor(c).to_rgb() for c in (colors or theme.SURFACE_RAMP)], float)
    t = np.clip(np.nan_to_num(np.asarray(t, float), nan=1.0), 0.0, 1.0) * (len(ramp) - 1)
    k = np.minimum(t.astype(int), len(ramp) - 2)
    f = (t - k)[..., None]
    return ramp[k] * (1 - f) + ramp[k + 1] * f


def sanitise_heights(H, z_range) -> np.ndarray:
    """Heights as drawn: NaN and +inf at the top of `z_range`, −inf at its bottom, clipped into it."""
    z0, z1 = float(z_range[0]), float(z_range[1])
    H = np.asarray(H, float)
    return np.clip(np.nan_to_num(H, nan=z1, posinf=z1, neginf=z0), z0, z1)


def _resample(xs, ys, H, resolution):
    """(u, v, heights) on a (resolution + 1)² grid by bilinear interpolation, or the grid itself
    when `resolution` is None or matches it."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    if resolution is None:
        return xs, ys, H
    nx, ny = (resolution, resolution) if np.isscalar(resolution) else resolution
    if nx + 1 == len(xs) and ny + 1 == len(ys):
        return xs, ys, H
    u = np.linspace(xs[0], xs[-1], int(nx) + 1)
    v = np.linspace(ys[0], ys[-1], int(ny) + 1)
    i = np.clip(np.searchsorted(xs, u) - 1, 0, len(xs) - 2)
    j = np.clip(np.searchsorted(ys, v) - 1, 0, len(ys) - 2)
    a = np.clip((u - xs[i]) / (xs[i + 1] - xs[i]), 0, 1)[None, :]
    b = np.clip((v - ys[j]) / (ys[j + 1] - ys[j]), 0, 1)[:, None]
    J, I = j[:, None], i[None, :]
    out = ((1 - a) * (1 - b) * H[J, I] + a * (1 - b) * H[J, I + 1]
           + (1 - a) * b * H[J + 1, I] + a * b * H[J + 1, I + 1])
    return u, v, out


def _scene_map(axes):
    """Data (x, y, z) → scene points of linear `ThreeDAxes`, vectorised over (..., 3)."""
    o = np.asarray(axes.c2p(0, 0, 0), float)
    M = np.array([np.asarray(axes.c2p(*e), float) - o for e in np.eye(3)])
    return lambda d: o + np.asarray(d, float) @ M


# ---------------------------------------------------------------- the mobject
class SurfaceMesh(mn.Mobject):
    """A gridded surface z = H[j, i] over (xs[i], ys[j]) in `axes`, drawn by `SurfaceCamera`.

    Same inputs as `surface.LossSurface`: heights as drawn (`surface.heights` / `height_map`),
    sanitised here (non-finite → top/bottom of the axes' z range, clipped into it). `resolution`
    faces per side (None: the grid's own cells; else bilinear resampling); colour by centroid height
    along `colors` (low → high); `opacity`; `mesh_every` > 0 draws every k-th grid line;
    `floor_levels` > 0 draws that many contour lines of the heights on a floor `floor_gap` scene
    units below the box (Li et al.'s figures). Register paths and markers with `occlude(...)` so they
    are depth-sorted with the faces. The vertex grid is this mobject's `points`, so shift / scale /
    rotate apply as to any mobject.
    """

    def __init__(self, axes: mn.ThreeDAxes, xs, ys, H, resolution=None, opacity: float = 1.0, colors=None,
                 mesh_every: int = 0, mesh_color=theme.BACKGROUND, mesh_width: float = 0.6,
                 floor_levels: int = 0, floor_gap: float = 0.6, floor_color=theme.MUTED,
                 floor_width: float = 1.2, floor_log: bool = False, shading: bool = True, light: float = 1.0,
                 lift: float = 1.0, **kw):
        super().__init__(**kw)
        z_range = axes.z_range[:2]
        H = sanitise_heights(H, z_range)
        u, v, G = _resample(xs, ys, H, resolution)
        self.shape = (len(v), len(u))          # vertices per column, per row
        ny, nx = len(v) - 1, len(u) - 1
        self.n_faces = nx * ny
        to_scene = _scene_map(axes)
        U, V = np.meshgrid(u, v)
        verts = to_scene(np.stack([U, V, G], axis=-1)).reshape(-1, 3)
        idx = np.arange(len(verts)).reshape(len(v), len(u))
        # corners counter-clockwise seen from +z: (i, j), (i+1, j), (i+1, j+1), (i, j+1)
        self.quads = np.stack([idx[:-1, :-1], idx[:-1, 1:], idx[1:, 1:], idx[1:, :-1]], axis=-1).reshape(-1, 4)
        lo, hi = float(G.min()), float(G.max())
        tc = (G[:-1, :-1] + G[:-1, 1:] + G[1:, 1:] + G[1:, :-1]) / 4
        self.face_rgb = ramp_rgb((tc - lo) / max(hi - lo, 1e-12), colors).reshape(-1, 3)
        self.opacity = float(opacity)
        self.shading = bool(shading)
        self.light = float(light)  # 1: manim's 3-D shading; less: flatter colours
        self.lift = float(lift)
        self.mesh_every = int(mesh_every)
        self.mesh_rgba = (*mn.ManimColor(mesh_color).to_rgb(), 1.0)
        self.mesh_width = float(mesh_width)
        # every k-th grid line, as edges of the faces that own them (drawn with their face, in depth order)
        self.mesh_edges = None
        if self.mesh_every > 0:
            k = self.mesh_every
            J, I = np.divmod(np.arange(self.n_faces), nx)
            # edges p0→p1 (bottom), p1→p2 (right), p2→p3 (top), p3→p0 (left); each line drawn once
            self.mesh_edges = np.stack([J % k == 0, I + 1 == nx, J + 1 == ny, I % k == 0], axis=-1)
            self.mesh_edge_list = self.mesh_edges.tolist()
        # contour floor: polylines at a constant scene height below the box
        self.floor_runs: list[tuple[int, int]] = []
        floor_pts = []
        if floor_levels > 0:
            from .surface import contour_paths  # the same contour levels as the 2-D maps
            z_floor = float(np.asarray(axes.c2p(0, 0, z_range[0]))[2]) - float(floor_gap)
            start = len(verts)
            for ln in contour_paths(xs, ys, H, levels=floor_levels, log=floor_log):
                p = to_scene(np.column_stack([ln, np.full(len(ln), z_range[0])]))
                p[:, 2] = z_floor
                self.floor_runs.append((start, start + len(p)))
                start += len(p)
                floor_pts.append(p)
        self.floor_rgba = (*mn.ManimColor(floor_color).to_rgb(), 0.9)
        self.floor_width = float(floor_width)
        self.n_vertices = len(verts)
        self.points = np.concatenate([verts] + floor_pts) if floor_pts else verts
        self.data_grid = (u, v, G)
        self.occluded: dict[int, tuple[mn.Mobject, dict]] = {}
        # always "moving": manim's Cairo renderer bakes static mobjects into a background image
        # before each animation, which would draw the surface in a different pass than a growing
        # path and break the shared depth order
        self.add_updater(lambda m: None)

    # geometry --------------------------------------------------------------
    @property
    def vertices(self) -> np.ndarray:
        return self.points[:self.n_vertices]

    def cell(self) -> float:
        """The grid-cell edge in scene units (path pieces are cut to at most this; cached until
        the vertices move)."""
        key = (self.points.shape, float(self.points[0, 0]), float(self.points[-1, 1]), float(self.points[0, 2]))
        if getattr(self, "_cell", (None,))[0] == key:
            return self._cell[1]
        g = self.vertices.reshape(*self.shape, 3)
        dx = np.linalg.norm(np.diff(g[:, :, :2], axis=1), axis=-1)
        dy = np.linalg.norm(np.diff(g[:, :, :2], axis=0), axis=-1)
        self._cell = (key, float(max(min(dx.max(), dy.max()), 1e-6)))
        return self._cell[1]

    def occlude(self, *mobjects: mn.Mobject, jump: float | None = None, lift: float | None = None):
        """Draw these mobjects (and their families) in the surface's depth order. `jump`: segments
        longer than this many scene units are drawn dashed and thin (a jump, not a trajectory);
        `lift`: cell diagonals toward the viewer for their sort key (default the surface's)."""
        for m in mobjects:
            self.occluded[id(m)] = (m, {"jump": jump, "lift": self.lift if lift is None else float(lift)})
        return self

    def set_opacity(self, opacity: float, family: bool = True):
        self.opacity = float(opacity)
        return self

    def get_opacity(self) -> float:
        return self.opacity

    def interpolate_color(self, mobject1, mobject2, alpha):  # FadeIn / FadeOut
        if isinstance(mobject1, SurfaceMesh) and isinstance(mobject2, SurfaceMesh):
            self.opacity = (1 - alpha) * mobject1.opacity + alpha * mobject2.opacity
        return self

    def fade(self, darkness: float = 0.5, family: bool = True):
        self.opacity *= 1 - darkness
        return self


# ---------------------------------------------------------------- the camera
def theme_bgra(hex_color, alpha: float = 1.0) -> tuple:
    r, g, b = mn.ManimColor(hex_color).to_rgb()
    return (b, g, r, alpha)


def _grow(Q, e):
    """Quads (F, 4, 2) with every edge moved `e` outward (corners along their bisectors, at most
    3e), whatever their winding on screen."""
    edge = np.roll(Q, -1, axis=1) - Q                                  # edge k: corner k → k+1
    area = np.sum(Q[:, :, 0] * np.roll(Q, -1, axis=1)[:, :, 1] - np.roll(Q, -1, axis=1)[:, :, 0] * Q[:, :, 1], axis=1)
    n = np.stack([edge[:, :, 1], -edge[:, :, 0]], axis=-1)             # outward for counter-clockwise
    n *= (np.sign(area)[:, None, None] / np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-12))
    prev = np.roll(n, 1, axis=1)                                       # edge k−1 also meets corner k
    s = n + prev
    k = 1.0 + np.sum(n * prev, axis=-1, keepdims=True)
    shift = s / np.maximum(k, 1e-12)
    norm = np.linalg.norm(shift, axis=-1, keepdims=True)
    shift = np.where(norm > 3, shift * 3 / np.maximum(norm, 1e-12), shift)
    return Q + e * shift


_BUTT, _ROUND = cairo.LINE_CAP_BUTT, cairo.LINE_CAP_ROUND


class SurfaceCamera(mn.ThreeDCamera):
    """`ThreeDCamera` that draws `SurfaceMesh`es and the mobjects they occlude in one depth-sorted,
    vectorised pass; everything else exactly as ThreeDCamera does."""

    seam = 0.5  # px: opaque faces grow by this much around their centroid, hiding anti-aliasing seams
    offset = (0.0, 0.0)  # where the 3-D picture's centre sits on screen (scene units); text stays put

    def project_points(self, points):
        """ThreeDCamera's projection, then moved by `offset` on screen: a surface can sit left of a
        side panel and still orbit about its own centre (ThreeDCamera's frame_center would swing it)."""
        out = super().project_points(points)
        if self.offset[0] or self.offset[1]:
            out[:, 0] += self.offset[0]
            out[:, 1] += self.offset[1]
        return out

    def capture_mobjects(self, mobjects, **kwargs):
        self.reset_rotation_matrix()
        mobs = self.get_mobjects_to_display(mobjects, **kwargs)
        surfaces = [m for m in mobs if isinstance(m, SurfaceMesh)]
        if not surfaces:
            return self._draw_plain(mobs)
        claimed: dict[int, tuple] = {}
        present = {id(m) for m in mobs}

        def claim(m, s, opts):
            if isinstance(m, mn.Sphere):  # a head dot: one disc, not dozens of shaded faces
                faces = [f for f in m.family_members_with_points() if id(f) in present]
                if faces:
                    claimed[id(m)] = (m, s, opts)
                    for f in faces:
                        claimed[id(f)] = None
                return
            if id(m) in present:
                claimed[id(m)] = (m, s, opts)
            for sub in m.submobjects:
                claim(sub, s, opts)

        for s in surfaces:
            for root, opts in s.occluded.values():
                claim(root, s, opts)
        rest = [m for m in mobs if id(m) not in claimed and not isinstance(m, SurfaceMesh)]
        # the 3-D pass goes where ThreeDCamera draws shaded 3-D mobjects: first (other
        # shade_in_3d mobjects, far to near, then the surfaces); flat ones after, in scene order
        before = [m for m in rest if getattr(m, "shade_in_3d", False)]
        after = [m for m in rest if not getattr(m, "shade_in_3d", False)]
        self._draw_plain(before)
        self.draw_surfaces(surfaces, [c for c in claimed.values() if c is not None])
        self._draw_plain(after)

    def _draw_plain(self, mobs):
        for group_type, group in it.groupby(mobs, self.type_or_raise):
            self.display_funcs[group_type](list(group), self.pixel_array)

    # the vectorised pass ----------------------------------------------------
    def draw_surfaces(self, surfaces, claimed):
        """Draw the surfaces' faces and the claimed mobjects far to near in one pass."""
        ctx = self.get_cairo_context(self.pixel_array)
        # the cached context keeps the last path manim stroked with stroke_preserve (e.g. the previous
        # frame's text): start clean, or the first face would fill those glyphs in its colour
        ctx.new_path()
        px = self.frame_width / self.pixel_width  # scene units per pixel
        mult = self.cairo_line_width_multiple
        light = self.light_source.points[0]
        keys, kinds, index = [], [], []
        faces, face_rgba, face_edges = [], [], []   # flat per-face lists over all surfaces
        mesh_style = []                             # per face: None or (rgba, width)
        cells = {}
        for s in surfaces:
            cells[id(s)] = s.cell()
            self._draw_floor(ctx, s)
            if s.opacity <= 0 or s.n_faces == 0:
                continue
            V = s.vertices
            P = self.project_points(V)
            q = s.quads
            rgb = s.face_rgb
            key = (float(V[::97].sum()), tuple(light.tolist()), s.opacity, s.light, self.should_apply_shading)
            cached = getattr(s, "_colours", None)
            colours = cached[1] if cached is not None and cached[0] == key else None
            if colours is not None:
                pass
            elif s.shading and self.should_apply_shading and s.light > 0:
                W = V[q]
                n = np.cross(W[:, 1] - W[:, 0] + W[:, 2] - W[:, 3], W[:, 3] - W[:, 0] + W[:, 2] - W[:, 1])
                n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
                sun = light - W.mean(axis=1)
                sun /= np.maximum(np.linalg.norm(sun, axis=1, keepdims=True), 1e-12)
                lit = 0.5 * np.einsum("ij,ij->i", n, sun) ** 3
                lit = np.where(lit < 0, 0.5 * lit, lit) * s.light
                rgb = np.clip(rgb + lit[:, None], 0.0, 1.0)
            if colours is None:
                colours = np.column_stack([rgb[:, ::-1], np.full(len(q), s.opacity)]).tolist()
                s._colours = (key, colours)
            Q = P[q][:, :, :2]
            if s.opacity >= 0.999 and self.seam > 0:
                # adjacent anti-aliased fills leave a faint background-coloured seam where they
                # meet; widening every face by half a pixel covers it at no raster cost (a
                # same-colour stroke per face did the same at 2.5x the time)
                Q = _grow(Q, self.seam * px)
            keys.append(P[q, 2].mean(axis=1))
            kinds.append(np.zeros(len(q), np.int8))
            index.append(np.arange(len(faces), len(faces) + len(q)))
            faces += Q.reshape(len(q), 8).tolist()
            face_rgba += colours  # cairo: BGRA
            if s.mesh_edges is not None:
                m = s.mesh_rgba
                style = ((m[2], m[1], m[0], m[3] * s.opacity), s.mesh_width * mult)
                face_edges += s.mesh_edge_list
                mesh_style += [style] * len(q)
            else:
                face_edges += [None] * len(q)
                mesh_style += [None] * len(q)
        pieces = []  # per piece: (x0, y0, x1, y1, style id, dashed, continues the previous piece)
        styles = []  # per polyline: (stroke bgra, width, outline bgra, outline width)
        blobs = []
        for m, s, opts in claimed:
            cell = cells[id(s)]
            bias = opts["lift"] * cell * math.sqrt(2)
            if isinstance(m, mn.VMobject) and self._is_stroke(m) and self._extent(m) > 1.5 * cell:
                rgba = m.get_stroke_rgbas()[0]
                brgba = m.get_stroke_rgbas(background=True)[0]
                style = (tuple(rgba[2::-1]) + (rgba[3],), m.get_stroke_width() * mult,
                         tuple(brgba[2::-1]) + (brgba[3],), m.get_stroke_width(background=True) * mult)
                for anchors in _polylines(m.points):
                    p0, p1, dashed = _pieces(anchors, cell, opts["jump"])
                    if not len(p0):
                        continue
                    P0, P1 = self.project_points(p0), self.project_points(p1)
                    keys.append(self.project_points((p0 + p1) / 2)[:, 2] + bias)
                    kinds.append(np.ones(len(p0), np.int8))
                    index.append(np.arange(len(pieces), len(pieces) + len(p0)))
                    cont = np.r_[False, ~dashed[1:] & ~dashed[:-1]]
                    sid = len(styles)
                    styles.append(style)
                    pieces += [(a, b, c, d, sid, bool(e), bool(f)) for a, b, c, d, e, f in
                               zip(P0[:, 0].tolist(), P0[:, 1].tolist(), P1[:, 0].tolist(), P1[:, 1].tolist(),
                                   dashed.tolist(), cont.tolist())]
            elif isinstance(m, mn.Sphere):
                face = m.family_members_with_points()[0]
                rgba = face.get_fill_rgbas()[0]
                if rgba[3] <= 0:
                    continue
                c = m.get_center()
                P = self.project_points(np.array([c, c + m.radius * self.get_rotation_matrix()[0]]))
                keys.append(np.array([P[0, 2] + bias]))
                kinds.append(np.full(1, 3, np.int8))
                index.append(np.array([len(blobs)]))
                ring = (theme_bgra(theme.BACKGROUND), 2.0 * mult)
                blobs.append((float(P[0, 0]), float(P[0, 1]), float(np.hypot(*(P[1, :2] - P[0, :2]))),
                              tuple(rgba[2::-1]) + (float(rgba[3]),), ring))
            else:
                keys.append(np.array([self.project_points(m.get_center()[None])[0, 2] + bias]))
                kinds.append(np.full(1, 2, np.int8))
                index.append(np.array([len(blobs)]))
                blobs.append(m)
        if not keys:
            return
        K = np.concatenate(keys)
        order = np.argsort(K, kind="stable")
        kind = np.concatenate(kinds)[order].tolist()
        idx = np.concatenate(index)[order].tolist()
        move_to, line_to, close, fill, stroke = ctx.move_to, ctx.line_to, ctx.close_path, ctx.fill, ctx.stroke
        set_rgba, set_width = ctx.set_source_rgba, ctx.set_line_width
        ctx.set_line_join(cairo.LINE_JOIN_ROUND)
        run: list = []  # path pieces waiting to be stroked as one cairo path
        prev_piece = -2
        for k, i in zip(kind, idx):
            if run and not (k == 1 and i == prev_piece + 1 and pieces[i][6]):
                self._stroke_run(ctx, run, styles)
                run = []
            if k == 0:
                x0, y0, x1, y1, x2, y2, x3, y3 = faces[i]
                move_to(x0, y0)
                line_to(x1, y1)
                line_to(x2, y2)
                line_to(x3, y3)
                close()
                set_rgba(*face_rgba[i])
                fill()
                e = face_edges[i]
                if e is not None and (e[0] or e[1] or e[2] or e[3]):
                    pts = ((x0, y0), (x1, y1), (x2, y2), (x3, y3), (x0, y0))
                    for j in range(4):
                        if e[j]:
                            move_to(*pts[j])
                            line_to(*pts[j + 1])
                    rgba, w = mesh_style[i]
                    set_rgba(*rgba)
                    set_width(w)
                    stroke()
            elif k == 1:
                run.append(pieces[i])
                prev_piece = i
            elif k == 3:
                x, y, r, rgba, (ring, w) = blobs[i]
                ctx.new_path()
                ctx.arc(x, y, r, 0, 2 * math.pi)
                set_rgba(*rgba)
                ctx.fill_preserve()
                set_rgba(*ring[:3], ring[3] * rgba[3])
                set_width(w)
                stroke()
            else:
                self.display_vectorized(blobs[i], ctx)
                ctx.new_path()  # manim strokes with stroke_preserve: drop its path before the next face
                ctx.set_line_join(cairo.LINE_JOIN_ROUND)
        if run:
            self._stroke_run(ctx, run, styles)

    @staticmethod
    def _is_stroke(m) -> bool:
        """An open stroke-only curve (a path): cut into pieces; closed ones (rings) stay whole."""
        p = m.points
        return (len(p) >= 4 and m.get_fill_opacity() == 0 and m.get_stroke_width() > 0
                and float(np.abs(p[0] - p[-1]).max()) > 1e-6)

    @staticmethod
    def _extent(m) -> float:
        p = m.points
        return float(np.max(p.max(axis=0) - p.min(axis=0))) if len(p) else 0.0

    def _draw_floor(self, ctx, s):
        if not s.floor_runs or s.opacity <= 0:
            return
        P = self.project_points(s.points[s.n_vertices:])
        ctx.new_path()
        off = s.n_vertices
        for a, b in s.floor_runs:
            xy = P[a - off:b - off, :2].tolist()
            ctx.move_to(*xy[0])
            for x, y in xy[1:]:
                ctx.line_to(x, y)
        r, g, b_, al = s.floor_rgba
        ctx.set_source_rgba(b_, g, r, al * s.opacity)
        ctx.set_line_width(s.floor_width * self.cairo_line_width_multiple)
        ctx.set_line_join(cairo.LINE_JOIN_ROUND)
        ctx.stroke()

    @staticmethod
    def _stroke_run(ctx, run, styles):
        """One cairo path through consecutive pieces of one polyline: outline, then colour."""
        rgba, width, brgba, bwidth = styles[run[0][4]]
        dashed = run[0][5]
        ctx.new_path()
        ctx.move_to(run[0][0], run[0][1])
        for r in run:
            ctx.line_to(r[2], r[3])
        if not dashed and bwidth > width and brgba[3] > 0:
            ctx.set_source_rgba(*brgba)
            ctx.set_line_width(bwidth)
            ctx.set_line_cap(_BUTT)
            ctx.stroke_preserve()
        # a jump is drawn thin and faint (where the run went is not this chord); a see-through stroke gets
        # butt caps: the depth sort cuts a path into short runs, whose round caps would overlap as beads
        ctx.set_source_rgba(*rgba[:3], rgba[3] * (0.45 if dashed else 1.0))
        ctx.set_line_width(width * (0.55 if dashed else 1.0))
        ctx.set_line_cap(_BUTT if dashed or rgba[3] < 0.999 else _ROUND)
        ctx.stroke()


def _polylines(points):
    """The anchors of each subpath of a VMobject's cubic Bézier points (a new subpath wherever a
    curve does not start where the previous one ended), vectorised: VMobject.get_subpaths compares
    points one pair at a time."""
    n = len(points) // 4 * 4
    if n == 0:
        return []
    starts, ends = points[0:n:4], points[3:n:4]
    cut = np.flatnonzero(np.abs(ends[:-1] - starts[1:]).max(axis=1) > 1e-6) + 1
    out = []
    for a, b in zip(np.r_[0, cut], np.r_[cut, len(starts)]):
        out.append(np.vstack([starts[a:b], ends[b - 1:b]]))
    return out


def _pieces(anchors, cell, jump):
    """A polyline's straight segments (between its anchors) cut into pieces of at most `cell`:
    (starts, ends, dashed). Segments longer than `jump` become dashes: every other piece of about
    max(cell, 0.1) scene units."""
    if len(anchors) < 2:
        return np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, bool)
    a, b = anchors[:-1], anchors[1:]
    length = np.linalg.norm(b - a, axis=1)
    keep = length > 1e-9
    a, b, length = a[keep], b[keep], length[keep]
    jumpy = (length > jump) if jump is not None else np.zeros(len(a), bool)
    n = np.where(jumpy, np.ceil(length / max(cell, 0.1)), np.ceil(length / cell)).astype(int)
    n = np.maximum(n, 1)
    seg = np.repeat(np.arange(len(a)), n)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(n) - n, n)
    t0, t1 = (k / n[seg])[:, None], ((k + 1) / n[seg])[:, None]
    d = (b - a)[seg]
    dashed = jumpy[seg]
    keep = ~(dashed & (k % 2 == 1))
    return (a[seg] + t0 * d)[keep], (a[seg] + t1 * d)[keep], dashed[keep]


class SurfaceScene:
    """Mixin for a `ThreeDScene`: `SurfaceCamera` as its camera class, and every mobject redrawn
    each frame while a `SurfaceMesh` is in the scene (manim's Cairo renderer otherwise bakes
    static mobjects into a background image drawn *under* the moving ones, which would put a
    title added before the surface beneath it, or a still path on top of hills)."""

    def __init__(self, camera_class=SurfaceCamera, **kwargs):
        super().__init__(camera_class=camera_class, **kwargs)

    def get_moving_mobjects(self, *animations):
        if any(isinstance(m, SurfaceMesh) for m in self.mobjects):
            return list(self.mobjects)
        return super().get_moving_mobjects(*animations)


def manim_surface(axes: mn.ThreeDAxes, xs, ys, H, resolution: int, opacity: float = 1.0,
                  stroke_width: float = 0.0, colors=None) -> mn.Surface:
    """The same surface as a `manim.Surface` (one VMobject per face, coloured by the height ramp
    at each face's centre): the reference the pixel test and `bench/bench_surface.py` compare with."""
    z_range = axes.z_range[:2]
    u, v, G = _resample(xs, ys, sanitise_heights(H, z_range), resolution)
    from .surface import bilinear
    f, to_scene = bilinear(u, v, G), _scene_map(axes)
    surf = mn.Surface(lambda a, b: to_scene(np.array([a, b, f(a, b)])), u_range=(float(u[0]), float(u[-1])),
                      v_range=(float(v[0]), float(v[-1])), resolution=(len(u) - 1, len(v) - 1),
                      fill_opacity=opacity, stroke_width=stroke_width, checkerboard_colors=False)
    lo, hi = to_scene(np.array([0, 0, G.min()]))[2], to_scene(np.array([0, 0, G.max()]))[2]
    t = np.array([(face.get_center()[2] - lo) / max(hi - lo, 1e-12) for face in surf])
    for face, rgb in zip(surf, ramp_rgb(t, colors)):
        face.set_fill(mn.ManimColor(rgb), opacity=opacity)
    return surf


def snapshot(mobjects, width: int = 192, height: int = 108, phi: float = 60, theta: float = -60,
             zoom: float = 1.0, camera_class=None, background=theme.BACKGROUND) -> np.ndarray:
    """One frame (height, width, 3) uint8 of `mobjects` through a 3-D camera at (phi, theta) degrees,
    without a scene: the harness of the pixel tests and the benchmark."""
    cam = (camera_class or SurfaceCamera)(pixel_width=width, pixel_height=height, background_color=background,
                                          phi=phi * mn.DEGREES, theta=theta * mn.DEGREES, zoom=zoom)
    cam.reset()
    cam.capture_mobjects(list(mobjects))
    return np.asarray(cam.pixel_array[..., :3]).copy()


# ---------------------------------------------------------------- scene helpers
def outline(mob: mn.VMobject, width: float = 3.0, color=theme.BACKGROUND):
    """A dark rim around every stroke of `mob` (drawn under it), so a path reads on any colour."""
    for m in mob.family_members_with_points():
        if isinstance(m, mn.VMobject) and m.get_stroke_width() > 0:
            m.set_stroke(mn.ManimColor(color), width=m.get_stroke_width() + width, background=True)
    return mob


def marker(point, color=theme.FOREGROUND, radius: float = 0.13, ring=theme.BACKGROUND,
           hollow: bool = False) -> mn.VGroup:
    """A star facing the camera at a 3-D point (register it with `scene.add_fixed_orientation_mobjects`
    and `SurfaceMesh.occlude`), outlined so it reads on any colour. `hollow`: an outline only (a dark
    rim under a light one), so an end dot sitting on the minimum shows inside it."""
    if hollow:
        star = mn.VGroup(*[mn.Star(n=5, outer_radius=radius, density=2, fill_opacity=0, stroke_color=mn.ManimColor(c),
                                   stroke_width=w) for c, w in ((ring, 7), (color, 3))])
        return star.move_to(np.asarray(point, float))
    star = mn.Star(n=5, outer_radius=radius, density=2, color=mn.ManimColor(color), fill_opacity=1,
                   stroke_color=mn.ManimColor(ring), stroke_width=2.5)
    return star.move_to(np.asarray(point, float))


def covering_head(head, better, near: float, cover: float | None = None):
    """Which better-placed head covers `head` (a ring of its colour round that dot), or None.
    `head`: (screen xy, scene xyz); `better`: [(name, screen xy, scene xyz)] of the shown better-placed
    heads, best first. A head is covered only when it is within `near` of that dot on screen AND within `cover` of it
    in the scene (the same spot: a tie at round-off), so a run that merely ends close at this zoom keeps
    its own dot and is never drawn as a ring (the key says a ring is a run under the dot). `cover` None:
    near on screen is enough (a run hidden under another's dot, wherever it ends)."""
    s0, p0 = (np.asarray(v, float) for v in head)
    hits = [n for n, s, p in better
            if np.linalg.norm(np.asarray(s, float) - s0) < near
            and (cover is None or np.linalg.norm(np.asarray(p, float) - p0) < cover)]
    return hits[0] if hits else None  # the best-placed of them (`better` is best first): the dot on top


def grid_minimum(xs, ys, Z) -> tuple[float, float, float]:
    """(x, y, value) of the lowest finite cell of a gridded loss (first one on ties)."""
    Z = np.asarray(Z, float)
    k = int(np.nanargmin(np.where(np.isfinite(Z), Z, np.nan)))
    j, i = np.unravel_index(k, Z.shape)
    return float(xs[i]), float(ys[j]), float(Z[j, i])


def decade_ticks(hmap, z_range, most: int = 4) -> list[tuple[float, float]]:
    """(loss, drawn height) of the powers of ten a log `height_map` puts inside `z_range`, every
    k-th decade so that at most `most` are labelled (a linear map: 4 round values)."""
    z0, z1 = float(z_range[0]), float(z_range[1])
    if not hmap.log:
        lo, hi = (float(np.ravel(hmap(np.array([z0])))[0]), z1)
        step = 10.0 ** np.floor(np.log10(max(hi - lo, 1e-12) / most))
        for m in (1, 2, 5, 10):
            if (hi - lo) / (m * step) <= most:
                step *= m
                break
        vals = np.arange(np.ceil(lo / step) * step, hi + 1e-9, step)
        return [(float(v), float(v)) for v in vals if z0 <= v <= z1]
    ks = np.arange(-15, 16)
    if not hmap.positive:  # log10(v − lo + δ): decades below δ are flattened onto one height
        ks = ks[10.0 ** ks >= 2 * hmap.delta]
    z = np.asarray(hmap(10.0 ** ks), float)
    inside = [(int(k), float(h)) for k, h in zip(ks, z) if z0 - 1e-9 <= h <= z1 + 1e-9]
    if not inside:
        return []
    every = max(1, -(-len(inside) // most))
    top = inside[-1][0]
    out = [(10.0 ** k, h) for k, h in inside if (top - k) % every == 0]
    if not hmap.positive and hmap.lo <= 0:  # the flattened floor is loss 0 (the grid reaches f* = 0)
        out.insert(0, (0.0, float(np.ravel(hmap(np.array([0.0])))[0])))
    return out


def height_axis(axes, corner, ticks, make_text, size: float = 24, color=theme.FOREGROUND, tick_len: float = 0.09,
                name: str | None = "loss", side=mn.LEFT):
    """A vertical loss axis standing at data point `corner` (x, y) of the box: one line over the
    ticks' span, a short tick and a label (loss values, not heights; `make_text(s, size=, color=)` builds
    it, e.g. render.style.text) per tick. Returns (line, ticks,
    labels): occlude the line and the ticks with the surface, and pin the labels to face the camera
    (`scene.add_fixed_orientation_mobjects`)."""
    if not ticks:
        return mn.VGroup(), mn.VGroup(), mn.VGroup()
    zs = [h for _, h in ticks]
    z0, z1 = axes.z_range[0], axes.z_range[1]
    bottom = axes.c2p(corner[0], corner[1], z0)
    top = axes.c2p(corner[0], corner[1], max(max(zs), z1))
    line = mn.Line(bottom, top, stroke_color=mn.ManimColor(color), stroke_width=3)
    marks, labels = mn.VGroup(), mn.VGroup()
    for v, h in ticks:
        p = np.asarray(axes.c2p(corner[0], corner[1], h), float)
        marks.add(mn.Line(p - tick_len * mn.RIGHT, p + tick_len * mn.RIGHT, stroke_color=mn.ManimColor(color),
                          stroke_width=3))
        labels.add(make_text(loss_tick_text(v), size=size, color=color).move_to(p).shift(0.62 * side))
    if name:
        labels.add(make_text(name, size=size, color=color).move_to(np.asarray(top, float)).shift(0.45 * mn.OUT))
    return line, marks, labels


def level_rings(axes, xs, ys, Z, hmap, levels, color=theme.FOREGROUND, width: float = 1.5,
                opacity: float = 0.55) -> mn.VGroup:
    """Iso-loss lines on the surface itself at the loss `levels` (each drawn at its own height, so a
    ring reads as 'loss = v here'), from the grid's contours: occlude them with the surface."""
    import contourpy
    Z = np.asarray(Z, float)
    Zf = np.where(np.isfinite(Z), Z, np.nanmax(np.where(np.isfinite(Z), Z, -np.inf)))
    gen = contourpy.contour_generator(x=np.asarray(xs, float), y=np.asarray(ys, float), z=Zf)
    to_scene = _scene_map(axes)
    rings = mn.VGroup()
    for v in levels:
        h = float(np.ravel(hmap(np.array([v])))[0])
        for ln in gen.lines(float(v)):
            if len(ln) < 3:
                continue
            m = mn.VMobject(stroke_color=mn.ManimColor(color), stroke_width=width, stroke_opacity=opacity)
            m.set_points_as_corners(to_scene(np.column_stack([ln, np.full(len(ln), h)])))
            rings.add(m)
    return rings


def zoom_half(centre, ends, nice=(0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0), margin: float = 1.25) -> float:
    """The half-width of a square window round `centre` holding every point of `ends` with a margin,
    rounded up to a round number (what a "★ ± 0.3" close-up says)."""
    d = max([float(np.abs(np.asarray(e, float) - np.asarray(centre, float)).max()) for e in ends] + [0.0])
    return next((v for v in nice if v >= margin * d), nice[-1])


class EndZoom(mn.VGroup):
    """A flat close-up of the parameter plane round `centre` (★): where a 3-D view stacks several
    end dots on the minimum, this shows them apart. Each path's last stretch inside the window is a
    thin line, its end an outlined dot on top with a tag (its place in the ranking); ends closer than
    a dot's width are fanned out on a small ring round their common point (a thin spoke to it) and share
    one tag. `paths`: {name: θₜ array (n, 2)}; `tags`: {name: text}; `colors`: {name: colour}."""

    def __init__(self, centre, half: float, paths: dict, colors: dict, tags: dict, make_text, side: float = 2.0,
                 size: float = 24, dot: float = 0.085, header: str | None = None, key: bool = True,
                 rings: bool = False, order=None):
        super().__init__()
        c = np.asarray(centre, float)
        fg, bg, muted = (mn.ManimColor(theme.FOREGROUND), mn.ManimColor(theme.BACKGROUND),
                         mn.ManimColor(theme.MUTED))
        box = mn.Square(side, stroke_color=muted, stroke_width=2, fill_color=bg, fill_opacity=1)
        mid = box.get_center()

        def at(p):
            q = (np.asarray(p, float) - c) / half * (side / 2)
            return mid + np.array([q[0], q[1], 0.0])

        lines, dots, words = mn.VGroup(), mn.VGroup(), mn.VGroup()
        ends = {}
        for n, th in paths.items():
            th = np.asarray(th, float)
            inside = np.all(np.abs(th - c) <= 0.98 * half, axis=1)
            k = len(th)
            while k > 0 and inside[k - 1]:
                k -= 1
            if k == len(th):
                continue  # ends outside the window
            ends[n] = at(th[-1])
            if len(th) - k >= 2:
                ln = mn.VMobject(stroke_color=mn.ManimColor(colors[n]), stroke_width=4, stroke_opacity=0.8)
                ln.set_points_as_corners([at(p) for p in th[k:]])
                lines.add(ln)
        star = marker(mid, radius=0.11, hollow=True)
        # which way is which: short x and y arrows in the box's lower-left corner (the plane seen from above)
        o = box.get_corner(mn.DL) + np.array([0.14, 0.14, 0.0])
        key = mn.VGroup()
        for d, name in ((mn.RIGHT, "x"), (mn.UP, "y")) if key else ():
            key.add(mn.Arrow(o, o + 0.42 * d, buff=0, stroke_width=2.5, color=muted, tip_length=0.1,
                             max_tip_length_to_length_ratio=0.3))
            key.add(make_text(name, size=size, color=muted).next_to(o + 0.42 * d, d, buff=0.05))
        self.key = key
        # ends within a dot's width of each other: one group, fanned out round its first member's end
        groups = []
        for n, e in ends.items():
            for g in groups:
                if np.linalg.norm(ends[g[0]] - e) < 2.2 * dot:
                    g.append(n)
                    break
            else:
                groups.append([n])
        self.groups = groups
        for g in sorted(groups, key=lambda g: -len(g)):  # stacks (their tags) first: a lone end's tag then avoids them
            anchor = ends[g[0]]
            # fan and tag point away from the nearest other end (or away from ★ when alone on it)
            others = [ends[m] - anchor for h in groups if h is not g for m in h]
            near = min(others, key=np.linalg.norm) if others else None
            if near is not None and np.linalg.norm(near) < 0.45 * side:
                out = -near
            else:
                out = anchor - mid
            out = out / np.linalg.norm(out) if np.linalg.norm(out) > 1e-6 else mn.UP
            if rings and len(g) > 1:
                # ends on one spot, kept to scale: the first (best placed, or first in `order`) a dot there, each
                # one under it a ring of its colour round that dot (wider the later), each place tagged once
                g = sorted(g, key=lambda n: (len(tags[n]), tags[n], order.index(n) if order and n in order else 0))
                same = len({tags[n] for n in g}) == 1
                a0 = math.atan2(out[1], out[0])
                if same and others:  # one tag for a tie: the side farthest from every other end (not just the nearest)
                    r0 = dot * (1.3 + 0.7 * (len(g) - 1)) + 0.08 + 0.3
                    a0 = max([a0] + list(np.linspace(0, 2 * math.pi, 16, endpoint=False)),
                             key=lambda a: min(np.linalg.norm(np.clip(anchor + r0 * np.array([math.cos(a), math.sin(a), 0]),
                                                                      box.get_corner(mn.DL) + 0.3, box.get_corner(mn.UR) - 0.3)
                                                              - (anchor + e)) for e in others))
                for i, n in enumerate(g):
                    c = mn.ManimColor(colors[n])
                    if i == 0:
                        dots.add(mn.Dot(anchor, radius=dot, color=c, stroke_color=bg, stroke_width=2.5,
                                        fill_opacity=1))
                    else:
                        r = dot * (1.3 + 0.7 * i)
                        dots.add(mn.VGroup(*[mn.Circle(radius=r, stroke_color=k, stroke_width=w).move_to(anchor)
                                             for k, w in ((bg, 8), (c, 4))]))
                    if same and i:
                        continue  # a tie: one tag for the group
                    reach = dot * (1.3 + 0.7 * (len(g) - 1)) + 0.08
                    ang = a0 + ((i - (len(g) - 1) / 2) * 1.1 if not same else 0.0)
                    d_ = np.array([math.cos(ang), math.sin(ang), 0.0])
                    tg = make_text(f"{tags[n]} ×{len(g)}" if same else tags[n], size=size, color=fg if same else c)
                    hw = np.array([tg.width / 2, tg.height / 2, 0])
                    tg.move_to(np.clip(anchor + d_ * (reach + 0.5 * max(tg.width, tg.height)),
                                       box.get_corner(mn.DL) + 0.05 + hw, box.get_corner(mn.UR) - 0.05 - hw))
                    tg.add_background_rectangle(color=bg, opacity=0.8, buff=0.03)
                    words.add(tg)
                continue
            if len(g) == 1:
                spots = [anchor]
            else:  # an arc of dots round the common end, on the free side
                r = 2.6 * dot
                a0 = math.atan2(out[1], out[0])
                da = 2 * math.asin(min(1.0, 1.3 * dot / r))  # neighbours in the fan a dot apart
                spots = [anchor + r * np.array([math.cos(a0 + (i - (len(g) - 1) / 2) * da),
                                                math.sin(a0 + (i - (len(g) - 1) / 2) * da), 0]) for i in range(len(g))]
            for n, s_ in zip(g, spots):
                if len(g) > 1:
                    lines.add(mn.Line(anchor, s_, stroke_color=fg, stroke_width=2.5, stroke_opacity=0.9))
                dots.add(mn.Dot(s_, radius=dot, color=mn.ManimColor(colors[n]), stroke_color=bg, stroke_width=2.5,
                                fill_opacity=1))
            own = list(dict.fromkeys(tags[n] for n in g))
            if len(g) > 1 and len(own) > 1:  # a fan of different places: each dot tagged in its colour, outward
                for n, s_ in zip(g, spots):
                    d_ = (s_ - anchor) / max(np.linalg.norm(s_ - anchor), 1e-9)
                    tg = make_text(tags[n], size=size, color=mn.ManimColor(colors[n]))
                    hw = np.array([tg.width / 2, tg.height / 2, 0])
                    tg.move_to(np.clip(s_ + d_ * (dot + 0.06 + 0.5 * max(tg.width, tg.height)),
                                       box.get_corner(mn.DL) + 0.05 + hw, box.get_corner(mn.UR) - 0.05 - hw))
                    tg.add_background_rectangle(color=bg, opacity=0.8, buff=0.03)
                    words.add(tg)
                continue
            tag = make_text(", ".join(own), size=size, color=mn.ManimColor(colors[g[0]]) if len(g) == 1 else fg)
            reach = (2.6 * dot + dot if len(g) > 1 else dot) + 0.08
            lo, hi = box.get_corner(mn.DL) + 0.05, box.get_corner(mn.UR) - 0.05
            taken = ([mid, key.get_center()] + [np.asarray(e) for m, e in ends.items() if m not in g]
                     + [w.get_center() for w in words])

            def place(direction, tag=tag, anchor=anchor, reach=reach, lo=lo, hi=hi):
                at = anchor + direction * (reach + 0.5 * max(tag.width, tag.height))
                half_wh = np.array([tag.width / 2, tag.height / 2, 0])
                return np.clip(at, lo + half_wh, hi - half_wh)  # inside the box
            # the free side: the fan's own direction first, else the spot farthest from ★, the ends, the tags
            options = [out] + [np.array([math.cos(a), math.sin(a), 0]) for a in np.linspace(0, 2 * math.pi, 12,
                                                                                             endpoint=False)]
            def score(d):
                gap = min(np.linalg.norm(place(d) - t) for t in taken)
                ok = gap > 0.25 + 0.5 * tag.width
                return ok, ok and d is out, gap
            best = max(options, key=score)
            tag.move_to(place(best))
            tag.add_background_rectangle(color=bg, opacity=0.8, buff=0.03)  # readable over a trail
            words.add(tag)
        self.box, self.star, self.lines, self.dots, self.words = box, star, lines, dots, words
        self.add(box, key, lines, star, dots, words)
        if header:
            self.header = make_text(header, size=size, color=fg).next_to(box, mn.UP, buff=0.1)
            self.add(self.header)


class PlaneInset(mn.VGroup):
    """A flat, top-down close-up of the parameter plane: a square box showing the window `centre` ± `half`
    (both axes to one scale, so directions and distances read true). Callers add what they draw with the
    helpers, each in plane coordinates: `at(p)` maps a point, `path` a polyline (outlined, dots at its
    steps), `arrow` a vector from a point, `ruler` a measured distance between two points (solid, with end
    ticks, its length written beside it). `frame_on(screen_box)` adds the thin lines from a region of the
    3-D picture to the box (where the close-up comes from)."""

    def __init__(self, centre, half: float, side: float = 3.0, make_text=None, size: float = 24,
                 header: str | None = None, header_buff: float = 0.08):
        super().__init__()
        self.c, self.half, self.side = np.asarray(centre, float), float(half), float(side)
        self.make_text, self.size = make_text, size
        fg, bg, muted = (mn.ManimColor(theme.FOREGROUND), mn.ManimColor(theme.BACKGROUND),
                         mn.ManimColor(theme.MUTED))
        self.fg, self.bg, self.muted = fg, bg, muted
        self.box = mn.Square(side, stroke_color=muted, stroke_width=2.5, fill_color=bg, fill_opacity=1)
        self.add(self.box)
        self.header = None
        if header and make_text is not None:
            self.header = make_text(header, size=size, color=fg, line_spacing=0.8).next_to(self.box, mn.UP, buff=header_buff)
            self.header.align_to(self.box, mn.LEFT)
            self.add(self.header)

    def at(self, p) -> np.ndarray:
        q = (np.asarray(p, float)[:2] - self.c) / self.half * (self.side / 2)
        return self.box.get_center() + np.array([q[0], q[1], 0.0])

    def inside(self, p, margin: float = 0.0) -> bool:
        return bool(np.all(np.abs(np.asarray(p, float)[:2] - self.c) <= self.half * (1 - margin)))

    def curve(self, points, color=theme.MUTED, width: float = 2.5, opacity: float = 1.0,
              dashes: int = 0) -> mn.VMobject:
        """A plain line through plane points (a guide: the valley floor), clipped to the box; `dashes` > 0: cut
        into that many dashes."""
        pts = [p for p in np.asarray(points, float) if self.inside(p)]
        m = mn.VMobject(stroke_color=mn.ManimColor(color), stroke_width=width, stroke_opacity=opacity)
        if len(pts) >= 2:
            m.set_points_as_corners([self.at(p) for p in pts])
        if dashes:
            m = mn.DashedVMobject(m, num_dashes=dashes, dashed_ratio=0.5)
        self.add(m)
        return m

    def path(self, points, color, width: float = 4.0, dot: float = 0.05) -> mn.VGroup:
        """A run's steps: an outlined polyline with a small outlined dot at every step inside the box."""
        pts = [self.at(p) for p in np.asarray(points, float) if self.inside(p)]
        g = mn.VGroup()
        if len(pts) >= 2:
            ln = mn.VMobject(stroke_color=mn.ManimColor(color), stroke_width=width)
            ln.set_points_as_corners(pts)
            g.add(ln.copy().set_stroke(self.bg, width=width + 3), ln)  # a dark rim under it (a copy: the
            # rim fades with the line, which a background stroke would not)
        for q in pts:
            g.add(mn.Dot(q, radius=dot, color=mn.ManimColor(color), stroke_color=self.bg, stroke_width=1.5,
                         fill_opacity=1))
        self.add(g)
        return g

    def arrow(self, p, vec, color, width: float = 5.0, tip: float = 0.16, thin_short: bool = True,
              add: bool = True) -> mn.VGroup:
        """An arrow from plane point p along plane vector vec, dark-outlined (`thin_short` False: its width kept
        however short it is; manim otherwise thins a short arrow). `add` False: placed by the box but not added to
        it (the caller shows it when it wants)."""
        a, b = self.at(p), self.at(np.asarray(p, float)[:2] + np.asarray(vec, float)[:2])
        ratio = {} if thin_short else {"max_stroke_width_to_length_ratio": 1e3}
        g = mn.VGroup(*[mn.Arrow(a, b, buff=0, stroke_width=w, color=c, tip_length=tip + e,
                                 max_tip_length_to_length_ratio=0.45, **ratio)
                        for w, c, e in ((width + 4, self.bg, 0.04), (width, mn.ManimColor(color), 0.0))])
        if add:
            self.add(g)
        return g

    def ruler(self, p, q, words: str, color=theme.FOREGROUND, side=mn.RIGHT, offset: float = 0.0,
              middle: bool = False, clear: float = 0.0) -> mn.VGroup:
        """The distance from p to q to the box's scale: a solid line with a tick across each end and its
        length written beside it, on `side` (in the box's corner on that side; `middle`: beside the line's
        middle, on the far side from the points, kept inside the box); `offset` (scene units) sets it beside
        the two points, a dimension line with thin extension lines, off whatever runs between them; the
        extension lines stop `clear` short of each point (a marker there stays uncovered)."""
        a0, b0 = self.at(p), self.at(q)
        d = (b0 - a0) / max(np.linalg.norm(b0 - a0), 1e-9)
        n = np.array([-d[1], d[0], 0.0])
        a, b = a0 + offset * n, b0 + offset * n
        unit = n.copy()
        n = n * 0.1
        c = mn.ManimColor(color)
        parts = [mn.Line(a, b), mn.Line(a - n, a + n), mn.Line(b - n, b + n)]
        if offset:
            e = np.sign(offset) * unit * min(clear, 0.9 * abs(offset))
            parts += [mn.Line(a0 + e, a), mn.Line(b0 + e, b)]
        g = mn.VGroup(*[p_.copy().set_stroke(self.bg, width=7) for p_ in parts],
                      *[p_.set_stroke(c, width=3.5 if i < 3 else 1.5) for i, p_ in enumerate(parts)])
        if self.make_text is not None:
            w = self.make_text(words, size=self.size, color=c, line_spacing=0.8).next_to((a + b) / 2, side, buff=0.15)
            hw = np.array([w.width / 2 + 0.06, w.height / 2 + 0.06, 0])
            if middle:  # beside the line's middle, away from the points: its nearest corner 0.12 off the line
                out = np.sign(offset or 1.0) * unit
                reach = float(np.abs(out[0]) * w.width / 2 + np.abs(out[1]) * w.height / 2)
                spot = (a + b) / 2 + out * (reach + 0.15)
            else:  # inside the box, in its corner on `side`
                corner = self.box.get_corner(mn.UL if side[0] < 0 else mn.DR)
                spot = corner - np.sign(side[0] or 1) * hw * np.array([-1, 1, 0]) * -1
            w.move_to(np.clip(spot, self.box.get_corner(mn.DL) + hw, self.box.get_corner(mn.UR) - hw))
            w.add_background_rectangle(color=self.bg, opacity=0.8, buff=0.03)
            g.add(w)
        self.add(g)
        return g

    def frame_on(self, screen_box, lines: bool = True) -> mn.VGroup:
        """A thin rectangle round `screen_box` ((x0, y0), (x1, y1) on screen) and (`lines`) two lines from its
        corners to the facing corners of the box: where the close-up is taken."""
        (x0, y0), (x1, y1) = screen_box
        r = mn.Rectangle(width=x1 - x0, height=y1 - y0, stroke_color=self.muted, stroke_width=2)
        r.move_to([(x0 + x1) / 2, (y0 + y1) / 2, 0])
        b = self.box
        if b.get_center()[0] >= r.get_center()[0]:
            pairs = ((r.get_corner(mn.UR), b.get_corner(mn.UL)), (r.get_corner(mn.DR), b.get_corner(mn.DL)))
        else:
            pairs = ((r.get_corner(mn.UL), b.get_corner(mn.UR)), (r.get_corner(mn.DL), b.get_corner(mn.DR)))
        g = mn.VGroup(r, *[mn.Line(u, v, stroke_color=self.muted, stroke_width=1.5) for u, v in pairs if lines])
        self.add_to_back(g)
        return g
