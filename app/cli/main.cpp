// adapterlab-cli: the headless front end (see docs/cli.md). main() only wires sub-commands.
#include "commands.h"
#include "launcher.h"
#include "util/allocator.h"
#include "util/error.h"

#include <torch/version.h>

#include <iostream>

int main(int argc, char** argv) {
    adapterlab::tuneAllocatorForTraining();
    adapterlab::cli::setCommandLine(argc, argv);
    CLI::App app{"AdapterLab: bottleneck adapters for BERT, headless"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("adapterlab-cli ") + ADAPTERLAB_VERSION +
                                          " (LibTorch " + TORCH_VERSION + ")");
    adapterlab::cli::addTokenize(app);
    adapterlab::cli::addPredict(app);
    adapterlab::cli::addParams(app);
    adapterlab::cli::addMethods(app);
    adapterlab::cli::addTrain(app);
    adapterlab::cli::addRuns(app);
    adapterlab::cli::addEval(app);
    adapterlab::cli::addInitBackbone(app);
    adapterlab::cli::addSweep(app);
    adapterlab::cli::addAblate(app);
    adapterlab::cli::addExport(app);
    adapterlab::cli::addTasks(app);
    adapterlab::cli::addPretrain(app);
    adapterlab::cli::addHub(app);
    adapterlab::cli::addExportAdapter(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e); // prints help/version or the usage error
        return rc == 0 ? 0 : 2;
    } catch (const adapterlab::Error& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
