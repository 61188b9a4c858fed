#pragma once
// Sub-commands of adapterlab-cli. Each add* registers its options; the callback runs it.
#include <CLI/CLI.hpp>

namespace adapterlab::cli {

void addTokenize(CLI::App& app);
void addPredict(CLI::App& app);
void addParams(CLI::App& app);

} // namespace adapterlab::cli
