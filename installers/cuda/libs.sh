#!/usr/bin/env bash
# The optional CUDA part: a jar of the CUDA runtime libraries the engine loads, taken from bytedeco's
# redistributable jar, laid out as that jar lays them out (org/bytedeco/cuda/linux-x86_64/), so
# JavaCPP finds them on the class path before any system copy, exactly as with the redist jar itself.
#   libs.sh CUDA_REDIST_JAR OUT_DIR [CUBLAS_DIR]
# Writes OUT_DIR/pagoda-cuda-runtime.jar, which the launchers' class path names (absent, it is ignored).
# It holds the CUDA runtime (libcudart, which JavaCPP's cudart binding links) and NVRTC with its
# builtins (the engine compiles its kernels at run time). The redist jar
# (org.bytedeco:cuda-redist:13.1-9.19-1.5.13:linux-x86_64, 380 MB) also carries cuFFT, cuRAND,
# nvJPEG, CUPTI, cuFile and nvJitLink, which nothing here uses, and no cuBLAS: bytedeco's
# cuda-redist-cublas is not on Maven Central for CUDA 13. CUBLAS_DIR, a folder with libcublas.so.13
# and libcublasLt.so.13 (a CUDA Toolkit's lib64, or NVIDIA's libcublas-13-x package), adds them;
# only then does a machine with just the NVIDIA driver run on the GPU.
set -euo pipefail
jar=$1 out=$2 cublas=${3:-}
platform=org/bytedeco/cuda/linux-x86_64
libs=(libcudart.so.13 libnvrtc.so.13 libnvrtc-builtins.so.13.1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/$platform"
unzip -qo -j "$jar" "${libs[@]/#/$platform/}" -d "$work/$platform"
if [ -n "$cublas" ]; then
  for lib in libcublas.so.13 libcublasLt.so.13; do
    [ -e "$cublas/$lib" ] || { echo "cuda/libs.sh: $cublas has no $lib" >&2; exit 1; }
    cp -L "$cublas/$lib" "$work/$platform/$lib"
  done
fi
rm -rf "$out"
mkdir -p "$out"
# Stored, not deflated: the .deb and the image layer compress it once.
"${JAVA_HOME:?}/bin/jar" --create --no-compress --file "$out/pagoda-cuda-runtime.jar" -C "$work" org
echo "CUDA runtime jar: $(cd "$work/$platform" && ls | xargs) ($(du -sh "$work/$platform" | cut -f1) of libraries)"
