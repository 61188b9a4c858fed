#pragma once
// Reads a JSON file; errors name the file and say what it was meant to be.
#include <nlohmann/json.hpp>

#include <string>

namespace adapterlab {

/// `what` names the file's role in the message ("model config", "sweep plan", ...).
nlohmann::json readJsonFile(const std::string& path, const std::string& what);

} // namespace adapterlab
