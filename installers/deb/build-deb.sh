#!/usr/bin/env bash
# The pagoda .deb from the jpackage app image, and the optional pagoda-cuda .deb.
#   build-deb.sh APP_IMAGE OUT_DIR VERSION [CUDA_LIBS]
# pagoda: /opt/pagoda (the app image), /usr/bin/pagoda and pagoda-panel, the systemd unit, its
# settings in /etc/default/pagoda (a conffile), the desktop entry and icons, the docs. Its Depends
# are computed from the ELF files it ships (see natives.sh and shlibs.tsv): GTK 3 and X11 for the
# panel's JavaFX, glibc and libstdc++ for the rest, nothing GPU-specific.
# pagoda-cuda (when CUDA_LIBS, the folder cuda/libs.sh wrote, is given): pagoda-cuda-runtime.jar on the
# launchers' class path, where JavaCPP looks before any system CUDA (for cudart and NVRTC; see cuda/libs.sh for cuBLAS).
set -euo pipefail
app=$1 out=$2 version=$3 cuda=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
linux=$here/../linux repo=$here/../..
. "$here/natives.sh"
debversion=${version/-/\~}   # 0.1.0-SNAPSHOT sorts before 0.1.0
maintainer=${PAGODA_DEB_MAINTAINER:-"Pagoda developers <pagoda@example.org>"}

rm -rf "$out/deb"
mkdir -p "$out/deb"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# "dep1, dep2" for the ELF files a staged package holds (jar natives included), through shlibs.tsv;
# fails, naming the library and who needs it, on one the table does not map.
depends_of() {
  local stage=$1 natives=$scratch/natives-${1##*/} elfs needs unknown
  mkdir -p "$natives"
  if [ -d "$stage/opt/pagoda/lib/app" ]; then unpack_jar_natives "$stage/opt/pagoda/lib/app" "$natives"; fi
  elfs=$(elf_files "$stage" "$natives")
  needs=$(needed_sonames <<<"$elfs")
  unknown=$(cut -f1 <<<"$needs" | sort -u | comm -23 - <(grep -v '^#' "$here/shlibs.tsv" | cut -f1 | sort -u))
  if [ -n "$unknown" ]; then
    echo "build-deb: no Debian package known for $(echo $unknown), needed by" \
      "$(grep -F "$unknown" <<<"$needs" | cut -f2 | xargs -n1 basename | sort -u | xargs); add it to $here/shlibs.tsv" >&2
    return 1
  fi
  {
    echo "libc6 (>= $(newest_glibc <<<"$elfs"))"
    awk -F'\t' 'NR == FNR { need[$1]; next } !/^#/ && ($1 in need) && $2 != "libc6" { print $2 }' <(cut -f1 <<<"$needs") "$here/shlibs.tsv"
  } | awk '!seen[$0]++' | paste -sd, | sed 's/,/, /g'
}

# control file fields shared by both packages, then the package's own lines
write_control() {
  local stage=$1; shift
  mkdir -p "$stage/DEBIAN"
  {
    printf '%s\n' "$@"
    echo "Version: $debversion"
    echo "Architecture: amd64"
    echo "Maintainer: $maintainer"
    echo "Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
    echo "Priority: optional"
  } > "$stage/DEBIAN/control"
}

stage=$out/deb/pagoda
mkdir -p "$stage/opt" "$stage/usr/bin" "$stage/usr/share/doc/pagoda"
cp -a "$app" "$stage/opt/pagoda"
ln -s /opt/pagoda/bin/pagoda "$stage/usr/bin/pagoda"
ln -s /opt/pagoda/bin/pagoda-panel "$stage/usr/bin/pagoda-panel"
install -D -m644 "$linux/pagoda.service" "$stage/usr/lib/systemd/system/pagoda.service"
install -D -m644 "$linux/pagoda.default" "$stage/etc/default/pagoda"
install -D -m644 "$linux/pagoda.desktop" "$stage/usr/share/applications/pagoda.desktop"
install -D -m644 "$linux/pagoda.svg" "$stage/usr/share/icons/hicolor/scalable/apps/pagoda.svg"
install -D -m644 "$linux/pagoda.png" "$stage/usr/share/icons/hicolor/256x256/apps/pagoda.png"
install -m644 "$repo/LICENSE" "$stage/usr/share/doc/pagoda/copyright"
install -m644 "$repo/README.md" "$repo/docs/operations.md" "$stage/usr/share/doc/pagoda/"
depends=$(depends_of "$stage")
write_control "$stage" "Package: pagoda" "Section: science" "Depends: $depends, adduser" "Suggests: pagoda-cuda" \
  "Description: workstation LLM server with an OpenAI-compatible API" \
  " Pagoda serves large language models from one machine: a paged KV-cache engine" \
  " (PagedAttention, continuous batching, prefix caching) on the CPU or an NVIDIA GPU," \
  " an OpenAI-compatible HTTP server with vLLM's flags and metrics, and a JavaFX" \
  " control panel that shows the cache at work. Includes a systemd unit for headless" \
  " serving (pagoda.service, settings in /etc/default/pagoda)."
echo /etc/default/pagoda > "$stage/DEBIAN/conffiles"
install -m755 "$here/postinst" "$here/prerm" "$here/postrm" "$stage/DEBIAN/"
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$out/pagoda_${debversion}_amd64.deb" >/dev/null
echo "deb: $out/pagoda_${debversion}_amd64.deb ($(du -h "$out/pagoda_${debversion}_amd64.deb" | cut -f1)), Depends: $depends, adduser"

if [ -n "$cuda" ]; then
  stage=$out/deb/pagoda-cuda
  mkdir -p "$stage/opt/pagoda/lib/app" "$stage/usr/share/doc/pagoda-cuda"
  install -m644 "$cuda/pagoda-cuda-runtime.jar" "$stage/opt/pagoda/lib/app/"
  libs=$(unzip -Z1 "$cuda/pagoda-cuda-runtime.jar" | sed -n "s|.*/\(lib[^/]*\.so[^/]*\)$|\1|p" | xargs)
  cat > "$stage/usr/share/doc/pagoda-cuda/copyright" <<COPYRIGHT
The libraries in /opt/pagoda/lib/app/pagoda-cuda-runtime.jar are NVIDIA CUDA runtime components ($libs),
redistributed from the org.bytedeco:cuda-redist Maven artifact under the NVIDIA CUDA Toolkit End User
License Agreement (https://docs.nvidia.com/cuda/eula/), which lists them as distributable.
COPYRIGHT
  size=$(du -sh "$cuda/pagoda-cuda-runtime.jar" | cut -f1)
  write_control "$stage" "Package: pagoda-cuda" "Section: science" \
    "Depends: pagoda (= $debversion), $(depends_of "$stage")" \
    "Description: CUDA runtime libraries for Pagoda ($size)" \
    " The CUDA runtime and NVRTC that Pagoda's GPU backend loads, so that a machine with" \
    " only the NVIDIA driver needs no CUDA Toolkit install for them. cuBLAS is not on" \
    " Maven Central for CUDA 13: install it from NVIDIA, or build this package with" \
    " cuBLAS added (see Pagoda's README, Install)."
  dpkg-deb --root-owner-group -Zgzip --build "$stage" "$out/pagoda-cuda_${debversion}_amd64.deb" >/dev/null
  echo "deb: $out/pagoda-cuda_${debversion}_amd64.deb ($(du -h "$out/pagoda-cuda_${debversion}_amd64.deb" | cut -f1)), $size installed"
fi
