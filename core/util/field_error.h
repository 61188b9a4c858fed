#pragma once
// A setting's problem, named by the setting's key so that a form marks the field itself.
#include <string>

namespace adapterlab {

/// `field` is the setting's key (as in run.json: "learning_rate", "adapter_size", …; for
/// pre-training "out", "preset", "init_from", …); `message` says what is wrong, and where.
struct FieldError {
    std::string field, message;
};

} // namespace adapterlab
