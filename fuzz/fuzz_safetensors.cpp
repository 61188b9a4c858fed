// libFuzzer target: the safetensors reader. Any input either parses into tensors whose data lies
// inside the file, or is refused with adapterlab::Error; anything else (a crash, another
// exception, a sanitizer report) is a finding.
#include "model/safetensors.h"
#include "util/error.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using adapterlab::model::SafetensorsFile;
    try {
        const auto f = SafetensorsFile::parse(std::vector<char>(data, data + size), "fuzz.safetensors");
        for (const auto& t : f.tensors()) {
            if (f.find(t.name) != &t) __builtin_trap(); // every listed tensor is found by name
            try {
                const auto values = f.toFloat(t);
                if (values.size() != static_cast<size_t>(t.numel())) __builtin_trap();
            } catch (const adapterlab::Error&) { // integer dtypes are refused as weights
            }
        }
    } catch (const adapterlab::Error&) {
    }
    return 0;
}
