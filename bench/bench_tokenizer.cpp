// Tokenizer throughput on a real corpus: every sentence of a GLUE TSV (e.g. SST-2 train),
// median of several passes.
#include "bench_common.h"

#include "text/tokenizer.h"

#include <fstream>
#include <iostream>

namespace adapterlab::bench {

int runTokenizerBench(const std::string& vocabPath, const std::string& tsvPath, int repeats) {
    const text::WordPieceTokenizer tok(text::Vocab::load(vocabPath));
    std::ifstream in(tsvPath);
    if (!in) {
        std::cerr << "cannot open " << tsvPath << '\n';
        return 1;
    }
    std::vector<std::string> sentences;
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) sentences.push_back(line.substr(0, line.find('\t')));
    size_t tokens = 0;
    const auto times = timeRepeats(repeats, [&] {
        tokens = 0;
        for (const auto& s : sentences) tokens += tok.encode(s, std::nullopt, 128).inputIds.size();
    });
    const double med = median(times);
    std::cout << "tokenizer: " << sentences.size() << " sentences, " << tokens << " tokens; median "
              << med * 1e3 << " ms over " << repeats << " runs ("
              << static_cast<long>(sentences.size() / med) << " sentences/s, "
              << static_cast<long>(tokens / med) << " tokens/s)\n";
    return 0;
}

} // namespace adapterlab::bench
