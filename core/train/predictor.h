#pragma once
// Batched inference: texts (or text pairs) in, logits and probabilities out.
#include "model/bert.h"
#include "text/text_tokenizer.h"

#include <optional>
#include <string>
#include <vector>

namespace adapterlab::train {

struct TextExample {
    std::string text;
    std::optional<std::string> pair;
};

struct Prediction {
    std::vector<float> logits;
    std::vector<float> probabilities; ///< empty for regression
    int64_t label = -1;               ///< argmax, -1 for regression
};

class Predictor {
public:
    Predictor(model::BertModel model, text::TokenizerPtr tokenizer, int maxLength = 128);
    std::vector<Prediction> predict(const std::vector<TextExample>& examples, size_t batchSize = 32);

private:
    model::BertModel model_;
    text::TokenizerPtr tokenizer_;
    int maxLength_;
};

/// Reads stdin-style lines: a TAB separates the two texts of a pair.
TextExample parseTextLine(const std::string& line);

} // namespace adapterlab::train
