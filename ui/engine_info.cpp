#include "engine_info.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

namespace adapterlab::ui {

EngineInfo engineInfo() {
    EngineInfo info;
    info.torchVersion = TORCH_VERSION;
    const auto cuda = torch::cuda::device_count();
    info.device = cuda > 0 ? "CUDA (" + std::to_string(cuda) + " device" + (cuda > 1 ? "s)" : ")")
                           : std::string("CPU");
    info.threads = at::get_num_threads();
    return info;
}

} // namespace adapterlab::ui
