// GPU queries of a build against a CPU LibTorch: there are none.
#include "train/gpu.h"

namespace adapterlab::train {

bool cudaBuild() {
    return false;
}
std::vector<GpuInfo> gpus() {
    return {};
}
void resetPeakMemory(int) {}
int64_t peakMemory(int) {
    return 0;
}

} // namespace adapterlab::train
