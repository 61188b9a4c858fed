#pragma once
// Trains a BERT-style WordPiece vocabulary from text: words from the tokenizer's basic step
// (lower-cased, accents stripped, punctuation split), then greedy merges of the most frequent
// adjacent pieces (continuations marked "##"), as Hugging Face's WordPiece trainer does.
#include "text/vocab.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace adapterlab::text {

struct WordPieceTrainerOptions {
    size_t vocabSize = 8000;     ///< including the special tokens
    int64_t minFrequency = 2;    ///< rarer characters and pairs are not learnt
    bool lowerCase = true;
};

class WordPieceTrainer {
public:
    explicit WordPieceTrainer(WordPieceTrainerOptions options = {});
    /// Counts the words of one text (a line, a sentence, a document).
    void addText(const std::string& text);
    size_t distinctWords() const { return counts_.size(); }
    int64_t totalWords() const { return total_; }
    /// [PAD] [UNK] [CLS] [SEP] [MASK], the alphabet (plain and "##"), then merged pieces in the
    /// order they were learnt. Deterministic for the same texts.
    Vocab train() const;

private:
    WordPieceTrainerOptions options_;
    std::unordered_map<std::string, int64_t> counts_;
    int64_t total_ = 0;
};

} // namespace adapterlab::text
