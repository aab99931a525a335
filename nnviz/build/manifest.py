"""The manifest (renders.toml): finding it, parsing and validating it into targets and
groups — every problem collected into one ManifestError — and importing the project
modules it names."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import NNVizError, did_you_mean
from .scan import _PKG, ScanCache, figure_index

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, published as tomli
    import tomli as tomllib

MANIFEST_NAME = "renders.toml"
SCENE_KEYS = {"scene", "class", "quality", "formats", "output", "set", "experiments", "groups", "fps", "poster", "theme",
              "resolution", "transparent", "gif", "description"}
FIGURE_KEYS = {"figure", "formats", "output", "dpi", "experiments", "groups", "description", "theme"}
SETTINGS_KEYS = {"quality", "formats", "fps", "resolution", "gif", "modules", "figure_formats", "dpi", "poster", "theme"}
FIGURE_FORMATS = ("png", "svg", "pdf")


class ManifestError(NNVizError):
    """renders.toml is invalid; the message lists every problem found."""


# --- value types: checked before anything is built, so a wrong type is a line, not a traceback

def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _strs(v) -> bool:
    return isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))


def _resolution(v) -> bool:
    return isinstance(v, str) or (isinstance(v, list) and len(v) == 2 and all(_int(x) for x in v))


_GIF_TYPES = {"fps": (_number, "a number"), "width": (_int, "an integer"), "colors": (_int, "an integer"),
              "dither": (lambda v: isinstance(v, str), "a string"), "loop": (_int, "an integer")}
_TYPES = {
    "scene": (lambda v: isinstance(v, str), "a string (a .py file)"),
    "class": (lambda v: isinstance(v, str), "a string (a class name)"),
    "figure": (lambda v: isinstance(v, str), "a string (a figure name)"),
    "quality": (lambda v: isinstance(v, str), 'a string such as "low" or "medium"'),
    "formats": (_strs, 'a format or a list of formats, e.g. ["mp4", "gif"]'),
    "figure_formats": (_strs, 'a format or a list of formats, e.g. ["png", "svg"]'),
    "fps": (lambda v: _number(v) and v > 0, "a positive number of frames per second"),
    "resolution": (_resolution, 'a size such as "1280x720" or [1280, 720]'),
    "transparent": (lambda v: isinstance(v, bool), "true or false"),
    "gif": (lambda v: isinstance(v, dict), "a table such as { fps = 12, width = 480 }"),
    "set": (lambda v: isinstance(v, dict), "a table of class attributes"),
    "output": (lambda v: isinstance(v, str) and v.strip() != "", "a path inside renders/ without extension"),
    "experiments": (_strs, "an experiment name or a list of them"),
    "groups": (_strs, "a group name or a list of them"),
    "description": (lambda v: isinstance(v, str), "a string"),
    "poster": (lambda v: isinstance(v, str), 'a string: "auto", "last", a time ("2.5s") or a share ("40%")'),
    "dpi": (lambda v: _int(v) and v > 0, "a positive integer"),
    "modules": (_strs, "a path or a list of paths"),
}


def _table_problems(where: str, t, keys) -> tuple[list[str], bool]:
    """What is wrong with one [targets.X] / [figures.X] table before its values are used (not a
    table, unknown keys named with the valid ones, values of the wrong type), and whether the
    table is unusable (the first or the last), so that its other checks are skipped."""
    if not isinstance(t, dict):
        return [f"{where} must be a table"], True
    unknown = [f"{where}: unknown key {k!r}; valid: {', '.join(sorted(keys))}" for k in sorted(set(t) - keys)]
    typed = _type_problems(where, t)
    return unknown + typed, bool(typed)


def _type_problems(where: str, table: dict) -> list[str]:
    out = []
    for k, v in table.items():
        check = _TYPES.get(k)
        if check is not None and not check[0](v):
            out.append(f"{where}: {k} = {v!r} must be {check[1]}")
        elif k == "gif" and isinstance(v, dict):
            for gk, gv in v.items():
                if gk not in _GIF_TYPES:
                    out.append(f"{where}: unknown gif option {gk!r}; valid: {', '.join(_GIF_TYPES)}")
                elif not _GIF_TYPES[gk][0](gv):
                    out.append(f"{where}: gif {gk} = {gv!r} must be {_GIF_TYPES[gk][1]}")
        elif k == "output" and (Path(v).is_absolute() or ".." in Path(v).parts):
            out.append(f"{where}: output = {v!r} must stay inside the project's renders/ folder "
                       "(a relative path without '..')")
    return out


# --- manifest -----------------------------------------------------------------------

@dataclass(frozen=True)
class SceneTarget:
    name: str
    scene: Path            # absolute
    cls: str
    options: "object"      # nnviz.render.runner.RenderOptions
    output: str
    overrides: dict
    experiments: tuple
    groups: tuple
    description: str = ""
    kind: str = "scene"

    def outputs(self, root: Path) -> dict[str, Path]:
        return {f: root / "renders" / f"{self.output}.{f}" for f in self.options.formats}


@dataclass(frozen=True)
class FigureTarget:
    name: str
    figure: str
    formats: tuple
    output: str
    dpi: int | None
    experiments: tuple
    groups: tuple
    module: Path           # the figure's source file
    description: str = ""
    kind: str = "figure"
    theme: str | None = None   # None: stills on white paper; "dark" | "light"

    def outputs(self, root: Path) -> dict[str, Path]:
        return {f: root / "renders" / "figures" / f"{self.output}.{f}" for f in self.formats}


@dataclass
class Manifest:
    path: Path
    root: Path
    targets: dict
    groups: dict
    modules: tuple = ()
    scan: "ScanCache | None" = None
    problems: tuple = ()   # (target name or None, message) of a manifest loaded with strict=False

    def broken(self, names=()) -> list[str]:
        """Problems that stop building `names` (targets or groups; all when none): every problem
        not tied to one target, and those of the named targets."""
        want = set()
        for n in names:
            want |= set(self.groups.get(n, [n]))
        return [msg for who, msg in self.problems if who is None or not names or who in want]

    def select(self, names=()) -> list:
        """Targets named directly or through a group (all targets when none named), in manifest order."""
        if not names:
            return list(self.targets.values())
        chosen: list[str] = []
        for n in names:
            if n in self.targets:
                chosen.append(n)
            elif n in self.groups:
                chosen.extend(self.groups[n])
            else:
                valid = sorted(self.targets) + [f"{g} (group)" for g in sorted(self.groups)]
                hint = did_you_mean(n, [*self.targets, *self.groups])
                raise ManifestError(f"unknown target or group {n!r}; valid: {', '.join(valid)}{hint}")
        keep = set(chosen)
        return [t for n, t in self.targets.items() if n in keep]


def find_manifest(start=None) -> Path:
    """renders.toml in `start` (default cwd) or its parents, else the repository's own."""
    here = Path(start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / MANIFEST_NAME).is_file():
            return d / MANIFEST_NAME
    repo = _PKG.parent / MANIFEST_NAME
    if repo.is_file():
        return repo
    raise ManifestError(f"no {MANIFEST_NAME} found in {here} or its parents")


def load_manifest(path=None, strict: bool = True) -> Manifest:
    """Parse and validate a manifest. Paths in it are relative to its own folder. Every problem is
    collected into one ManifestError, raised before anything renders; with strict=False the broken
    targets are left out instead and the problems kept in `Manifest.problems` (list, train)."""
    from ..render.runner import GifOptions, RenderOptions

    path = Path(path) if path else find_manifest()
    try:
        doc = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ManifestError(f"manifest not found: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise ManifestError(f"{path} is not valid TOML: {e}") from None
    root = path.parent.resolve()
    scan = ScanCache(root)
    problems: list[str] = []
    unknown_top = set(doc) - {"settings", "targets", "figures", "groups"}
    if unknown_top:
        problems.append(f"unknown section(s) {', '.join(sorted(unknown_top))}; valid: settings, targets, figures, groups")
    settings = doc.get("settings", {})
    if not isinstance(settings, dict):
        raise ManifestError(f"{path} is invalid: [settings] must be a table")
    for k in set(settings) - SETTINGS_KEYS:
        problems.append(f"[settings]: unknown key {k!r}; valid: {', '.join(sorted(SETTINGS_KEYS))}")
    bad_settings = _type_problems("[settings]", settings)
    if bad_settings:    # every target inherits them: report these alone
        raise ManifestError(f"{path} is invalid:\n  - " + "\n  - ".join(problems + bad_settings))
    for section in ("targets", "figures", "groups"):
        if not isinstance(doc.get(section, {}), dict):
            raise ManifestError(f"{path} is invalid: [{section}] must be a table of tables")
    mods = []
    for m in _as_list(settings.get("modules", [])):
        mp = (root / m).resolve()
        if not mp.is_file():
            problems.append(f"[settings]: module not found: {m}")
        mods.append(mp)
    targets: dict = {}
    groups: dict[str, list[str]] = {g: list(v) for g, v in doc.get("groups", {}).items()}
    classes_cache: dict[Path, list[str]] = {}
    fig_index = None

    for name, t in doc.get("targets", {}).items():
        where = f"[targets.{name}]"
        bad, unusable = _table_problems(where, t, SCENE_KEYS)
        problems += bad
        if unusable:
            continue
        scene = t.get("scene")
        cls = t.get("class")
        if not scene or not cls:
            problems.append(f"{where}: needs both 'scene' (a .py file) and 'class'")
            continue
        spath = (root / scene).resolve()
        if not spath.is_file():
            problems.append(f"{where}: scene file not found: {scene}")
            continue
        if spath not in classes_cache:
            info = scan.info(spath)
            if info["error"]:
                problems.append(f"{where}: scene file {scene} does not parse: {info['error']}")
                continue
            classes_cache[spath] = info["classes"]
        if cls not in classes_cache[spath]:
            problems.append(f"{where}: no class {cls!r} in {scene}; valid: {', '.join(classes_cache[spath]) or '(none)'}")
            continue
        try:
            gif = GifOptions(**{**settings.get("gif", {}), **t.get("gif", {})})
            opts = RenderOptions(quality=t.get("quality", settings.get("quality", "low")),
                                 formats=tuple(_as_list(t.get("formats", settings.get("formats", ["mp4"])))),
                                 fps=t.get("fps", settings.get("fps")),
                                 resolution=t.get("resolution", settings.get("resolution")),
                                 transparent=t.get("transparent", False), gif=gif,
                                 poster=t.get("poster", settings.get("poster", "auto")),
                                 theme=t.get("theme", settings.get("theme")))
        except (NNVizError, TypeError, ValueError) as e:
            problems.append(f"{where}: {e}")
            continue
        overrides = t.get("set", {})
        if not isinstance(overrides, dict):
            problems.append(f"{where}: 'set' must be a table of class attributes")
            continue
        targets[name] = SceneTarget(name, spath, cls, opts, str(t.get("output", name)), dict(overrides),
                                    tuple(_as_list(t.get("experiments", []))), tuple(_as_list(t.get("groups", []))),
                                    str(t.get("description", "")))

    for name, t in doc.get("figures", {}).items():
        where = f"[figures.{name}]"
        bad, unusable = _table_problems(where, t, FIGURE_KEYS)
        problems += bad
        if unusable:
            continue
        if name in targets:
            problems.append(f"{where}: name already used by [targets.{name}]")
            continue
        fig_index = fig_index if fig_index is not None else figure_index(scan, [p for p in mods if p.is_file()])
        fname = t.get("figure", name)
        if fname not in fig_index:
            problems.append(f"{where}: unknown figure {fname!r}; valid: {', '.join(sorted(fig_index)) or '(none)'}")
            continue
        fmts = tuple(dict.fromkeys(_as_list(t.get("formats", settings.get("figure_formats", ["png"])))))
        bad = [f for f in fmts if f not in FIGURE_FORMATS]
        if bad or not fmts:
            problems.append(f"{where}: bad format {', '.join(bad) or '(none)'}; valid: {', '.join(FIGURE_FORMATS)}")
            continue
        module, exps = fig_index[fname]
        fig_theme = t.get("theme", settings.get("theme"))
        if fig_theme not in (None, "dark", "light"):
            problems.append(f"{where}: unknown theme {fig_theme!r}; valid: dark, light")
            continue
        targets[name] = FigureTarget(name, fname, fmts, str(t.get("output", name)), t.get("dpi", settings.get("dpi")),
                                     tuple(dict.fromkeys(exps + tuple(_as_list(t.get("experiments", []))))),
                                     tuple(_as_list(t.get("groups", []))), module, str(t.get("description", "")), theme=fig_theme)

    for t in targets.values():
        for g in t.groups:
            groups.setdefault(g, [])
            if t.name not in groups[g]:
                groups[g].append(t.name)
    for g, members in groups.items():
        if g in targets:
            problems.append(f"[groups]: group {g!r} has the same name as a target")
        for m in members:
            if m not in targets and m not in doc.get("targets", {}) and m not in doc.get("figures", {}):
                problems.append(f"[groups]: group {g!r} lists unknown target {m!r}")

    seen: dict[Path, str] = {}
    for t in targets.values():
        for p in t.outputs(root).values():
            if p in seen:
                problems.append(f"duplicate output {p.relative_to(root)}: targets {seen[p]!r} and {t.name!r}")
            seen[p] = t.name

    if problems and strict:
        raise ManifestError(f"{path} is invalid:\n  - " + "\n  - ".join(problems))
    import re

    tied = [(m.group(2) if (m := re.match(r"^\[(targets|figures)\.([^\]]+)\]", p)) else None, p) for p in problems]
    for who, _ in tied:
        targets.pop(who, None)
    return Manifest(path, root, targets, groups, tuple(m for m in mods if m.is_file()), scan, tuple(tied))


def _as_list(v) -> list:
    return [v] if isinstance(v, str) else list(v)


def import_project_modules(paths) -> None:
    """Import the project's own modules ([settings] modules: files registering @experiment
    and/or @figure functions) under their plain module name, so a scene importing the
    same file shares it."""
    import importlib.util

    for p in paths:
        p = Path(p).resolve()
        if str(p.parent) not in sys.path:
            sys.path.insert(0, str(p.parent))
        have = sys.modules.get(p.stem)
        if have is not None and Path(getattr(have, "__file__", "") or "").resolve() == p:
            continue
        spec = importlib.util.spec_from_file_location(p.stem, p)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[p.stem] = mod
        spec.loader.exec_module(mod)


