#!/usr/bin/env bash
# The CUDA runtime libraries of the optional pagoda-cuda part, from bytedeco's redistributable jar.
#   libs.sh CUDA_REDIST_JAR OUT_DIR [CUBLAS_DIR]
# Takes what the engine loads and the jar has: the CUDA runtime (libcudart, which JavaCPP's cudart
# binding links) and NVRTC with its builtins (the engine compiles its kernels at run time). The jar
# (org.bytedeco:cuda-redist:13.1-9.19-1.5.13:linux-x86_64, 380 MB) also carries cuFFT, cuRAND,
# nvJPEG, CUPTI, cuFile and nvJitLink, which nothing here uses. It has no cuBLAS: bytedeco splits
# it into cuda-redist-cublas, which is not on Maven Central for CUDA 13. CUBLAS_DIR, a folder with
# libcublas.so.13 and libcublasLt.so.13 (a CUDA Toolkit's lib64, or NVIDIA's libcublas-13-x
# package), adds them, and then a machine with only the NVIDIA driver runs on the GPU.
set -euo pipefail
jar=$1 out=$2 cublas=${3:-}
libs=(libcudart.so.13 libnvrtc.so.13 libnvrtc-builtins.so.13.1)
rm -rf "$out"
mkdir -p "$out"
unzip -qo -j "$jar" "${libs[@]/#/org/bytedeco/cuda/linux-x86_64/}" -d "$out"
if [ -n "$cublas" ]; then
  for lib in libcublas.so.13 libcublasLt.so.13; do
    [ -e "$cublas/$lib" ] || { echo "cuda/libs.sh: $cublas has no $lib" >&2; exit 1; }
    cp -L "$cublas/$lib" "$out/$lib"
  done
fi
chmod 644 "$out"/*
echo "CUDA libraries: $(cd "$out" && ls | xargs) ($(du -sh "$out" | cut -f1))"
