#pragma once
// Where LibTorch 1.13 (Debian 12) and 2.x differ, one function each; nothing else in the code
// tests the version. Checked by packaging/check-libtorch2.sh against LibTorch 2.6.
#include <ATen/autocast_mode.h>
#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>
#include <torch/version.h>

namespace adapterlab::compat {

// 2.4 made autocast's switches per device type and deprecated 1.x's per-device functions.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
inline bool autocastEnabled(c10::DeviceType d) {
    return at::autocast::is_autocast_enabled(d);
}
inline c10::ScalarType autocastDtype(c10::DeviceType d) {
    return at::autocast::get_autocast_dtype(d);
}
inline void setAutocast(c10::DeviceType d, bool enabled, c10::ScalarType dtype) {
    at::autocast::set_autocast_dtype(d, dtype);
    at::autocast::set_autocast_enabled(d, enabled);
}
#else
inline bool autocastEnabled(c10::DeviceType d) {
    return d == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
inline c10::ScalarType autocastDtype(c10::DeviceType d) {
    return d == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                      : at::autocast::get_autocast_cpu_dtype();
}
inline void setAutocast(c10::DeviceType d, bool enabled, c10::ScalarType dtype) {
    if (d == c10::DeviceType::CUDA) {
        at::autocast::set_autocast_gpu_dtype(dtype);
        at::autocast::set_enabled(enabled);
    } else {
        at::autocast::set_autocast_cpu_dtype(dtype);
        at::autocast::set_cpu_enabled(enabled);
    }
}
#endif

} // namespace adapterlab::compat
