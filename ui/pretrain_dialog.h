#pragma once
// Build an offline backbone: pick a preset (with what it costs and gives), pre-train on a worker
// thread with progress, stop and continue later. The result joins the known backbones.
#include "worker_thread.h"

#include <QDialog>
#include <QPointer>
#include <QString>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace adapterlab::pretrain {
struct PretrainOptions;
}

namespace adapterlab::ui {

/// Runs pretrainBackbone on its own thread; progress and the end come back as queued signals.
class PretrainWorker : public CancellableWorker {
    Q_OBJECT
public Q_SLOTS:
    void run(const QString& outDir, const QString& preset, const QStringList& corpus,
             const QStringList& taskTexts, bool debianText, const QString& initFrom,
             qint64 maxSteps);
Q_SIGNALS:
    void progressed(qint64 step, qint64 total, double loss, double tokensPerSecond, double etaSeconds);
    /// ok: the folder is a finished backbone; otherwise `message` says why (stopped or failed).
    void finished(bool ok, const QString& message);
};

class PretrainDialog : public QDialog {
    Q_OBJECT
public:
    explicit PretrainDialog(QWidget* parent = nullptr);
    ~PretrainDialog() override;

    /// Default output folder for a preset: <app data>/backbones/<preset>.
    static QString defaultFolder(const QString& preset);
    QString folder() const;
    void setMaxSteps(qint64 steps) { maxSteps_ = steps; } ///< tests: a short run
    /// The run form's task (a SPEC; empty: none): its training text can join the corpus.
    void setTask(const QString& spec);
    /// A pre-training is running (or queued).
    bool isRunning() const { return running_; }
    /// Stops the pre-training at its next step (it continues from its checkpoint on the next
    /// Start in a new dialog) and waits for its thread; this dialog starts nothing afterwards.
    void stopWorker();
    QComboBox* preset;
    QLineEdit *output, *corpus;
    QLineEdit* startFrom;  ///< optional BERT folder to continue (domain/task-adaptive pre-training)
    QCheckBox* debianText; ///< the Debian text (WordNet, fortunes) in the corpus
    QCheckBox* taskText; ///< add the run form's task's training text (task-adaptive pre-training)
    QPushButton *start, *stop;
    QProgressBar* progress;
    QLabel *cost, *status;

Q_SIGNALS:
    /// A finished backbone folder.
    void built(const QString& folder);

private:
    void begin();
    /// Marks the fields whose options cannot run; false when there is one.
    bool checkFields(const pretrain::PretrainOptions& options);
    void suggestFolder();
    WorkerThread thread_;
    QPointer<PretrainWorker> worker_; ///< null once the thread has stopped
    qint64 maxSteps_ = 0;
    QString task_;
    bool running_ = false;
};

} // namespace adapterlab::ui
