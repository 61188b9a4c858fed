#pragma once
// `train --nproc N`: starts N copies of this command as the ranks of one data-parallel run, with
// torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT) on loopback, and waits for them as torchrun does.
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

namespace adapterlab::cli {

struct LaunchResult {
    int exitCode = 0;         ///< rank 0's when it failed, else the first failing rank's
    bool rank0Killed = false; ///< rank 0 ended by a signal (its run is left "running")
    std::string failure;      ///< which rank failed and how; empty when all succeeded
};

/// `args` is this command line without --nproc. `cancel` (set by SIGINT/SIGTERM) is forwarded
/// to the ranks as SIGINT; when one rank fails, the others get `grace` to fail on their own
/// (their collectives time out) before they are killed.
LaunchResult launchRanks(int nproc, const std::vector<std::string>& args,
                         const std::atomic<bool>& cancel, std::chrono::milliseconds grace);

/// argv without the --nproc option (both "--nproc N" and "--nproc=N").
std::vector<std::string> withoutOption(const std::vector<std::string>& argv,
                                       const std::string& name);

/// This process's command line as main() received it.
void setCommandLine(int argc, char** argv);
const std::vector<std::string>& commandLine();

} // namespace adapterlab::cli
