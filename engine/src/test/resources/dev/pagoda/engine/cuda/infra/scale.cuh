// Included by axpy.cu: checks that CudaModule serves quoted includes from the resource folder.
__device__ inline float scaled(float a, float x) { return a * x; }
