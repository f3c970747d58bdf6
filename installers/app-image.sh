#!/usr/bin/env bash
# The jlinked runtime and the jpackage app image with both launchers, and the tarball of that image.
#   app-image.sh JARS_DIR OUT_DIR VERSION
# JARS_DIR holds app-gui's jar and every jar it needs at run time (the Maven build copies them);
# writes OUT_DIR/app-image/pagoda (bin/pagoda, bin/pagoda-panel, lib/runtime, lib/app) and
# OUT_DIR/pagoda-VERSION-linux-x86_64.tar.gz. The pom runs it in the package phase.
set -euo pipefail
jars=$1 out=$2 version=$3
here=$(cd "$(dirname "$0")" && pwd)
bin=${JAVA_HOME:?JAVA_HOME must point at a JDK 25 with jlink and jpackage}/bin

# What the jars use (jdeps over all of them): JavaFX needs java.desktop and java.xml, the panel's
# memory planner jdk.management, bench serve java.net.http, Jackson and Gson's optional types java.sql,
# JavaCPP jdk.unsupported, the CPU backend the Vector API.
modules=java.base,java.desktop,java.logging,java.management,java.net.http,java.sql,java.xml,jdk.jfr,jdk.management,jdk.unsupported,jdk.incubator.vector
# Natives nothing here loads: sound (javax.sound) and the AWT splash screen; dropping them also drops
# their libraries from the package's dependencies (libasound2).
unused='glob:**/libjsound.so,glob:**/libsplashscreen.so'

rm -rf "$out/runtime" "$out/app-image"
"$bin/jlink" --add-modules "$modules" --exclude-files="$unused" \
  --strip-debug --no-man-pages --no-header-files --compress=zip-6 --output "$out/runtime" 2> >(grep -v 'incubator modules' >&2)

# The same JVM flags as ./pagoda: the Vector API, FFM native access, ZGC, room for deep Jinja
# recursion on the stack; DJL never reaches for the network; bounded heap and direct memory (a fixed
# 2 GiB here: ./pagoda plans serve's limits per model with `pagoda jvm-options`, a jpackage launcher
# cannot; JAVA_TOOL_OPTIONS overrides, see docs/security.md) with JavaCPP's own limits off, so CUDA
# allocations are bounded by the card, not by a multiple of the heap.
java_options=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseZGC -Xss4m
  -Dai.djl.offline=true -Xmx2g -XX:MaxDirectMemorySize=256m -Dorg.bytedeco.javacpp.maxBytes=0
  -Dorg.bytedeco.javacpp.maxPhysicalBytes=0)
java_args=()
for o in "${java_options[@]}"; do java_args+=(--java-options "$o"); done

panel=$(mktemp -d)
trap 'rm -rf "$panel"' EXIT
cat > "$panel/pagoda-panel.properties" <<PROPS
main-class=dev.pagoda.gui.PagodaLauncher
arguments=gui
description=Pagoda control panel
PROPS

"$bin/jpackage" --type app-image --name pagoda --app-version "${version%%-*}" \
  --description "Workstation LLM server: PagedAttention engine, OpenAI-compatible API, JavaFX control panel" \
  --vendor Pagoda --icon "$here/linux/pagoda.png" \
  --input "$jars" --main-jar "app-gui-$version.jar" --main-class dev.pagoda.gui.PagodaLauncher \
  "${java_args[@]}" --runtime-image "$out/runtime" \
  --add-launcher "pagoda-panel=$panel/pagoda-panel.properties" --dest "$out/app-image"

# The optional pagoda-cuda part adds this jar (cuda/libs.sh); while it is absent the JVM skips the entry.
for cfg in "$out"/app-image/pagoda/lib/app/*.cfg; do
  sed -i "/^app.mainclass=/a app.classpath=\$APPDIR/pagoda-cuda-runtime.jar" "$cfg"
done

tar -C "$out/app-image" --owner=0 --group=0 --numeric-owner --sort=name -czf "$out/pagoda-$version-linux-x86_64.tar.gz" pagoda
echo "app image: $out/app-image/pagoda ($(du -sh "$out/app-image/pagoda" | cut -f1)), tarball: $out/pagoda-$version-linux-x86_64.tar.gz"
