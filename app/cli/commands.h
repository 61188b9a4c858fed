#pragma once
// Sub-commands of adapterlab-cli. Each add* registers its options; the callback runs it.
#include <CLI/CLI.hpp>

namespace adapterlab::cli {

void addTokenize(CLI::App& app);
void addPredict(CLI::App& app);
void addParams(CLI::App& app);
void addMethods(CLI::App& app);
void addTrain(CLI::App& app);
void addRuns(CLI::App& app);
void addEval(CLI::App& app);
void addInitBackbone(CLI::App& app);
void addSweep(CLI::App& app);
void addAblate(CLI::App& app);
void addExport(CLI::App& app);
void addTasks(CLI::App& app);
void addPretrain(CLI::App& app);
void addHub(CLI::App& app);
void addExportAdapter(CLI::App& app);

} // namespace adapterlab::cli
