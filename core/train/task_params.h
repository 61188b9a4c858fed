#pragma once
// Per-task parameters (what a method trains: adapters, LayerNorms, head, ...) saved alone as
// safetensors with metadata, so a task costs megabytes, not a model copy.
#include "model/bert.h"
#include "train/method.h"

#include <map>
#include <string>
#include <vector>

namespace adapterlab::train {

constexpr const char* kTaskParamsFormat = "adapterlab-task-params";
constexpr int kTaskParamsVersion = 1;

/// Names of the parameters the method trains, in the model's registration order.
std::vector<std::string> trainableParameterNames(model::BertModel& model, const MethodSpec& method);

/// Saves the method's trainable parameters with metadata (format version, model config, adapter
/// config, method, top-k, plus `extra`). Atomic: a failed write leaves no file.
void saveTaskParameters(model::BertModel& model, const MethodSpec& method, const std::string& path,
                        const std::map<std::string, std::string>& extra = {});

/// The same as an in-memory safetensors image (for the experiment store).
std::vector<char> encodeTaskParameters(model::BertModel& model, const MethodSpec& method,
                                       const std::map<std::string, std::string>& extra = {});
/// Loads an in-memory image; `origin` names it in errors.
void loadTaskParameters(model::BertModel& model, std::vector<char> bytes, const std::string& origin);

/// Metadata of a task-parameter file after checking its format and version.
std::map<std::string, std::string> readTaskParameterMetadata(const std::string& path);

/// Loads a task-parameter file into a model built with the same config (checked: the model
/// config, adapter size and every tensor's shape; a mismatch throws Error naming it).
void loadTaskParameters(model::BertModel& model, const std::string& path);

} // namespace adapterlab::train
