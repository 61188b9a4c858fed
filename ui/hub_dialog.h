#pragma once
// "Download from Hugging Face…": a model id and revision, the download into the Hugging Face
// cache on a worker thread (progress, rate, Cancel), and the hf: spec of the result.
#include "worker_thread.h"

#include <QDialog>
#include <QPointer>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace adapterlab::ui {

class HubWorker : public CancellableWorker {
    Q_OBJECT
public:
    using CancellableWorker::CancellableWorker;

public Q_SLOTS:
    /// Downloads ID@REV with the environment's Hub settings (runs on the worker's thread).
    void download(const QString& id, const QString& revision);

Q_SIGNALS:
    void progressed(const QString& file, qint64 done, qint64 total, double bytesPerSecond);
    /// ok: `message` is the snapshot folder; else why it failed (or that it was cancelled).
    void finished(bool ok, const QString& message);
};

class HubDialog : public QDialog {
    Q_OBJECT
public:
    explicit HubDialog(QWidget* parent = nullptr);
    ~HubDialog() override;

    /// "hf:ID" or "hf:ID@REV" once a download succeeded ("" before).
    QString spec() const { return spec_; }

    // Public for tests.
    QLineEdit *modelId, *revision;
    QProgressBar* progress;
    QLabel* status;
    QPushButton *start, *cancel;

Q_SIGNALS:
    void downloaded(const QString& spec);

private:
    void begin();
    WorkerThread thread_;
    QPointer<HubWorker> worker_;
    QString spec_;
    bool running_ = false;
};

} // namespace adapterlab::ui
