// adapterlab-bench: benchmarks that print tables (see bench/README.md).
#include "bench_common.h"

#include "util/allocator.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <string>

int main(int argc, char** argv) {
    // Before any allocation the benchmarks time; what adapterlab and adapterlab-cli do too.
    if (std::none_of(argv + 1, argv + argc, [](const char* a) { return std::string(a) == "--default-malloc"; }))
        adapterlab::tuneAllocatorForTraining();
    CLI::App app{"AdapterLab benchmarks"};
    app.require_subcommand(1);
    std::string data = "../shared/data";
    int repeats = 5;
    app.add_option("--data", data, "shared data folder");
    app.add_option("--repeats", repeats, "timed repetitions (median reported)");
    // Read by the argv scan above (the allocator is set before CLI11 allocates); declared for
    // --help.
    app.add_flag("--default-malloc",
                 "leave glibc's allocator untuned (as before the engine tuned it)");
    int rc = 0;
    app.add_subcommand("tokenizer", "WordPiece throughput on SST-2 train")->callback([&] {
        rc = adapterlab::bench::runTokenizerBench(data + "/vocab/bert-base-uncased-vocab.txt",
                                                  data + "/glue/SST-2/train.tsv", repeats);
    });
    int steps = 5;
    std::string sizes = "small,base";
    auto* train = app.add_subcommand("train", "training-step throughput, adapters vs full fine-tuning");
    train->add_option("--steps", steps, "optimizer steps per timed run");
    train->add_option("--sizes", sizes, "small, base or both");
    std::string device = "cpu", precisions = "fp32";
    train->add_option("--device", device, "cpu | cuda | cuda:N (default cpu)");
    train->add_option("--precision", precisions,
                      "fp32, tf32, bf16, fp16, auto, or a list: fp32,bf16");
    train->callback(
        [&] { rc = adapterlab::bench::runTrainBench(steps, repeats, sizes, device, precisions); });
    auto* fam =
        app.add_subcommand("families", "adapter and LoRA step time per encoder family, one shape");
    fam->add_option("--steps", steps, "optimizer steps per timed run");
    fam->callback([&] { rc = adapterlab::bench::runFamiliesBench(steps, repeats); });
    int64_t hidden = 256;
    int examples = 128;
    auto* abl = app.add_subcommand("ablation", "layer-ablation heatmap: shared work vs naive");
    abl->add_option("--hidden", hidden, "hidden size (heads = d/64)");
    abl->add_option("--examples", examples, "dev examples");
    abl->callback([&] { rc = adapterlab::bench::runAblationBench(repeats, hidden, examples); });
    std::string python = "python3", script = "bench/reference/bert_adapter_step.py";
    auto* ref = app.add_subcommand("reference", "same function and step time against plain PyTorch (small size)");
    ref->add_option("--python", python, "a Python with torch (Debian: python3-torch)");
    ref->add_option("--script", script, "the reference script");
    ref->add_option("--steps", steps, "timed steps per run");
    std::string refSize = "small";
    ref->add_option("--size", refSize, "small (d 256, L 4) or base (d 768, L 12)");
    std::string anchor;
    ref->add_option(
        "--anchor", anchor,
        "a second reference timed alongside, e.g. \"packaging/check-libtorch2.sh --python "
        "bench/reference/bert_adapter_step.py --sdpa\" (PyTorch 2.6)");
    ref->callback([&] {
        rc = adapterlab::bench::runReferenceBench(python, script, steps, repeats, refSize, anchor);
    });
    size_t limit = 2048;
    auto* sst2 = app.add_subcommand("sst2", "an SST-2 epoch: length bucketing vs fixed padding to 128");
    sst2->add_option("--limit", limit, "first N training sentences (0: all 67,349)");
    sst2->callback([&] { rc = adapterlab::bench::runSst2EpochBench(data, limit, repeats); });
    auto* over = app.add_subcommand("overhead", "store writes and progress reporting against the bare trainer");
    over->add_option("--limit", limit, "first N SST-2 training sentences");
    over->callback([&] { rc = adapterlab::bench::runOverheadBench(data, limit, repeats); });
    CLI11_PARSE(app, argc, argv);
    return rc;
}
