# Shell functions over the native libraries of an installed or staged Pagoda tree, sourced by
# build-deb.sh (to compute the .deb's Depends) and check-deb.sh (to check them once installed).

# Writes to directory $2 the Linux x86-64 shared libraries packed inside the jars under $1 (JavaFX,
# DJL's tokenizers, JavaCPP, JNA): they are loaded from there at run time, so they count as the
# package's own ELF files. Jars for other systems' entries (JNA's freebsd-x86-64, ...) are skipped.
unpack_jar_natives() {
  local jars=$1 dest=$2 jar entry
  for jar in "$jars"/*.jar; do
    { unzip -Z1 "$jar" 2>/dev/null | grep -E '\.so(\.[0-9.]+)?$' || true; } | while read -r entry; do
      case "$entry" in
        */*) [[ "$entry" =~ linux-x86[-_]64/ ]] || continue ;;
        *) [[ "$jar" == *-linux.jar ]] || continue ;;  # JavaFX's -linux jars keep natives at the root
      esac
      mkdir -p "$dest/$(basename "$jar")"
      unzip -qo -j "$jar" "$entry" -d "$dest/$(basename "$jar")"
    done
  done
}

# Lists the ELF files under the given directories, one a line.
elf_files() {
  find "$@" -type f -print0 | while IFS= read -r -d '' f; do
    if [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then printf '%s\n' "$f"; fi
  done
}

# The CUDA libraries: the JNI bindings in cuda-*-linux-x86_64.jar link them, but they load only
# when the GPU backend starts (from the NVIDIA driver, a CUDA install or pagoda-cuda), never at install.
is_gpu_soname() {
  [[ "$1" =~ ^lib(cuda|cudart|cublas|cublasLt|nvrtc|nvrtc-builtins|nvJitLink|cufft|cufftw|curand|cusolver|cusolverMg|cusparse|npp[a-z]*|nccl|nvcomp|cudnn[a-z_]*|cupti|cufile|nvjpeg|nvblas|nvidia-ml)\.so ]]
}

# Prints "soname<TAB>file" for every shared library an ELF file listed on stdin needs, except those
# the listed files provide themselves (libjvm.so, libjava.so, ...) and the CUDA ones.
needed_sonames() {
  local files own f lib
  files=$(cat)
  own=$(printf '%s\n' "$files" | xargs -r -n1 basename | sort -u)
  while read -r f; do
    readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | while read -r lib; do
      is_gpu_soname "$lib" && continue
      grep -qxF "$lib" <<<"$own" && continue
      printf '%s\t%s\n' "$lib" "$f"
    done
  done <<<"$files"
}

# The newest glibc symbol version the listed ELF files ask for (the oldest libc6 they run on).
newest_glibc() {
  xargs -r readelf -V --wide 2>/dev/null | grep -o 'Name: GLIBC_[0-9.]*' | sed 's/Name: GLIBC_//' | sort -V | tail -1
}
