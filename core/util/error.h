#pragma once
// Errors the engine reports to users: the message says what went wrong and where.
#include <stdexcept>
#include <string>

namespace adapterlab {

/// Thrown for any user-facing failure (bad file, bad setting, bad checkpoint).
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The first line of an exception message (c10::Error appends a C++ backtrace).
inline std::string firstLine(const char* what) {
    const std::string s(what);
    return s.substr(0, s.find('\n'));
}

} // namespace adapterlab
