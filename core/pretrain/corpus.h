#pragma once
// The pre-training corpus: plain English text from files or folders the user names and, by
// default, from Debian packages on the machine (WordNet glosses and usage examples, fortune
// cookies), cleaned, split into sentences, deduplicated, written one sentence a line with a
// blank line between documents (the layout BERT's pre-training data uses).
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace adapterlab::pretrain {

struct CorpusSourceReport {
    std::string name;  ///< "wordnet", "fortunes" or the user's path
    int64_t documents = 0, sentences = 0, words = 0;
};

struct CorpusReport {
    std::vector<CorpusSourceReport> sources;
    int64_t documents = 0, sentences = 0, words = 0;
    int64_t duplicateSentences = 0; ///< dropped
    bool cancelled = false;         ///< stopped by CorpusOptions::cancel: no file written
};

struct CorpusOptions {
    std::vector<std::string> paths; ///< text files, or folders searched for *.txt and *.md
    bool debianText = true;         ///< add the Debian sources that are installed
    std::string root = "/usr/share";
    const std::atomic<bool>* cancel = nullptr; ///< checked before each document
};

/// Builds the corpus into `outFile` (written atomically). Throws Error naming a path that
/// cannot be read, and when the corpus would be empty; when cancelled, writes nothing.
CorpusReport buildCorpus(const CorpusOptions& options, const std::string& outFile);

/// Sentences of a paragraph: splits after . ! ? followed by a space and an upper-case letter,
/// a digit or a quote. Whitespace is collapsed.
std::vector<std::string> splitSentences(const std::string& paragraph);

} // namespace adapterlab::pretrain
