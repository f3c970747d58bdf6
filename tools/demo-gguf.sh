#!/usr/bin/env bash
# GGUF exports of the demo models, F32 and Q8_0, written by Pagoda's own converter (HfToGguf,
# GgufWriter, Quantize): OUT_DIR/pagoda-demo-f32.gguf, -q8_0.gguf and the same for the draft.
# They are made on demand rather than committed (60 MB for the main model's F32 file alone).
#   tools/demo-gguf.sh [OUT_DIR]        (default target/demo-gguf)
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$root"
out=${1:-target/demo-gguf}
./pagoda --version >/dev/null   # builds on first use, and finds JDK 25
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
[ -x "$java" ] || java=$(ls -d /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/jdk-25* 2>/dev/null | head -1)/bin/java
mkdir -p "$out"
cp="app-gui/target/classes:$(cat app-gui/target/launcher.classpath)"
for model in pagoda-demo pagoda-demo-draft; do
  for type in F32 Q8_0; do
    "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.pagoda.catalog.gguf.HfToGguf "models/demo/$model" "$out/$model-${type,,}.gguf" "$type"
  done
done
