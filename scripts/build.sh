#!/bin/sh
# Configure and build in BUILDDIR (default _build). Extra arguments go to
# configure. With CI=true warnings are errors.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-"$top/_build"}

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] || \
   [ -n "$(find . -name '*.am' -newer configure -print -quit)" ]; then
    autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
mkdir -p "$builddir"
cd "$builddir"
werror=
[ "${CI:-}" = true ] && werror=--enable-werror
if [ ! -f Makefile ] || [ "$top/configure" -nt config.status ] || [ -n "$werror$*" ]; then
    "$top/configure" --quiet $werror "$@"
fi
make -j"$(nproc)" >/dev/null
