#pragma once
// Built-in classification tasks made from real English text that Debian packages put on the
// machine, so the workbench has tasks without network. Splits are fixed by a seed (documented
// in docs/builtin-tasks.md); the same package version gives the same examples everywhere.
#include "data/task_data.h"

#include <string>
#include <vector>

namespace adapterlab::data {

struct BuiltinTaskInfo {
    std::string name;        ///< as in builtin:NAME
    std::string description; ///< one line for the task picker
    std::string package;     ///< the Debian package that provides the text
    std::string source;      ///< file or folder read
    bool available = false;  ///< the source is on this machine
};

/// Every built-in task, with whether its source is installed.
std::vector<BuiltinTaskInfo> builtinTasks();

/// Loads builtin:NAME. `root` replaces "/usr/share" (tests). Throws Error naming the missing
/// package when the source is not installed, or the file and line of malformed source data.
TaskData loadBuiltinTask(const std::string& name, const std::string& root = "/usr/share");

} // namespace adapterlab::data
