// GPU queries of a build against a CUDA LibTorch (c10_cuda's caching allocator, the runtime's
// device properties).
#include "train/gpu.h"

#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <torch/cuda.h>

namespace adapterlab::train {

bool cudaBuild() {
    return true;
}

std::vector<GpuInfo> gpus() {
    std::vector<GpuInfo> out;
    const int n = static_cast<int>(torch::cuda::device_count());
    for (int i = 0; i < n; ++i) {
        const cudaDeviceProp* p = at::cuda::getDeviceProperties(i);
        out.push_back({i, p->name, static_cast<int64_t>(p->totalGlobalMem), p->major, p->minor});
    }
    return out;
}

void resetPeakMemory(int index) {
    c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(index));
}

int64_t peakMemory(int index) {
    const auto stats =
        c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(index));
    // Index 0 of the stat arrays aggregates all pool types.
    return stats.allocated_bytes[0].peak;
}

} // namespace adapterlab::train
