#pragma once
// What the CUDA devices are and how much memory a run took on one (no torch here). A build
// against a CPU LibTorch compiles gpu_none.cpp (no devices), a CUDA one gpu_cuda.cpp.
#include <cstdint>
#include <string>
#include <vector>

namespace adapterlab::train {

struct GpuInfo {
    int index = 0;
    std::string name;         ///< "NVIDIA H200"
    int64_t totalBytes = 0;   ///< device memory
    int major = 0, minor = 0; ///< compute capability
    /// bf16 tensor-core arithmetic (compute capability 8.0, Ampere, and later).
    bool hasBf16() const { return major >= 8; }
    /// "NVIDIA H200, 139.8 GiB, sm_90"
    std::string describe() const;
};

/// True when this build links LibTorch's CUDA libraries.
bool cudaBuild();
/// The CUDA devices LibTorch sees (empty in a CPU build or without a GPU).
std::vector<GpuInfo> gpus();
/// Zeroes device `index`'s peak-allocation counter (no-op without CUDA).
void resetPeakMemory(int index);
/// Bytes of the caching allocator's peak allocation on `index` since the last reset (0 without
/// CUDA).
int64_t peakMemory(int index);
/// One line for the status bar and About box: every GPU, or "no CUDA GPU (CPU build)" and the like.
std::string gpuSummary();

} // namespace adapterlab::train
