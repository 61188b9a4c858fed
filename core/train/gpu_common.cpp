#include "train/gpu.h"

#include <cstdio>

namespace adapterlab::train {

std::string GpuInfo::describe() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, ", %.1f GiB, sm_%d%d",
                  static_cast<double>(totalBytes) / (1 << 30), major, minor);
    return name + buf;
}

std::string gpuSummary() {
    const auto all = gpus();
    if (all.empty()) return cudaBuild() ? "no CUDA GPU found" : "CPU only (LibTorch without CUDA)";
    std::string s;
    for (const auto& g : all)
        s += (s.empty() ? "" : "; ") + ("cuda:" + std::to_string(g.index) + " " + g.describe());
    return s;
}

} // namespace adapterlab::train
