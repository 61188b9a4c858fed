#include "train/distributed.h"

#include "util/error.h"

#include <cstdlib>

namespace adapterlab::train {
namespace {

const char* env(const char* name) {
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
}

int intVariable(const char* name, int lo, int hi) {
    const char* v = env(name);
    if (!v) throw Error(std::string("distributed training: ") + name + " is not set");
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    if (*end != '\0' || n < lo || n > hi)
        throw Error(std::string("distributed training: ") + name + "='" + v +
                    "' is not a number in " + std::to_string(lo) + ".." + std::to_string(hi));
    return static_cast<int>(n);
}

} // namespace

std::optional<DistributedEnv> DistributedEnv::fromEnvironment() {
    DistributedEnv e;
    if (env("WORLD_SIZE")) { // torchrun, or our own --nproc launcher
        e.worldSize = intVariable("WORLD_SIZE", 1, 1 << 16);
        if (e.worldSize == 1) return std::nullopt;
        e.rank = intVariable("RANK", 0, e.worldSize - 1);
        e.localRank = env("LOCAL_RANK") ? intVariable("LOCAL_RANK", 0, e.worldSize - 1) : e.rank;
    } else if (env("SLURM_NTASKS") && env("SLURM_PROCID")) { // srun without a launcher
        e.worldSize = intVariable("SLURM_NTASKS", 1, 1 << 16);
        if (e.worldSize == 1) return std::nullopt;
        e.rank = intVariable("SLURM_PROCID", 0, e.worldSize - 1);
        e.localRank = env("SLURM_LOCALID") ? intVariable("SLURM_LOCALID", 0, e.worldSize - 1) : 0;
        if (!env("MASTER_ADDR"))
            throw Error("distributed training under srun: MASTER_ADDR is not set (the job's first "
                        "node: scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)");
    } else {
        return std::nullopt;
    }
    if (const char* a = env("MASTER_ADDR")) e.masterAddr = a;
    if (env("MASTER_PORT")) e.masterPort = intVariable("MASTER_PORT", 1, 65535);
    return e;
}

} // namespace adapterlab::train
