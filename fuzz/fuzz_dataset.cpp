// libFuzzer target: every dataset reader through the task loader, as a user's file reaches it.
// The first byte picks the reader (TSV, CSV, JSONL, "LABEL text" lines, a GLUE folder's SST-2
// or MRPC, Latin-1); the rest is the file. Readers must load it or refuse it with
// adapterlab::Error naming file and line.
#include "data/task_loader.h"
#include "util/error.h"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

namespace {

const fs::path& scratch() {
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("adapterlab-fuzz-" + std::to_string(::getpid()));
        fs::create_directories(d / "glue");
        return d;
    }();
    return dir;
}

void write(const fs::path& p, const uint8_t* data, size_t size) {
    std::ofstream(p, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                static_cast<std::streamsize>(size));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const int kind = data[0] % 7;
    ++data;
    --size;
    const fs::path& d = scratch();
    std::string spec;
    switch (kind) {
    case 0: write(d / "t.tsv", data, size); spec = "file:" + (d / "t.tsv").string(); break;
    case 1: write(d / "t.csv", data, size); spec = "file:" + (d / "t.csv").string() + ",text=text,text_pair=b"; break;
    case 2: write(d / "t.jsonl", data, size); spec = "file:" + (d / "t.jsonl").string(); break;
    case 3: write(d / "t.txt", data, size); spec = "lines:" + (d / "t.txt").string(); break;
    case 4:
    case 5:
        // The same bytes as train and dev of a GLUE folder.
        write(d / "glue" / "train.tsv", data, size);
        write(d / "glue" / "dev.tsv", data, size);
        spec = std::string("glue:") + (kind == 4 ? "SST-2" : "MRPC") + ":" + (d / "glue").string();
        break;
    default: write(d / "t.txt", data, size); spec = "lines:" + (d / "t.txt").string() + ",encoding=latin1"; break;
    }
    try {
        adapterlab::data::LoadOptions opt;
        opt.skipMalformed = size % 2; // both policies
        const auto task = adapterlab::data::loadTask(spec, opt);
        if (task.regression) return 0;
        for (const auto* split : {&task.train, &task.dev})
            for (const auto& e : split->examples)
                if (e.label < 0 || e.label >= static_cast<int>(task.labels.size())) __builtin_trap();
    } catch (const adapterlab::Error&) {
    }
    return 0;
}
