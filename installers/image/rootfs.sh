#!/usr/bin/env bash
# The OCI image's base, built on nothing (scratch): what the jlinked runtime and the natives of the
# server path need from a Linux system, taken from Debian packages, plus the user it runs as.
#   rootfs.sh OUT_DIR
# glibc (libc6: the launcher, the JVM), libstdc++6 and libgcc-s1 (DJL's tokenizers library, JavaCPP,
# CUDA). No shell, no package manager. apt-get download fetches the versions this machine's apt
# knows (Debian 12 here); their copyright files come along.
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
packages=(libc6 libstdc++6 libgcc-s1)
# gcc-N-base holds the copyright of libstdc++6 and libgcc-s1 (their doc folders link to it).
packages+=($(apt-cache depends libgcc-s1 2>/dev/null | sed -n "s/^ *Depends: \(gcc-[0-9]*-base\)$/\1/p" | head -1))
debs=$(mktemp -d)
trap 'rm -rf "$debs"' EXIT
download() { (cd "$debs" && apt-get download -q "${packages[@]}" >/dev/null 2>"$debs/apt.log"); }
# A fresh machine may have no package lists yet: as root, fetch them once and try again.
download || { [ "$(id -u)" = 0 ] && apt-get update -q >/dev/null 2>&1 && download; } || {
  echo "image/rootfs.sh: apt-get download ${packages[*]} failed (run apt-get update first?): $(tail -1 "$debs/apt.log")" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$out"; done
# Keep the shared libraries and the loader; drop iconv modules, locales' data, docs but the copyrights.
rm -rf "$out/usr/lib/x86_64-linux-gnu/gconv" "$out/usr/bin" "$out/usr/sbin" "$out/sbin" "$out/usr/libexec" "$out/etc/ld.so.conf.d"
find "$out/usr/share" -mindepth 1 -maxdepth 1 ! -name doc -exec rm -rf {} +
find "$out/usr/share/doc" -type f ! -name copyright -delete
find "$out" -depth -type d -empty -delete
cp -r "$here/etc" "$out/"
# Jib copies what a symbolic link points at; an absolute target (lib64/ld-linux-x86-64.so.2 ->
# /lib/x86_64-linux-gnu/...) would be read from this machine, so each is made relative to the base.
find "$out" -type l -lname '/*' | while read -r link; do ln -sfr "$out$(readlink "$link")" "$link"; done
install -d -m 1777 "$out/tmp" "$out/var/lib/pagoda" "$out/models"
echo "image base: $(cd "$out" && find . -name '*.so*' | wc -l) libraries from ${packages[*]} ($(du -sh "$out" | cut -f1))"
