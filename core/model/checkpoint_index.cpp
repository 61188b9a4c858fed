#include "model/checkpoint_index.h"

#include "util/error.h"
#include "util/json_file.h"

#include <filesystem>
#include <set>

namespace adapterlab::model {
namespace fs = std::filesystem;

const std::vector<std::string>& weightFileNames() {
    static const std::vector<std::string> names = {
        "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
        "pytorch_model.bin.index.json"};
    return names;
}

bool isShardIndex(const std::string& path) {
    const std::string tail = ".index.json";
    return path.size() > tail.size() &&
           path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
}

std::vector<std::string> shardNamesOf(const std::string& index) {
    const auto j = readJsonFile(index, "sharded checkpoint index");
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
        throw Error(index + ": no weight_map object");
    std::set<std::string> shards;
    for (const auto& [tensor, file] : j["weight_map"].items()) {
        if (!file.is_string())
            throw Error(index + ": weight_map['" + tensor + "'] is not a file name");
        const std::string f = file.get<std::string>();
        const fs::path p(f);
        bool ok = !f.empty() && p.is_relative() && f.find('\\') == std::string::npos;
        for (const auto& part : p)
            ok = ok && part != ".." && part != ".";
        if (!ok)
            throw Error(index + ": shard '" + f +
                        "' is not a plain relative path, so not a file next to the index");
        shards.insert(f);
    }
    if (shards.empty()) throw Error(index + ": weight_map is empty");
    return {shards.begin(), shards.end()};
}

std::string weightsFileIn(const std::string& dir) {
    for (const auto& name : weightFileNames())
        if (fs::exists(fs::path(dir) / name)) return (fs::path(dir) / name).string();
    return {};
}

} // namespace adapterlab::model
