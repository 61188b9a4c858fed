#include "train/precision.h"

#include "util/error.h"

namespace adapterlab::train {

namespace {
struct Name {
    Precision p;
    const char* name;
};
constexpr Name kNames[] = {{Precision::Auto, "auto"},
                           {Precision::Fp32, "fp32"},
                           {Precision::Tf32, "tf32"},
                           {Precision::Bf16, "bf16"},
                           {Precision::Fp16, "fp16"}};
} // namespace

std::string toString(Precision p) {
    for (const auto& n : kNames)
        if (n.p == p) return n.name;
    return "auto";
}

Precision parsePrecision(const std::string& name) {
    for (const auto& n : kNames)
        if (name == n.name) return n.p;
    throw Error("precision '" + name + "' is not auto, fp32, tf32, bf16 or fp16");
}

const std::vector<Precision>& allPrecisions() {
    static const std::vector<Precision> all = [] {
        std::vector<Precision> v;
        for (const auto& n : kNames)
            v.push_back(n.p);
        return v;
    }();
    return all;
}

} // namespace adapterlab::train
