// tasks list: the tasks a SPEC can name, built-in ones with their sizes.
#include "commands.h"

#include "data/builtin_tasks.h"
#include "data/task_loader.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <memory>

namespace adapterlab::cli {
namespace {

using nlohmann::json;

json describe(const data::BuiltinTaskInfo& info) {
    json j = {{"name", info.name},         {"spec", "builtin:" + info.name},
              {"kind", "builtin"},         {"description", info.description},
              {"package", info.package},   {"source", info.source},
              {"available", info.available}};
    if (!info.available) return j;
    try {
        const data::TaskData t = data::loadBuiltinTask(info.name);
        j["classes"] = t.labels.size();
        j["labels"] = t.labels;
        j["train"] = t.train.examples.size();
        j["dev"] = t.dev.examples.size();
        j["test"] = t.test ? t.test->examples.size() : 0;
    } catch (const Error& e) {
        j["available"] = false;
        j["error"] = e.what();
    }
    return j;
}

void runTasksList(bool asJson) {
    std::vector<json> rows;
    for (const auto& info : data::builtinTasks()) rows.push_back(describe(info));
    for (const auto& name : data::glueTaskNames())
        rows.push_back({{"name", name}, {"spec", "glue:" + name + ":DIR"}, {"kind", "glue"},
                        {"description", "GLUE " + name + " from a folder in its original format"}});
    if (asJson) {
        for (const auto& r : rows) std::cout << r.dump() << '\n';
        return;
    }
    std::cout << std::left << std::setw(30) << "spec" << std::setw(32) << "size (train/dev/test)"
              << "description\n";
    for (const auto& r : rows) {
        std::string size;
        if (r.contains("train"))
            size = std::to_string(r["train"].get<size_t>()) + "/" + std::to_string(r["dev"].get<size_t>()) +
                   "/" + std::to_string(r["test"].get<size_t>()) + ", " +
                   std::to_string(r["classes"].get<size_t>()) + " classes";
        else if (r["kind"] == "builtin")
            size = "needs " + r["package"].get<std::string>();
        std::cout << std::left << std::setw(30) << r["spec"].get<std::string>() << std::setw(32) << size
                  << r["description"].get<std::string>() << '\n';
    }
}

} // namespace

void addTasks(CLI::App& app) {
    auto asJson = std::make_shared<bool>(false);
    auto* tasks = app.add_subcommand("tasks", "the tasks a SPEC can name");
    tasks->require_subcommand(1);
    auto* list = tasks->add_subcommand("list", "built-in tasks (with sizes) and GLUE tasks");
    list->add_flag("--json", *asJson, "one JSON object per task");
    list->callback([asJson] { runTasksList(*asJson); });
}

} // namespace adapterlab::cli
