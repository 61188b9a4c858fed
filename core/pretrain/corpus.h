#pragma once
// The pre-training corpus: plain English text from files or folders the user names, the
// training text of tasks the user names (task-adaptive pre-training; labels are not read) and,
// by default, Debian packages on the machine (WordNet glosses and usage examples, fortune
// cookies), cleaned, split into sentences, deduplicated, written one sentence a line with a
// blank line between documents (the layout BERT's pre-training data uses).
#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace adapterlab::pretrain {

struct CorpusSourceReport {
    std::string name; ///< "wordnet (wordnet-base)", the user's path, "task SST-2 (training text)" …
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
    /// Task SPECs (data/task_loader.h) whose training split's text joins the corpus, one
    /// document an example; labels, dev and test are never read. On SST-2 this raised every
    /// method of the mini backbone (docs/pretraining.md).
    std::vector<std::string> taskTexts;
    bool debianText = true;         ///< add the Debian sources that are installed
    std::string root = "/usr/share";
    const std::atomic<bool>* cancel = nullptr; ///< checked before each document
};

/// Builds the corpus into `outFile` (written atomically). Throws Error naming a path that
/// cannot be read, and when the corpus would be empty; when cancelled, writes nothing.
CorpusReport buildCorpus(const CorpusOptions& options, const std::string& outFile);

/// {"sources": [{"name", "documents", "sentences", "words"}], "duplicate_sentences"}: the
/// corpus.json a pre-training folder keeps, so a resumed run still says what it learned from.
nlohmann::json corpusReportJson(const CorpusReport& report);
/// The inverse (totals recomputed); throws nlohmann::json::exception on a malformed report.
CorpusReport corpusReportFromJson(const nlohmann::json& j);

/// Sentences of a paragraph: splits after . ! ? followed by a space and an upper-case letter,
/// a digit or a quote. Whitespace is collapsed.
std::vector<std::string> splitSentences(const std::string& paragraph);

} // namespace adapterlab::pretrain
