#pragma once
// Where and on how many cores the engine computes: one reading of the device and threads
// settings for training, pre-training and the tools.
#include <c10/core/Device.h>

#include <string>

namespace adapterlab::train {

/// Resolves "auto", "cpu", "cuda", "cuda:N"; throws Error for a device that does not exist.
c10::Device resolveDevice(const std::string& spec);

/// Sets LibTorch's intra-op threads: `threads`, or every core when 0 (LibTorch starts with 1
/// here, so leaving it alone is never "all cores").
void setThreads(int threads);

} // namespace adapterlab::train
