#include "engine_info.h"

#include "train/gpu.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

namespace adapterlab::ui {

EngineInfo engineInfo() {
    EngineInfo info;
    info.torchVersion = TORCH_VERSION;
    // "cuda:0 NVIDIA H200, 139.8 GiB, sm_90" per GPU, else the CPU.
    info.device = train::gpus().empty() ? std::string("CPU") : train::gpuSummary();
    info.threads = at::get_num_threads();
    return info;
}

} // namespace adapterlab::ui
