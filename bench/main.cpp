// adapterlab-bench: benchmarks that print tables (see bench/README.md).
#include "bench_common.h"

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
    CLI::App app{"AdapterLab benchmarks"};
    app.require_subcommand(1);
    std::string data = "../shared/data";
    int repeats = 5;
    app.add_option("--data", data, "shared data folder");
    app.add_option("--repeats", repeats, "timed repetitions (median reported)");
    int rc = 0;
    app.add_subcommand("tokenizer", "WordPiece throughput on SST-2 train")->callback([&] {
        rc = adapterlab::bench::runTokenizerBench(data + "/vocab/bert-base-uncased-vocab.txt",
                                                  data + "/glue/SST-2/train.tsv", repeats);
    });
    CLI11_PARSE(app, argc, argv);
    return rc;
}
