# shellcheck shell=bash
# Sourced by packaging/build-windows.sh and packaging/smoke-windows.sh: Wine 8.0 set up to
# run the Windows CPython and the built executables with no display. None of it changes
# what is built.
export WINEPREFIX="$PWD/build/windows/wineprefix"  # Wine's C: drive, inside build/
export WINEARCH=win64
export WINEDEBUG=-all
# mscoree,mshtml: do not offer to download Mono and Gecko. wbemprox: Python 3.13's platform
# module asks WMI, and Wine's WMI provider aborts the process.
export WINEDLLOVERRIDES="mscoree,mshtml=;wbemprox=d"
# Wine hides Unix QT_* variables from Windows programs; WINEQT_* arrive as QT_*.
export WINEQT_QPA_PLATFORM=offscreen
# Qt's offscreen platform on Windows finds no fonts of its own.
export WINEQT_QPA_FONTDIR='Z:\usr\share\fonts\truetype\dejavu'
unset DISPLAY WAYLAND_DISPLAY
if [[ ! -f $WINEPREFIX/system.reg ]]; then
    echo "== wineboot: a new Wine prefix in build/windows/wineprefix"
    mkdir -p "$WINEPREFIX"
    wineboot --init 2>&1 | grep -v -e 'wine32 is missing' -e 'multiarch' -e 'rundll32.exe.*c0000135' | cat || true
fi
