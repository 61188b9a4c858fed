#include "pretrain_dialog.h"

#include "pretrain/mlm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <map>

namespace adapterlab::ui {
namespace {

// The dialog's choices as the engine's options (checked in the dialog, run by the worker).
pretrain::PretrainOptions makeOptions(const QString& outDir, const QString& preset,
                                      const QStringList& corpus, const QStringList& taskTexts,
                                      bool debianText, const QString& initFrom, qint64 maxSteps) {
    pretrain::PretrainOptions o;
    o.outDir = outDir.toStdString();
    o.preset = preset.toStdString();
    o.maxSteps = maxSteps;
    o.corpus.debianText = debianText;
    o.initFrom = initFrom.toStdString();
    for (const auto& c : corpus) o.corpus.paths.push_back(c.toStdString());
    for (const auto& t : taskTexts) o.corpus.taskTexts.push_back(t.toStdString());
    return o;
}

} // namespace

void PretrainWorker::run(const QString& outDir, const QString& preset, const QStringList& corpus,
                         const QStringList& taskTexts, bool debianText, const QString& initFrom,
                         qint64 maxSteps) {
    beginJob();
    try {
        const auto o =
            makeOptions(outDir, preset, corpus, taskTexts, debianText, initFrom, maxSteps);
        const auto r = pretrain::pretrainBackbone(o, [this](const pretrain::PretrainProgress& p) {
            Q_EMIT progressed(p.step, p.totalSteps, p.loss, p.tokensPerSecond, p.etaSeconds);
        }, &cancel_);
        if (r.cancelled)
            Q_EMIT finished(false, tr("Stopped at step %1; Start continues from there.").arg(r.steps));
        else
            Q_EMIT finished(true, tr("Done: %1 steps, MLM loss %2, %3 tokens of %L4-token corpus.")
                                      .arg(r.steps).arg(r.finalLoss, 0, 'f', 3).arg(r.tokensSeen).arg(r.corpusTokens));
    } catch (const std::exception& e) {
        Q_EMIT finished(false, QString::fromUtf8(e.what()));
    }
}

namespace {
// A folder-name-friendly name of a task SPEC: glue:SST-2:DIR -> SST-2, file:a/b/train.tsv,... ->
// train.
QString taskShortName(const QString& spec) {
    const auto parts = spec.split(':');
    if (parts.size() >= 2 && parts[0] == "glue") return parts[1];
    if (parts.size() >= 2 && (parts[0] == "file" || parts[0] == "lines"))
        return QFileInfo(spec.mid(parts[0].size() + 1).section(',', 0, 0)).completeBaseName();
    return parts.size() >= 2 ? parts[1] : spec;
}

// The folder name of a start path ("a/mini/" -> "mini").
QString folderName(const QString& path) { return QDir(QDir::cleanPath(path.trimmed())).dirName(); }
} // namespace

QString PretrainDialog::defaultFolder(const QString& presetName) {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath("backbones/" + presetName);
}

PretrainDialog::PretrainDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Build an offline backbone"));
    setMinimumWidth(560);
    preset = new QComboBox;
    for (const auto& name : pretrain::pretrainPresetNames()) preset->addItem(QString::fromStdString(name));
    output = new QLineEdit(defaultFolder("mini"));
    corpus = new QLineEdit;
    corpus->setPlaceholderText(tr("optional: your text files or folders, separated by ;"));
    startFrom = new QLineEdit;
    startFrom->setPlaceholderText(
        tr("optional: a BERT folder to continue (keeps its vocabulary and size)"));
    startFrom->setToolTip(
        tr("Continued pre-training: start from this backbone's weights instead of a new model, "
           "on the text below (domain- or task-adaptive pre-training). The preset gives the steps; "
           "the learning rate is a tenth of the preset's."));
    debianText = new QCheckBox(tr("WordNet glosses and fortune cookies (Debian packages)"));
    debianText->setChecked(true);
    taskText = new QCheckBox;
    taskText->setToolTip(
        tr("Task-adaptive pre-training: the task's training sentences, without their labels, "
           "join the corpus. On SST-2 it raised the mini backbone's full fine-tuning by 0.9 "
           "points and adapters by 2.0. Dev and test text are never read."));
    setTask({});
    cost = new QLabel;
    cost->setWordWrap(true);
    auto* note = new QLabel(
        tr("Pre-trains a small BERT by masked language modelling on English text "
           "from Debian packages (WordNet, fortunes), yours and your task's. Enough to try the "
           "workbench offline; paper-grade results need an imported BERT."));
    note->setWordWrap(true);
    progress = new QProgressBar;
    progress->setRange(0, 1);
    progress->setValue(0);
    status = new QLabel;
    status->setWordWrap(true);
    start = new QPushButton(tr("Start"));
    stop = new QPushButton(tr("Stop"));
    stop->setEnabled(false);
    auto* form = new QFormLayout;
    form->addRow(tr("Preset"), preset);
    form->addRow(cost); // spans the dialog: the cost line is long
    form->addRow(tr("Folder"), output);
    form->addRow(tr("Start from"), startFrom);
    form->addRow(tr("Debian text"), debianText);
    form->addRow(tr("More text"), corpus);
    form->addRow(tr("Task text"), taskText);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(start);
    buttons->addWidget(stop);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addLayout(form);
    layout->addWidget(progress);
    layout->addWidget(status);
    layout->addLayout(buttons);
    const auto showCost = [this] {
        const auto p = pretrain::pretrainPreset(preset->currentText().toStdString());
        if (startFrom->text().trimmed().isEmpty())
            cost->setText(tr("%1 · d %2, %3 layers, %4 steps")
                              .arg(QString::fromStdString(p.cost))
                              .arg(p.model.hiddenSize)
                              .arg(p.model.numLayers)
                              .arg(p.steps));
        else
            cost->setText(
                tr("Continues %1 for %2 steps of %3 × %4 tokens at a peak learning rate of %5; "
                   "its vocabulary and size are kept.")
                    .arg(folderName(startFrom->text()))
                    .arg(p.steps)
                    .arg(p.batchSize)
                    .arg(p.sequenceLength)
                    .arg(p.learningRate / 10));
    };
    showCost();
    connect(preset, &QComboBox::currentTextChanged, this, [this, showCost] {
        showCost();
        suggestFolder();
    });
    connect(startFrom, &QLineEdit::textChanged, this, [this, showCost] {
        showCost();
        suggestFolder();
    });
    connect(taskText, &QCheckBox::toggled, this, &PretrainDialog::suggestFolder);

    worker_ = thread_.start(new PretrainWorker);
    connect(start, &QPushButton::clicked, this, &PretrainDialog::begin);
    connect(stop, &QPushButton::clicked, this, [this] {
        if (worker_) worker_->cancel();
        status->setText(tr("Stopping after this step…"));
    });
    connect(worker_, &PretrainWorker::progressed, this,
            [this](qint64 step, qint64 total, double loss, double tps, double eta) {
                progress->setRange(0, static_cast<int>(total));
                progress->setValue(static_cast<int>(step));
                status->setText(tr("step %1 of %2 · MLM loss %3 · %4 tokens/s · %5 min left")
                                    .arg(step).arg(total).arg(loss, 0, 'f', 3).arg(tps, 0, 'f', 0)
                                    .arg(eta / 60, 0, 'f', 0));
            });
    connect(worker_, &PretrainWorker::finished, this, [this](bool ok, const QString& message) {
        running_ = false;
        start->setEnabled(true);
        stop->setEnabled(false);
        for (QWidget* w : std::initializer_list<QWidget*>{preset, startFrom, debianText})
            w->setEnabled(true);
        taskText->setEnabled(!task_.isEmpty());
        status->setText(message);
        if (ok) Q_EMIT built(folder());
    });
}

PretrainDialog::~PretrainDialog() = default; // thread_ stops the worker and waits for it

void PretrainDialog::stopWorker() {
    thread_.stop();
    running_ = false;
    start->setEnabled(false);
    stop->setEnabled(false);
}

QString PretrainDialog::folder() const { return output->text().trimmed(); }

// The default folder follows the preset and the task text: a folder keeps the corpus it was
// built with, so a task-adapted backbone gets its own.
void PretrainDialog::suggestFolder() {
    if (running_) return;
    const QString from = startFrom->text().trimmed();
    QString name =
        from.isEmpty() ? preset->currentText() : folderName(from) + "-continued";
    if (taskText->isChecked() && !task_.isEmpty()) name += "-" + taskShortName(task_);
    output->setText(defaultFolder(name));
}

void PretrainDialog::setTask(const QString& spec) {
    if (running_) return; // the running pre-training keeps the task it started with
    task_ = spec.trimmed();
    taskText->setEnabled(!task_.isEmpty() && !running_);
    if (task_.isEmpty()) taskText->setChecked(false);
    taskText->setText(
        task_.isEmpty()
            ? tr("(choose a task in the run form to add its training text)")
            : tr("add the training text of %1 (labels not read)").arg(taskShortName(task_)));
    taskText->setStatusTip(task_);
    if (taskText->isChecked()) suggestFolder();
}

bool PretrainDialog::checkFields(const pretrain::PretrainOptions& o) {
    // The options' own checks, marked at the field they are about (nothing is written).
    const std::map<std::string, QWidget*> fields{
        {"out", output}, {"preset", preset}, {"init_from", startFrom}};
    for (const auto& [id, w] : fields) {
        w->setStyleSheet({});
        w->setToolTip({});
    }
    const auto problems = pretrain::checkPretrainOptions(o);
    for (const auto& p : problems)
        if (const auto it = fields.find(p.field); it != fields.end()) {
            it->second->setStyleSheet("border: 1px solid #c0392b; background: #fdecea;");
            it->second->setToolTip(QString::fromStdString(p.message));
        }
    if (!problems.empty()) status->setText(QString::fromStdString(problems.front().message));
    return problems.empty();
}

void PretrainDialog::begin() {
    if (running_ || !worker_) return;
    QStringList paths;
    for (const auto& p : corpus->text().split(';', Qt::SkipEmptyParts)) paths << p.trimmed();
    QStringList tasks;
    if (taskText->isChecked() && !task_.isEmpty()) tasks << task_;
    if (!checkFields(makeOptions(folder(), preset->currentText(), paths, tasks,
                                 debianText->isChecked(), startFrom->text().trimmed(), maxSteps_)))
        return;
    running_ = true;
    start->setEnabled(false);
    stop->setEnabled(true);
    for (QWidget* w : std::initializer_list<QWidget*>{preset, startFrom, debianText, taskText})
        w->setEnabled(false);
    status->setText(tr("Building the corpus and the vocabulary…"));
    worker_->arm();
    QMetaObject::invokeMethod(worker_, "run", Qt::QueuedConnection, Q_ARG(QString, folder()),
                              Q_ARG(QString, preset->currentText()), Q_ARG(QStringList, paths),
                              Q_ARG(QStringList, tasks), Q_ARG(bool, debianText->isChecked()),
                              Q_ARG(QString, startFrom->text().trimmed()),
                              Q_ARG(qint64, maxSteps_));
}

} // namespace adapterlab::ui
