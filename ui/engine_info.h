#pragma once
// Facts about the LibTorch engine, kept out of Qt headers so only one file includes torch.
#include <string>

namespace adapterlab::ui {

struct EngineInfo {
    std::string torchVersion;
    std::string device; ///< each GPU ("cuda:0 NVIDIA H200, 139.8 GiB, sm_90") or "CPU"
    int threads = 1;
};

EngineInfo engineInfo();

} // namespace adapterlab::ui
