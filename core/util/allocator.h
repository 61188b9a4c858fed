#pragma once
// Keeps freed activation buffers in the heap between training steps. glibc gives blocks above its
// mmap threshold straight back to the kernel, so every step re-faults them page by page: on the
// small benchmark model that was 2.3x the minor faults and twice the system time
// (bench/README.md). Call once at process start; a no-op outside glibc.
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace adapterlab {

inline void tuneAllocatorForTraining() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);            // glibc's maximum: buffers up to 32 MB from the heap
    mallopt(M_TRIM_THRESHOLD, 1 << 30);             // and do not hand the heap top back each step
    mallopt(M_TOP_PAD, 64 << 20);
#endif
}

} // namespace adapterlab
