#include "util/json_file.h"

#include "util/error.h"

#include <fstream>

namespace adapterlab {

nlohmann::json readJsonFile(const std::string& path, const std::string& what) {
    std::ifstream in(path);
    if (!in) throw Error("cannot open " + what + " '" + path + "'");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": not valid JSON (" + e.what() + ")");
    }
}

} // namespace adapterlab
