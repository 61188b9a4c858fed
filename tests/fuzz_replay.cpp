// Replays a fuzz target's seed corpus (tests/fuzz_corpus/<target>) through its harness in the
// normal build: the kept inputs (seeds and fixed findings) stay accepted-or-refused cleanly, and
// the harnesses keep compiling. A harness traps on a violated invariant, which fails the test.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
        std::printf("%s (%zu bytes)\n", entry.path().filename().c_str(), bytes.size());
        LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
        ++n;
    }
    std::printf("%zu inputs replayed\n", n);
    return n > 0 ? 0 : 1; // an empty corpus means the test lost its inputs
}
