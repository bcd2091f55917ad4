#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Downloads Debian's generic amd64 kernel (the -cloud- flavour has no media modules) and
# extracts vmlinuz plus the vivid module closure into a cache outside git, reused between runs.
# Prints the cache directory of the kernel on stdout: it holds vmlinuz, VERSION and modules/.
set -eu
CACHE="${CHALKLINE_VM_CACHE:-/var/cache/chalkline-vm}"
mkdir -p "$CACHE"
if [ -n "${CHALKLINE_VM_KERNEL:-}" ]; then
  PKG="$CHALKLINE_VM_KERNEL"
elif [ -f "$CACHE/current" ] && [ -f "$CACHE/$(cat "$CACHE/current")/vmlinuz" ]; then
  PKG="$(cat "$CACHE/current")"
else
  # linux-image-amd64 depends on the current linux-image-6.1.0-N-amd64
  PKG="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9].*-amd64$/ {print $2; exit}')"
  if [ -z "$PKG" ]; then
    apt-get update -qq >&2
    PKG="$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9].*-amd64$/ {print $2; exit}')"
  fi
fi
[ -n "$PKG" ] || { echo "fetch-kernel: cannot find Debian's linux-image-6.1.*-amd64 package" >&2; exit 1; }
VERSION="${PKG#linux-image-}"
DIR="$CACHE/$PKG"
if [ -f "$DIR/vmlinuz" ] && [ -f "$DIR/modules/modules.dep" ]; then
  echo "$DIR"; exit 0
fi
rm -rf "$DIR.tmp"; mkdir -p "$DIR.tmp/deb"
# _apt cannot write into root-owned cache folders; download as root without the sandbox warning.
(cd "$DIR.tmp/deb" && apt-get -o APT::Sandbox::User=root download "$PKG" >&2)
dpkg-deb -x "$DIR.tmp"/deb/*.deb "$DIR.tmp/root"
KMOD="$DIR.tmp/root/lib/modules/$VERSION"
# vivid and what it needs, resolved recursively from each module's `depends`
need="vivid"; done_list=""
mkdir -p "$DIR.tmp/modules/lib/modules/$VERSION/kernel"
while [ -n "$need" ]; do
  set -- $need; m="$1"; shift; need="$*"
  case " $done_list " in *" $m "*) continue ;; esac
  done_list="$done_list $m"
  f="$(find "$KMOD/kernel" -name "$m.ko*" -o -name "$(echo "$m" | tr _ -).ko*" | head -n 1)"
  [ -n "$f" ] || { echo "fetch-kernel: module $m not in $PKG" >&2; exit 1; }
  rel="${f#"$KMOD"/}"; mkdir -p "$DIR.tmp/modules/lib/modules/$VERSION/$(dirname "$rel")"
  case "$f" in
    *.xz) xz -dc "$f" > "$DIR.tmp/modules/lib/modules/$VERSION/${rel%.xz}" ;;
    *) cp "$f" "$DIR.tmp/modules/lib/modules/$VERSION/$rel" ;;
  esac
  deps="$(modinfo -F depends "$f" | tr , ' ')"
  need="$need $deps"
done
touch "$DIR.tmp/modules/lib/modules/$VERSION/modules.order" "$DIR.tmp/modules/lib/modules/$VERSION/modules.builtin" \
  "$DIR.tmp/modules/lib/modules/$VERSION/modules.builtin.modinfo"
depmod -b "$DIR.tmp/modules" "$VERSION"
cp "$DIR.tmp/root/boot/vmlinuz-$VERSION" "$DIR.tmp/vmlinuz"
echo "$VERSION" > "$DIR.tmp/VERSION"
mv "$DIR.tmp/modules/lib/modules/$VERSION" "$DIR.tmp/modules.d"
rm -rf "$DIR.tmp/root" "$DIR.tmp/deb" "$DIR.tmp/modules"
mv "$DIR.tmp/modules.d" "$DIR.tmp/modules"
rm -rf "$DIR"; mv "$DIR.tmp" "$DIR"
echo "$PKG" > "$CACHE/current"
echo "$DIR"
