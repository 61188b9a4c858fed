// libFuzzer target: the configuration parsers (Hugging Face config.json, adapter settings, method
// modules, run configs). Well-formed JSON of any shape must either parse and validate or be refused
// with adapterlab::Error naming the field.
#include "model/config.h"
#include "model/modules.h"
#include "train/run_config.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return 0; // not JSON: readJsonFile reports that before any parser runs
    using namespace adapterlab;
    try {
        const auto c = model::BertConfig::fromJson(j, "fuzz config.json");
        c.validate("fuzz");
    } catch (const Error&) {
    }
    try {
        (void)model::AdapterConfig::fromJson(j, "fuzz adapter");
    } catch (const Error&) {
    }
    try { // the method modules a task-parameter file names
        const auto m = model::MethodModules::fromJson(j, "fuzz modules");
        if (model::MethodModules::fromJson(m.toJson()).toJson() != m.toJson()) __builtin_trap();
    } catch (const Error&) {
    }
    try {
        const auto r = train::RunConfig::fromJson(j, "fuzz run.json");
        r.validate();
        const auto again = train::RunConfig::fromJson(r.toJson(), "round trip");
        if (again.toJson() != r.toJson()) __builtin_trap(); // what we write, we read back
    } catch (const Error&) {
    }
    return 0;
}
