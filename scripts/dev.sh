#!/usr/bin/env bash
# One entry point that sets up everything on a fresh Debian machine, then runs a task.
#   bash scripts/dev.sh showcase   # render the showcase into renders/
#   bash scripts/dev.sh test       # run the test suite
#   bash scripts/dev.sh setup      # only set up
# Idempotent: a second run skips everything already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${NNVIZ_VENV:-$ROOT/.venv}
APT_PKGS="libcairo2-dev libpango1.0-dev pkg-config gcc libc6-dev python3-dev python3-venv fonts-dejavu-core"

say() { printf '\033[1m[nnviz]\033[0m %s\n' "$*" >&2; }

have_system() {
    # pycairo builds against cairo (pkg-config finds it), manimpango against pango;
    # the chosen Python must be able to make a venv (Debian splits that into python3-venv).
    # Text is set with the theme font (DejaVu Sans) through pango/fontconfig.
    pkg-config --exists cairo pangocairo 2>/dev/null && command -v gcc >/dev/null \
        && [ -f /usr/include/stdio.h ] \
        && { fc-list 2>/dev/null | grep -qi "dejavu sans"; } \
        && "$(pick_python)" -c 'import ensurepip, venv, sysconfig, os; \
            assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))' 2>/dev/null
}

need_system() {
    if have_system; then
        return 0
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing system libraries: $APT_PKGS"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # python3-dev/python3-venv are only needed for Debian's own python3; skip quietly if absent
        apt-get install -y -qq --no-install-recommends $APT_PKGS >/dev/null \
          || apt-get install -y -qq --no-install-recommends libcairo2-dev libpango1.0-dev pkg-config gcc libc6-dev fonts-dejavu-core >/dev/null
    else
        say "missing cairo/pango development libraries. Run, as root:"
        say "    apt-get update && apt-get install -y $APT_PKGS"
        say "then run this command again."
        exit 1
    fi
}

pick_python() {
    for py in ${PYTHON:-} python3.13 python3.12 python3.11 python3.10 python3; do
        [ -n "$py" ] || continue
        if command -v "$py" >/dev/null && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
            echo "$py"; return 0
        fi
    done
    say "Python >= 3.10 not found. Run, as root: apt-get install -y python3 python3-venv"
    exit 1
}

need_venv() {
    local stamp="$VENV/.nnviz-installed"
    local want
    want=$(cat pyproject.toml | sha256sum | cut -c1-16)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    need_system
    if [ ! -x "$VENV/bin/python" ]; then
        local py; py=$(pick_python)
        say "creating $VENV with $py"
        "$py" -m venv "$VENV"
    fi
    say "installing nnviz and its dependencies into $VENV (first run takes a few minutes)"
    local log="$VENV/pip-install.log"
    if ! { "$VENV/bin/python" -m pip install --upgrade pip \
           && "$VENV/bin/python" -m pip install -e ".[dev]"; } >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        say "pip install failed; full log: $log"
        exit 1
    fi
    echo "$want" > "$stamp"
}

need_browser() {
    # only the test command needs it: tests/test_deck.py steps through a slide deck in headless
    # Chromium. Without root/apt the test is skipped with that reason; nothing else depends on it.
    for b in chromium chromium-browser chromium-headless-shell; do
        command -v "$b" >/dev/null && return 0
    done
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing Debian's chromium (for the slide-deck browser test)"
        export DEBIAN_FRONTEND=noninteractive
        { apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
          || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; }; } \
          || say "could not install chromium: the slide-deck browser test will be skipped"
    else
        say "chromium not found and not root: the slide-deck browser test will be skipped"
    fi
}

cmd=${1:-help}
shift || true
case "$cmd" in
    setup)    need_venv ;;
    showcase)
        need_venv
        # one render per core; a -j given on the command line comes later and wins
        jobs=$(nproc 2>/dev/null || echo 1)
        export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
        exec "$VENV/bin/nnviz" build showcase -j "$jobs" "$@" ;;
    test)
        need_venv
        need_browser
        # two workers on a 2-core machine: render tests dominate and parallelise well
        jobs=$(nproc 2>/dev/null || echo 1)
        [ "$jobs" -gt 2 ] && jobs=2
        export MPLBACKEND=Agg
        # one BLAS thread per worker: oversubscribed OpenBLAS threads were 10x slower here
        export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
        if [ "$jobs" -gt 1 ]; then
            # worksteal: an idle worker takes queued tests from the busy one. With the default
            # scheduling the few long record-computing tests left one worker idle at the end
            # (clean-clone CI: 320 s with the default scheduling, 251 s with worksteal, same code)
            exec "$VENV/bin/python" -m pytest -n "$jobs" --dist worksteal "$@"
        fi
        exec "$VENV/bin/python" -m pytest "$@" ;;
    bench)    need_venv; for b in bench/bench_*.py; do "$VENV/bin/python" "$b" "$@"; done ;;
    *) echo "usage: bash scripts/dev.sh {showcase|test|setup|bench} [args...]"; exit 2 ;;
esac
