#include "train/predictor.h"

#include "data/batching.h"

namespace adapterlab::train {

Predictor::Predictor(model::BertModel model, text::TokenizerPtr tokenizer, int maxLength)
    : model_(std::move(model)), tokenizer_(std::move(tokenizer)), maxLength_(maxLength) {}

std::vector<Prediction> Predictor::predict(const std::vector<TextExample>& examples,
                                           size_t batchSize) {
    torch::NoGradGuard guard;
    model_->eval();
    const auto device = model_->parameters().front().device();
    const bool regression = model_->config().regression;
    std::vector<Prediction> out;
    out.reserve(examples.size());
    for (size_t start = 0; start < examples.size(); start += batchSize) {
        const size_t end = std::min(examples.size(), start + batchSize);
        std::vector<text::Encoding> enc;
        for (size_t i = start; i < end; ++i) {
            const auto& ex = examples[i];
            enc.push_back(ex.pair
                              ? tokenizer_->encode(ex.text, std::string_view(*ex.pair), maxLength_)
                              : tokenizer_->encode(ex.text, std::nullopt, maxLength_));
        }
        const data::Batch b = data::collate(enc, tokenizer_->padId());
        const auto logits =
            model_->logits(b.ids.to(device), b.typeIds.to(device), b.mask.to(device))
                .to(torch::kCPU, torch::kFloat)
                .contiguous(); // [B, C]
        const auto probs = torch::softmax(logits, -1).contiguous();
        for (int64_t i = 0; i < logits.size(0); ++i) {
            Prediction p;
            const float* l = logits[i].data_ptr<float>();
            p.logits.assign(l, l + logits.size(1));
            if (!regression) {
                const float* pr = probs[i].data_ptr<float>();
                p.probabilities.assign(pr, pr + probs.size(1));
                p.label = logits[i].argmax().item<int64_t>();
            }
            out.push_back(std::move(p));
        }
    }
    return out;
}

TextExample parseTextLine(const std::string& line) {
    std::string s = line;
    if (!s.empty() && s.back() == '\r') s.pop_back();
    const auto tab = s.find('\t');
    if (tab == std::string::npos) return {s, std::nullopt};
    return {s.substr(0, tab), s.substr(tab + 1)};
}

} // namespace adapterlab::train
