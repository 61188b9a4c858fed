#include "train/device.h"

#include "util/error.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace adapterlab::train {

c10::Device resolveDevice(const std::string& spec) {
    const int count = static_cast<int>(torch::cuda::device_count());
    if (spec == "auto") return count > 0 ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
    if (spec == "cpu") return c10::Device(c10::kCPU);
    if (spec == "cuda" || spec.rfind("cuda:", 0) == 0) {
        const int index = spec == "cuda" ? 0 : std::atoi(spec.c_str() + 5);
        if (count == 0) throw Error("device '" + spec + "': no CUDA device is available");
        if (index < 0 || index >= count)
            throw Error("device '" + spec + "' does not exist (" + std::to_string(count) +
                        " CUDA devices)");
        return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
    throw Error("device '" + spec + "' is not auto, cpu, cuda or cuda:N");
}

void setThreads(int threads) {
    const int n =
        threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(n);
}

} // namespace adapterlab::train
