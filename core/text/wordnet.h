#pragma once
// WordNet 3.0 data files (wndb(5WN)), read by the corpus builder (glosses as text) and the
// built-in tasks (definition -> part of speech / supersense).
#include <functional>
#include <string>
#include <vector>

namespace adapterlab::text {

struct Synset {
    int lexFile = -1;  ///< lexicographer file number (lexnames(5WN)), e.g. 5 = noun.animal
    char type = '?';   ///< n, v, a, s (adjective satellite), r
    std::string gloss; ///< "definition; "example"; ..."
};

/// Calls `f` for each synset line of a data.{noun,verb,adj,adv} file, skipping the licence
/// header. Throws Error naming path:line for a line that is not a synset.
void forEachSynset(const std::string& path, const std::function<void(const Synset&)>& f);

/// The definition part of a gloss: before its first quoted example, trimmed.
std::string glossDefinition(const std::string& gloss);

/// A gloss split at semicolons outside quotes, quotes removed, each part trimmed; empty parts
/// dropped. "a cat; "the cat sat"" -> {"a cat", "the cat sat"}.
std::vector<std::string> glossParts(const std::string& gloss);

} // namespace adapterlab::text
