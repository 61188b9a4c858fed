#pragma once
// The tokenizer of a Hugging Face model folder, whatever its family: the slow tokenizer's files
// when present (vocab.txt: WordPiece; vocab.json + merges.txt: byte-level BPE;
// sentencepiece.bpe.model: XLM-R's SentencePiece), else tokenizer.json (the fast format:
// WordPiece and byte-level BPE models).
#include "text/text_tokenizer.h"

#include <string>

namespace adapterlab::text {

/// The files a folder's tokenizer is read from, for messages.
inline constexpr const char* kTokenizerFileList =
    "vocab.txt, vocab.json + merges.txt, sentencepiece.bpe.model or tokenizer.json";

/// Throws Error naming the folder and the files looked for when it has none of them, or naming
/// the file (and the part) that cannot be read.
TokenizerPtr loadTokenizer(const std::string& dir);

/// Reads a tokenizer.json; throws Error naming an unsupported model or pre-tokenizer.
TokenizerPtr loadTokenizerJson(const std::string& path);

/// Whether the folder has files loadTokenizer reads.
bool hasTokenizerFiles(const std::string& dir);

} // namespace adapterlab::text
