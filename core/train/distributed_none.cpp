// A build without c10d's Gloo headers: single-process training only.
#include "train/distributed.h"

#include "util/error.h"

namespace adapterlab::train {

struct ProcessGroup::Impl {};

bool distributedAvailable() {
    return false;
}

ProcessGroup::ProcessGroup(const DistributedEnv&, std::chrono::milliseconds) {
    throw Error("this build has no c10d backend for distributed training: install libgloo-dev "
                "and rebuild (CMake then finds gloo/config.h)");
}
ProcessGroup::~ProcessGroup() = default;
int ProcessGroup::rank() const {
    return 0;
}
int ProcessGroup::worldSize() const {
    return 1;
}
void ProcessGroup::allreduceSum(const std::vector<at::Tensor>&, int64_t) {}
void ProcessGroup::broadcast(const std::vector<at::Tensor>&, int) {}
void ProcessGroup::barrier() {}
void ProcessGroup::publish(const std::string&, const std::string&) {}
std::string ProcessGroup::lookup(const std::string&) {
    return {};
}

} // namespace adapterlab::train
