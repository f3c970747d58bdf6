#include "scale.cuh"

// y[i] = a * x[i] + y[i] for i < n; one thread per element.
extern "C" __global__ void axpy(float a, const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = scaled(a, x[i]) + y[i];
}
