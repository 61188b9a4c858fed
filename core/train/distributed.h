#pragma once
// Data-parallel training over PyTorch's own collectives (c10d): ProcessGroupGloo on the CPU.
// Processes find each other by torchrun's convention (RANK, WORLD_SIZE, LOCAL_RANK,
// MASTER_ADDR, MASTER_PORT), which srun's SLURM_PROCID/SLURM_NTASKS/SLURM_LOCALID stand in for.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace adapterlab::train {

struct DistributedEnv {
    int rank = 0, worldSize = 1, localRank = 0;
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;

    /// From the environment; nullopt when neither WORLD_SIZE nor SLURM_NTASKS names more than
    /// one process. Throws Error naming the variable that is malformed, missing or out of range.
    static std::optional<DistributedEnv> fromEnvironment();
};

/// Whether this build has a c10d backend (LibTorch's Gloo, compiled with libgloo-dev's headers).
bool distributedAvailable();

/// One process's membership in a group of `worldSize` training processes. Every collective
/// throws Error (naming this rank and the cause) when a peer stopped or did not answer within
/// the timeout, so a dead rank fails the run on every other rank.
class ProcessGroup {
public:
    ProcessGroup(const DistributedEnv& env, std::chrono::milliseconds timeout);
    ~ProcessGroup();
    ProcessGroup(const ProcessGroup&) = delete;
    ProcessGroup& operator=(const ProcessGroup&) = delete;

    int rank() const;
    int worldSize() const;

    /// Sums each tensor over all ranks, in place. Tensors are flattened into buckets of at most
    /// `bucketBytes` of one dtype (DDP's 25 MB), one all-reduce per bucket, all issued before
    /// the first wait.
    void allreduceSum(const std::vector<at::Tensor>& tensors, int64_t bucketBytes = 25 << 20);
    /// Copies `root`'s tensors into every rank's, in place.
    void broadcast(const std::vector<at::Tensor>& tensors, int root = 0);
    void barrier();
    /// A string every rank can read by key from the rendezvous store (rank 0 tells the others
    /// what to train); lookup waits for it up to the timeout.
    void publish(const std::string& key, const std::string& value);
    std::string lookup(const std::string& key);

    /// Payload bytes this rank has all-reduced so far.
    int64_t bytesReduced() const { return bytesReduced_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int64_t bytesReduced_ = 0;
};

} // namespace adapterlab::train
