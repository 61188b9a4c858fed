#pragma once
// Facts about the LibTorch engine, kept out of Qt headers so only one file includes torch.
#include <string>

namespace adapterlab::ui {

struct EngineInfo {
    std::string torchVersion;
    std::string device; ///< "CUDA (N devices)" or "CPU"
    int threads = 1;
};

EngineInfo engineInfo();

} // namespace adapterlab::ui
