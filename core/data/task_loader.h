#pragma once
// Loads tasks named by the CLI's SPEC forms (docs/cli.md):
//   glue:NAME:DIR
//   file:TRAIN[,dev=DEV][,test=TEST][,text=COL][,text_pair=COL][,label=COL]
//   lines:TRAIN[,dev=DEV][,test=TEST]     (one "LABEL text" example a line)
#include "data/task_data.h"

#include <cstdint>
#include <string>
#include <vector>

namespace adapterlab::data {

/// The GLUE tasks this build knows, in the benchmark's order.
const std::vector<std::string>& glueTaskNames();

TaskData loadGlueTask(const std::string& name, const std::string& dir, const LoadOptions& options = {});
TaskData loadTask(const std::string& spec, const LoadOptions& options = {});

/// Keeps `size` of the train split's examples, drawn with `seed`, in their file order: for
/// classification each label keeps its share (largest remainders; every label at least one when
/// `size` allows), so learning curves compare like with like. The dev split is untouched. Throws
/// when `size` is below 1 or above the split's size.
void sampleTrainSplit(TaskData& task, int64_t size, uint64_t seed);

/// Metric names a task reports (the first is the main one).
std::vector<std::string> taskMetrics(const TaskData& task);

} // namespace adapterlab::data
