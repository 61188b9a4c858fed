#pragma once
// A small learnable task and a random backbone for it, written to a temporary folder.
#include "data/task_loader.h"
#include "model/hf_import.h"
#include "text/tokenizer.h"
#include "train/method.h"
#include "train/run_config.h"
#include "train/trainer.h"

#include <memory>

#include <QDir>
#include <QFile>
#include <QStringList>
#include <QTemporaryDir>

namespace testutil {

using namespace adapterlab;

// A sentiment-like task whose label is decided by one word; learnable by any method.
struct Fixture {
    QTemporaryDir dir;
    std::string backbone, taskSpec;

    Fixture() {
        const QStringList pos{"good", "great", "fine", "nice"}, neg{"bad", "awful", "poor", "sad"};
        const QStringList filler{"the", "a", "film", "plot", "is", "was", "very", "and"};
        QByteArray train = "sentence\tlabel\n", dev = train;
        for (int i = 0; i < 320; ++i) {
            const bool positive = i % 2 == 0;
            QStringList words;
            for (int k = 0; k < 3 + i % 5; ++k) words << filler[(i * 7 + k * 3) % filler.size()];
            words.insert((i / 2) % words.size(), positive ? pos[(i / 2) % 4] : neg[(i / 2) % 4]);
            (i % 5 == 0 ? dev : train) += words.join(' ').toUtf8() + "\t" + (positive ? "1" : "0") + "\n";
        }
        writeFile("train.tsv", train);
        writeFile("dev.tsv", dev);
        taskSpec = "file:" + path("train.tsv") + ",dev=" + path("dev.tsv");
        // Backbone: a random small BERT with a vocabulary covering the words.
        QByteArray vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
        for (const auto& w : pos + neg + filler) vocab += w.toUtf8() + "\n";
        QDir().mkpath(dir.filePath("bb"));
        writeFile("bb/vocab.txt", vocab);
        model::BertConfig c;
        c.vocabSize = 5 + 16;
        c.hiddenSize = 32;
        c.numLayers = 2;
        c.numHeads = 2;
        c.intermediateSize = 64;
        c.maxPositions = 64;
        torch::manual_seed(5);
        model::BertModel m(c, std::nullopt, false);
        model::saveHfModel(m, path("bb"));
        backbone = path("bb");
    }
    std::string path(const QString& rel) const { return dir.filePath(rel).toStdString(); }
    void writeFile(const QString& rel, const QByteArray& content) {
        QFile f(dir.filePath(rel));
        f.open(QIODevice::WriteOnly);
        f.write(content);
    }
    train::RunConfig config(train::Method method, int epochs = 2) const {
        train::RunConfig c;
        c.task = taskSpec;
        c.backbone = backbone;
        c.method.method = method;
        c.adapter.size = 8;
        c.lora.rank = 4;
        c.prefix.length = 4;
        c.prefix.hidden = 16;
        c.learningRate = 3e-3;
        c.epochs = epochs;
        c.batchSize = 16;
        c.maxLength = 32;
        c.device = "cpu";
        c.threads = 1;
        return c;
    }
};

// A trainer over the fixture task with the backbone loaded (as experiments::runTraining builds it).
struct Setup {
    data::TaskData task;
    model::BertModel model{nullptr};
    std::unique_ptr<train::Trainer> trainer;

    Setup(const Fixture& f, const train::RunConfig& cfg) {
        task = data::loadTask(cfg.task);
        const auto files = model::HfModelFiles::inDirectory(cfg.backbone, true);
        auto mc = model::BertConfig::fromFile(files.config);
        mc.labels = task.labels;
        const auto ad = train::methodModules(cfg);
        torch::manual_seed(cfg.seed);
        model = model::BertModel(mc, ad, true);
        model::loadHfWeights(model, model::Checkpoint::load(files.weights), false);
        const text::WordPieceTokenizer tok(text::Vocab::load(files.vocab));
        trainer = std::make_unique<train::Trainer>(
            cfg, model, task, data::encodeSplit(task.train, tok, cfg.maxLength),
            data::encodeSplit(task.dev, tok, cfg.maxLength), tok.vocab().padId());
    }
};

} // namespace testutil
