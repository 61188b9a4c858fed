#pragma once
// The method options train and params share: --method, each method's knob and settings. Values
// given on the command line are copied into a RunConfig (overriding a --config file).
#include "train/run_config.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

namespace adapterlab::cli {

struct MethodOptions {
    CLI::App* cmd = nullptr;
    std::string method;
    std::string placement, activation, targets;
    train::RunConfig values; ///< numeric options land here first
    bool norm = false;
    bool shift = false; ///< --prefix-shift-positions

    /// Copies the options given into `c`: the method first, then its settings.
    void apply(train::RunConfig& c) const;
    /// Names of the options registered (e.g. for --resume, which refuses them all).
    std::vector<std::string> names() const;
};

/// Registers the options on `cmd`; `methodRequired` for params, whose only input they are.
std::shared_ptr<MethodOptions> addMethodOptions(CLI::App* cmd, bool methodRequired = false);

} // namespace adapterlab::cli
