#include "run_form.h"

#include "data/builtin_tasks.h"
#include "data/task_loader.h"
#include "hub/hub.h"

#include "column_mapping_dialog.h"
#include "hub_dialog.h"
#include "model/config.h"
#include "text/tokenizer_files.h"
#include "train/method.h"
#include "train/param_count.h"
#include "train/run_config.h"
#include "util/error.h"

#include <algorithm>
#include <map>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <limits>

#include <torch/cuda.h>

namespace adapterlab::ui {
namespace {

const char* kInvalidStyle = "border: 1px solid #c0392b; background: #fdecea;";

QSpinBox* spin(int lo, int hi, int value) {
    auto* s = new QSpinBox;
    s->setRange(lo, hi);
    s->setValue(value);
    return s;
}

// A folder with train.tsv named like a GLUE task becomes glue:NAME:DIR.
QString specForFolder(const QString& dir) {
    const QString name = QFileInfo(dir).fileName();
    for (const auto& t : data::glueTaskNames())
        if (name.compare(QString::fromStdString(t), Qt::CaseInsensitive) == 0)
            return QString("glue:%1:%2").arg(QString::fromStdString(t), dir);
    return QString("file:%1/train.tsv,dev=%1/dev.tsv").arg(dir);
}

} // namespace

RunForm::RunForm(QWidget* parent) : QWidget(parent) {
    task = new QLineEdit;
    task->setPlaceholderText("glue:RTE:/path/to/RTE  |  file:train.csv,dev=dev.csv  |  lines:data.txt");
    backbone = new QLineEdit;
    backbone->setPlaceholderText(
        "Hugging Face encoder folder (BERT, RoBERTa, XLM-R, ELECTRA, DistilBERT), or hf:ORG/NAME");
    method = new QComboBox;
    method->setObjectName("method");
    for (const auto& m : train::methods())
        method->addItem(QString::fromStdString(m.name), QString::fromStdString(m.id));
    pooling = new QComboBox;
    pooling->addItem(tr("[CLS] token"), "cls");
    pooling->addItem(tr("mean of tokens"), "mean");
    pooling->setToolTip(tr("What the classifier reads. Backbones pre-trained here by MLM never trained [CLS]; "
                           "the mean of the token states often transfers better for them."));
    // The engine's own ranges: a spin box cannot hold a value the engine refuses.
    const auto knobSpin = [](train::Method m) {
        const auto& k = *train::methodInfo(m).knob;
        return spin(static_cast<int>(k.min), static_cast<int>(k.max),
                    static_cast<int>(k.defaultValue));
    };
    adapterSize = knobSpin(train::Method::Adapter);
    topK = knobSpin(train::Method::TopK);
    loraRank = knobSpin(train::Method::Lora);
    prefixLength = knobSpin(train::Method::Prefix);
    const train::RunConfig initial;
    adapterPlacement = new QComboBox;
    adapterPlacement->addItem(tr("method's default"), "default");
    adapterPlacement->addItem(tr("both sub-layers"), "both");
    adapterPlacement->addItem(tr("attention only"), "attention");
    adapterPlacement->addItem(tr("feed-forward only"), "ffn");
    adapterPlacement->setToolTip(
        tr("Which sub-layers carry an adapter. Default: Houlsby both, parallel feed-forward."));
    adapterActivation = new QComboBox;
    for (const char* a : {"gelu", "relu", "tanh", "swish"})
        adapterActivation->addItem(a, a);
    adapterNorm = new QCheckBox(tr("on the adapter's input"));
    adapterLayers = spin(1, 8, initial.adapter.hiddenLayers);
    adapterScaling = new QLineEdit(QString::number(initial.adapterScaling));
    loraAlpha = new QLineEdit(QString::number(initial.lora.alpha));
    loraDropout = new QLineEdit(QString::number(initial.lora.dropout));
    loraTargets = new QLineEdit(QString::fromStdString(model::toString(initial.lora.targets)));
    loraTargets->setToolTip(
        tr("Comma-separated: query, key, value, attention_output, intermediate, output"));
    prefixHidden =
        spin(0, static_cast<int>(model::kMaxHidden), static_cast<int>(initial.prefix.hidden));
    prefixHidden->setSpecialValueText(tr("none"));
    prefixHidden->setToolTip(
        tr("Width of the reparameterisation MLP the prefix is trained through (folded away "
           "when saved); none trains the prefix vectors directly."));
    prefixShift = new QCheckBox(tr("tokens after the prefix (as PEFT on BERT)"));
    prefixShift->setObjectName("prefixShift");
    prefixShift->setToolTip(
        tr("The tokens take positions l … l + T − 1, as transformers gives them after a prefix; "
           "needed to export the prefix for PEFT."));
    loraRank->setObjectName("loraRank");
    prefixLength->setObjectName("prefixLength");
    adapterLayers->setObjectName("adapterLayers");
    prefixHidden->setObjectName("prefixHidden");
    initStd = new QLineEdit("1e-2");
    learningRate = new QLineEdit("3e-4");
    const train::RunConfig defaults;
    epochs = spin(int(train::kEpochsRange.min), int(train::kEpochsRange.max), defaults.epochs);
    batchSize =
        spin(int(train::kBatchSizeRange.min), int(train::kBatchSizeRange.max), defaults.batchSize);
    maxLength =
        spin(int(train::kMaxLengthRange.min), int(train::kMaxLengthRange.max), defaults.maxLength);
    seed = spin(0, 1 << 30, 1);
    trainSize = spin(0, std::numeric_limits<int>::max(), 0);
    trainSize->setSpecialValueText(tr("all"));
    trainSize->setToolTip(
        tr("Train on a sample of this many training examples (stratified by label, drawn "
           "with the seed) to see how a method does with little labelled data; "
           "\"all\" uses the whole training split."));
    adapterSize->setObjectName("adapterSize");
    topK->setObjectName("topK");
    epochs->setObjectName("epochs");
    batchSize->setObjectName("batchSize");
    maxLength->setObjectName("maxLength");
    seed->setObjectName("seed");
    trainSize->setObjectName("trainSize");
    device = new QComboBox;
    device->addItem("auto");
    device->addItem("cpu");
    for (int i = 0; i < static_cast<int>(torch::cuda::device_count()); ++i) device->addItem(QString("cuda:%1").arg(i));
    device->setObjectName("device");
    precision = new QComboBox;
    precision->setObjectName("precision");
    for (const auto p : train::allPrecisions())
        precision->addItem(QString::fromStdString(train::toString(p)),
                           QString::fromStdString(train::toString(p)));
    precision->setToolTip(
        tr("auto: bf16 on a GPU that has it, else fp32. tf32 and fp16 need a CUDA "
           "device; bf16 on the CPU needs native bf16 (AVX512-BF16, AMX)."));
    preview = new QLabel;
    preview->setObjectName("preview");
    preview->setWordWrap(true);
    preview->setTextFormat(Qt::RichText);
    message = new QLabel;
    message->setObjectName("message");
    message->setWordWrap(true);
    message->setStyleSheet("color: #c0392b;");
    launch_ = new QPushButton(tr("Launch"));
    launch_->setObjectName("launch");

    auto* browseTask = new QPushButton(tr("Folder…"));
    browseTask->setToolTip(tr("A GLUE task folder (recognised by its name) or a folder with train.tsv and dev.tsv"));
    auto* taskFile = new QPushButton(tr("File…"));
    taskFile->setToolTip(tr("Your own CSV, TSV or JSONL file: choose its columns"));
    // Built-in tasks (text of Debian packages), with a description and their size.
    auto* builtin = new QToolButton;
    builtin->setObjectName("builtinTasks");
    builtin->setText(tr("Built-in"));
    builtin->setToolTip(tr("Tasks that work offline, made from text that Debian packages install"));
    builtin->setPopupMode(QToolButton::InstantPopup);
    builtin->setMenu(new QMenu(builtin));
    connect(builtin->menu(), &QMenu::aboutToShow, this, [this, builtin] {
        if (!builtin->menu()->isEmpty()) return; // sizes are read once (about a second)
        QApplication::setOverrideCursor(Qt::WaitCursor);
        for (const auto& info : data::builtinTasks()) {
            const QString spec = QString::fromStdString("builtin:" + info.name);
            QString size = tr("needs the package %1").arg(QString::fromStdString(info.package));
            if (info.available) {
                try {
                    const auto t = data::loadBuiltinTask(info.name);
                    size = tr("%L1 train, %L2 dev, %L3 test, %4 classes")
                               .arg(t.train.examples.size())
                               .arg(t.dev.examples.size())
                               .arg(t.test ? t.test->examples.size() : 0)
                               .arg(t.labels.size());
                } catch (const std::exception& e) {
                    size = QString::fromUtf8(e.what());
                }
            }
            auto* a = builtin->menu()->addAction(
                QString("%1 — %2 (%3)").arg(QString::fromStdString(info.name),
                                           QString::fromStdString(info.description), size),
                this, [this, spec] { task->setText(spec); });
            a->setEnabled(info.available);
        }
        QApplication::restoreOverrideCursor();
    });
    auto* browseBackbone = new QPushButton(tr("Folder…"));
    // Backbones used before (imported Hugging Face folders), newest first.
    backbones = new QToolButton;
    backbones->setObjectName("backboneList");
    backbones->setText(tr("Known"));
    backbones->setPopupMode(QToolButton::InstantPopup);
    backbones->setMenu(new QMenu(backbones));
    connect(backbones->menu(), &QMenu::aboutToShow, this, [this] {
        backbones->menu()->clear();
        auto* menu = backbones->menu();
        const QStringList known = QSettings().value("backbones/recent").toStringList();
        if (known.isEmpty()) menu->addAction(tr("(none yet: choose a folder)"))->setEnabled(false);
        for (const QString& dir : known)
            menu->addAction(dir, this, [this, dir] { backbone->setText(dir); });
        // The models of the Hugging Face cache (downloaded here or by Python tools).
        menu->addSection(tr("Hugging Face cache"));
        for (const auto& m : hub::listCached(hub::HubEnvironment::fromEnvironment())) {
            QStringList specs;
            for (const auto& r : m.revisions)
                specs << "hf:" + QString::fromStdString(m.id) +
                             (r == "main" ? "" : "@" + QString::fromStdString(r));
            if (specs.isEmpty())
                specs << "hf:" + QString::fromStdString(m.id) + "@" +
                             QString::fromStdString(m.commits.back());
            for (const QString& spec : specs)
                menu->addAction(spec, this, [this, spec] { backbone->setText(spec); })
                    ->setObjectName("cachedModel");
        }
        menu->addAction(tr("Download from Hugging Face…"), this, &RunForm::downloadFromHub)
            ->setObjectName("downloadFromHub");
    });
    // The field on its own line (specs and paths are long), its choosers below it.
    const auto row = [](QWidget* field, std::initializer_list<QWidget*> buttons) {
        auto* w = new QWidget;
        auto* v = new QVBoxLayout(w);
        v->setContentsMargins(0, 0, 0, 0);
        v->setSpacing(2);
        v->addWidget(field);
        auto* h = new QHBoxLayout;
        for (auto* b : buttons) h->addWidget(b);
        h->addStretch(1);
        v->addLayout(h);
        return w;
    };
    auto* form = form_ = new QFormLayout;
    form->addRow(tr("Task"), row(task, {browseTask, taskFile, builtin}));
    form->addRow(tr("Backbone"), row(backbone, {browseBackbone, backbones}));
    form->addRow(tr("Method"), method);
    form->addRow(tr("Classifier input"), pooling);
    form->addRow(tr(train::methodInfo(train::Method::Adapter).knob->label.c_str()), adapterSize);
    form->addRow(tr(train::methodInfo(train::Method::TopK).knob->label.c_str()), topK);
    form->addRow(tr(train::methodInfo(train::Method::Lora).knob->label.c_str()), loraRank);
    form->addRow(tr(train::methodInfo(train::Method::Prefix).knob->label.c_str()), prefixLength);
    form->addRow(tr("Init σ"), initStd);
    form->addRow(tr("Adapter placement"), adapterPlacement);
    form->addRow(tr("Adapter activation"), adapterActivation);
    form->addRow(tr("Adapter norm"), adapterNorm);
    form->addRow(tr("Adapter hidden layers"), adapterLayers);
    form->addRow(tr("Parallel scaling s"), adapterScaling);
    form->addRow(tr("LoRA alpha"), loraAlpha);
    form->addRow(tr("LoRA dropout"), loraDropout);
    form->addRow(tr("LoRA targets"), loraTargets);
    form->addRow(tr("Prefix MLP width"), prefixHidden);
    form->addRow(tr("Prefix positions"), prefixShift);
    form->addRow(tr("Learning rate"), learningRate);
    form->addRow(tr("Epochs"), epochs);
    form->addRow(tr("Batch size"), batchSize);
    form->addRow(tr("Max length"), maxLength);
    form->addRow(tr("Seed"), seed);
    form->addRow(tr("Training examples"), trainSize);
    form->addRow(tr("Device"), device);
    form->addRow(tr("Precision"), precision);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(preview);
    layout->addWidget(message);
    layout->addWidget(launch_);
    layout->addStretch(1);

    connect(browseTask, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Task folder"));
        if (!dir.isEmpty()) task->setText(specForFolder(dir));
    });
    connect(taskFile, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Training data"), {}, tr("Data (*.csv *.tsv *.jsonl *.json);;All files (*)"));
        if (f.isEmpty()) return;
        ColumnMappingDialog dialog(f, this);
        if (dialog.exec() == QDialog::Accepted && !dialog.spec().isEmpty()) task->setText(dialog.spec());
    });
    connect(browseBackbone, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Backbone folder"));
        if (!dir.isEmpty()) backbone->setText(dir);
    });
    for (auto* e : {task, backbone, initStd, learningRate, adapterScaling, loraAlpha, loraDropout,
                    loraTargets})
        connect(e, &QLineEdit::textChanged, this, &RunForm::revalidate);
    for (auto* s : {adapterSize, topK, epochs, batchSize, maxLength, seed, trainSize, adapterLayers,
                    loraRank, prefixLength, prefixHidden})
        connect(s, qOverload<int>(&QSpinBox::valueChanged), this, &RunForm::revalidate);
    for (auto* c : {method, pooling, device, precision, adapterPlacement, adapterActivation})
        connect(c, qOverload<int>(&QComboBox::currentIndexChanged), this, &RunForm::revalidate);
    connect(adapterNorm, &QCheckBox::toggled, this, &RunForm::revalidate);
    connect(prefixShift, &QCheckBox::toggled, this, &RunForm::revalidate);
    connect(launch_, &QPushButton::clicked, this, [this] {
        if (!config_) return;
        rememberBackbone(QString::fromStdString(config_->backbone));
        Q_EMIT launchRequested(*config_);
    });
    revalidate();
}

void RunForm::mark(QWidget* field, const QString& why) {
    field->setStyleSheet(kInvalidStyle);
    field->setToolTip(why);
}

void RunForm::setRunning(bool running) {
    running_ = running;
    revalidate();
}

std::map<std::string, QWidget*> RunForm::fieldWidgets() const {
    // The run settings' keys (train::FieldError::field) and the widgets that edit them.
    return {{"task", task},
            {"backbone", backbone},
            {"adapter_size", adapterSize},
            {"top_k", topK},
            {"init_std", initStd},
            {"learning_rate", learningRate},
            {"epochs", epochs},
            {"batch_size", batchSize},
            {"max_length", maxLength},
            {"seed", seed},
            {"train_size", trainSize},
            {"device", device},
            {"precision", precision},
            {"pooling", pooling},
            {"adapter_placement", adapterPlacement},
            {"adapter_activation", adapterActivation},
            {"adapter_norm", adapterNorm},
            {"adapter_layers", adapterLayers},
            {"adapter_scaling", adapterScaling},
            {"lora_rank", loraRank},
            {"lora_alpha", loraAlpha},
            {"lora_dropout", loraDropout},
            {"lora_targets", loraTargets},
            {"prefix_length", prefixLength},
            {"prefix_hidden", prefixHidden},
            {"prefix_shift_positions", prefixShift}};
}

train::Method RunForm::currentMethod() const {
    return train::parseMethod(method->currentData().toString().toStdString());
}

void RunForm::setMethod(train::Method m) {
    method->setCurrentIndex(method->findData(QString::fromLatin1(train::toString(m))));
}

void RunForm::revalidate() {
    const auto fields = fieldWidgets();
    for (const auto& [id, w] : fields) {
        w->setStyleSheet({});
        w->setToolTip({});
    }
    // Only the method's own settings are editable (its knob, the adapter's σ).
    const train::MethodInfo& info = train::methodInfo(currentMethod());
    const auto reads = [&](const char* setting) { return info.reads(setting); };
    // Only the chosen method's own settings are shown (and enabled).
    for (const char* setting :
         {"adapter_size", "init_std", "top_k", "adapter_placement", "adapter_activation",
          "adapter_norm", "adapter_layers", "adapter_scaling", "lora_rank", "lora_alpha",
          "lora_dropout", "lora_targets", "prefix_length", "prefix_hidden",
          "prefix_shift_positions"}) {
        QWidget* w = fields.at(setting);
        w->setEnabled(reads(setting));
        form_->setRowVisible(w, reads(setting));
    }
    config_.reset();
    error_.clear();
    train::RunConfig c;
    c.task = task->text().trimmed().toStdString();
    c.backbone = backbone->text().trimmed().toStdString();
    c.method.method = info.method;
    c.method.topK = topK->value();
    c.pooling = model::parsePooling(pooling->currentData().toString().toStdString());
    c.adapter.size = adapterSize->value();
    c.epochs = epochs->value();
    c.batchSize = batchSize->value();
    c.maxLength = maxLength->value();
    c.seed = static_cast<uint64_t>(seed->value());
    c.trainSize = trainSize->value();
    c.device = device->currentText().toStdString();
    c.precision = train::parsePrecision(precision->currentData().toString().toStdString());
    bool ok = false;
    c.adapter.initStd = initStd->text().toDouble(&ok);
    if (!ok) c.adapter.initStd = std::nan("");
    c.learningRate = learningRate->text().toDouble(&ok);
    if (!ok) c.learningRate = std::nan("");
    const auto number = [](QLineEdit* e) {
        bool fine = false;
        const double v = e->text().toDouble(&fine);
        return fine ? v : std::nan("");
    };
    c.adapter.placement =
        model::parsePlacement(adapterPlacement->currentData().toString().toStdString());
    c.adapter.activation =
        model::parseActivation(adapterActivation->currentData().toString().toStdString());
    c.adapter.innerNorm = adapterNorm->isChecked();
    c.adapter.hiddenLayers = adapterLayers->value();
    c.adapterScaling = number(adapterScaling);
    c.lora.rank = loraRank->value();
    c.lora.alpha = number(loraAlpha);
    c.lora.dropout = number(loraDropout);
    std::optional<train::FieldError> targetsProblem;
    try {
        c.lora.targets = model::parseLoraTargets(loraTargets->text().trimmed().toStdString());
    } catch (const Error& e) {
        c.lora.targets.clear();
        if (reads("lora_targets")) targetsProblem = train::FieldError{"lora_targets", e.what()};
    }
    c.prefix.length = prefixLength->value();
    c.prefix.hidden = prefixHidden->value();
    c.prefix.shiftPositions = prefixShift->isChecked();

    // The backbone folder's own files, then the engine's checks (with the backbone's limits
    // once its config is read), each marked at its field.
    std::optional<model::BertConfig> bb;
    std::optional<train::FieldError> folderProblem;
    QDir folder(backbone->text().trimmed());
    if (!c.backbone.empty()) {
        try {
            // A Hub model is read from its cached snapshot; the form never downloads.
            if (hub::isHubSpec(c.backbone)) {
                const auto snap = hub::cached(hub::ModelRef::parse(c.backbone),
                                              hub::HubEnvironment::fromEnvironment());
                if (!snap)
                    throw Error(c.backbone + " is not in the Hugging Face cache yet: download it "
                                             "first (adapterlab-cli hub download)");
                folder.setPath(QString::fromStdString(snap->folder));
            }
            if (!QFileInfo::exists(folder.filePath("config.json")))
                throw Error("backbone folder has no config.json");
            bb = model::BertConfig::fromFile(folder.filePath("config.json").toStdString());
            if (!text::hasTokenizerFiles(folder.path().toStdString()))
                throw Error(std::string("backbone folder has no tokenizer (") +
                            text::kTokenizerFileList + ")");
        } catch (const std::exception& e) {
            folderProblem = train::FieldError{"backbone", e.what()};
        }
    }
    std::vector<train::FieldError> problems = bb ? c.checkFor(*bb) : c.check();
    if (folderProblem) problems.push_back(*folderProblem);
    if (targetsProblem) { // the parser's reason, not check()'s "needs at least one target"
        problems.erase(std::remove_if(problems.begin(), problems.end(),
                                      [](const auto& p) { return p.field == "lora_targets"; }),
                       problems.end());
        problems.insert(problems.begin(), *targetsProblem);
    }
    for (const auto& p : problems) {
        const auto it = fields.find(p.field);
        if (it != fields.end() && it->second->styleSheet().isEmpty())
            mark(it->second, QString::fromStdString(p.message));
    }
    if (problems.empty())
        config_ = c;
    else
        error_ = QString::fromStdString(problems.front().message);
    message->setText(error_);
    // The count needs a valid knob (top-k within the backbone's layers).
    const bool knobValid =
        !info.knob || std::none_of(problems.begin(), problems.end(),
                                   [&](const auto& p) { return p.field == info.knob->setting; });
    if (bb && !knobValid) {
        preview->setText(tr("Fix %1 to see the trainable parameters.")
                             .arg(QString::fromStdString(info.knob->noun)));
    } else if (bb) {
        const auto counts = train::countParameters(*bb, c);
        QString groups;
        for (int g = 0; g < model::kNumParamGroups; ++g)
            if (counts.trainableByGroup[static_cast<size_t>(g)] > 0)
                groups += QString("%1 %2; ").arg(model::toString(static_cast<model::ParamGroup>(g)))
                              .arg(QLocale().toString(qlonglong(counts.trainableByGroup[static_cast<size_t>(g)])));
        preview->setText(tr("<b>%1</b> trainable parameters (%2% of the %3-parameter backbone)<br><small>%4</small>")
                             .arg(QLocale().toString(qlonglong(counts.trainable)))
                             .arg(counts.trainablePercent(), 0, 'f', 3)
                             .arg(QLocale().toString(qlonglong(counts.backbone)))
                             .arg(groups));
    } else {
        preview->setText(tr("Choose a backbone to see the trainable parameters."));
    }
    launch_->setEnabled(config_.has_value() && !running_);
}

void RunForm::downloadFromHub() {
    HubDialog dialog(this);
    connect(&dialog, &HubDialog::downloaded, this, [this, &dialog](const QString& spec) {
        backbone->setText(spec);
        dialog.accept();
    });
    dialog.exec();
}

void RunForm::rememberBackbone(const QString& dir) {
    QSettings s;
    QStringList known = s.value("backbones/recent").toStringList();
    known.removeAll(dir);
    known.prepend(dir);
    s.setValue("backbones/recent", known.mid(0, 12));
}

QStringList RunForm::knownBackbones() { return QSettings().value("backbones/recent").toStringList(); }

void RunForm::saveSettings(QSettings& s) const {
    s.beginGroup("runForm");
    s.setValue("task", task->text());
    s.setValue("backbone", backbone->text());
    s.setValue("method", method->currentData());
    s.setValue("pooling", pooling->currentData());
    s.setValue("initStd", initStd->text());
    s.setValue("learningRate", learningRate->text());
    s.setValue("device", device->currentText());
    s.setValue("precision", precision->currentData());
    for (auto* sp : {adapterSize, topK, epochs, batchSize, maxLength, seed, trainSize,
                     adapterLayers, loraRank, prefixLength, prefixHidden})
        s.setValue(sp->objectName(), sp->value());
    s.endGroup();
}

void RunForm::loadSettings(const QSettings& s) {
    const auto get = [&](const QString& k) { return s.value("runForm/" + k); };
    if (get("task").isValid()) task->setText(get("task").toString());
    if (get("backbone").isValid()) backbone->setText(get("backbone").toString());
    if (get("method").isValid()) {
        // Stored as the method's id (older settings too: the combo showed ids then).
        const int i = method->findData(get("method").toString());
        if (i >= 0) method->setCurrentIndex(i);
    }
    if (get("pooling").isValid()) pooling->setCurrentIndex(std::max(0, pooling->findData(get("pooling"))));
    if (get("initStd").isValid()) initStd->setText(get("initStd").toString());
    if (get("learningRate").isValid()) learningRate->setText(get("learningRate").toString());
    if (get("device").isValid()) device->setCurrentText(get("device").toString());
    if (get("precision").isValid())
        precision->setCurrentIndex(std::max(0, precision->findData(get("precision"))));
    for (auto* sp : {adapterSize, topK, epochs, batchSize, maxLength, seed, trainSize,
                     adapterLayers, loraRank, prefixLength, prefixHidden})
        if (get(sp->objectName()).isValid()) sp->setValue(get(sp->objectName()).toInt());
    revalidate();
}

} // namespace adapterlab::ui
