#pragma once
// Loads tasks named by the CLI's SPEC forms (docs/cli.md):
//   glue:NAME:DIR
//   file:TRAIN[,dev=DEV][,test=TEST][,text=COL][,text_pair=COL][,label=COL]
//   lines:TRAIN[,dev=DEV][,test=TEST]     (one "LABEL text" example a line)
#include "data/task_data.h"

#include <string>
#include <vector>

namespace adapterlab::data {

/// The GLUE tasks this build knows, in the benchmark's order.
const std::vector<std::string>& glueTaskNames();

TaskData loadGlueTask(const std::string& name, const std::string& dir, const LoadOptions& options = {});
TaskData loadTask(const std::string& spec, const LoadOptions& options = {});

/// Metric names a task reports (the first is the main one).
std::vector<std::string> taskMetrics(const TaskData& task);

} // namespace adapterlab::data
