#include "hub_dialog.h"

#include "hub/hub.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <chrono>

namespace adapterlab::ui {

void HubWorker::download(const QString& id, const QString& revision) {
    beginJob();
    try {
        const auto ref = hub::ModelRef::parse(id.toStdString() + "@" + revision.toStdString());
        hub::DownloadOptions o;
        // curl reports many times a second: the window hears of it every 100 ms and at the end.
        auto last = std::chrono::steady_clock::time_point{};
        o.progress = [this, last](const hub::Progress& p) mutable {
            const auto now = std::chrono::steady_clock::now();
            if (now - last >= std::chrono::milliseconds(100) ||
                (p.total > 0 && p.done >= p.total)) {
                last = now;
                Q_EMIT progressed(QString::fromStdString(p.file), p.done, p.total,
                                  p.bytesPerSecond);
            }
            return !cancel_.load();
        };
        const auto s = hub::download(ref, hub::HubEnvironment::fromEnvironment(), o);
        Q_EMIT finished(true, QString::fromStdString(s.folder));
    } catch (const std::exception& e) {
        Q_EMIT finished(false, QString::fromUtf8(firstLine(e.what()).c_str()));
    }
}

HubDialog::HubDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Download from Hugging Face"));
    setMinimumWidth(560); // the cache path and the progress line stay readable
    modelId = new QLineEdit;
    modelId->setObjectName("hubModelId");
    modelId->setPlaceholderText("google-bert/bert-base-uncased");
    revision = new QLineEdit("main");
    revision->setObjectName("hubRevision");
    progress = new QProgressBar;
    progress->setRange(0, 1000);
    progress->setValue(0);
    status = new QLabel;
    status->setWordWrap(true);
    status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    const auto env = hub::HubEnvironment::fromEnvironment();
    auto* where =
        new QLabel(tr("Into the Hugging Face cache <tt>%1</tt> (shared with Python tools; "
                      "HF_HOME, HF_HUB_CACHE, HF_ENDPOINT and HF_TOKEN apply).")
                       .arg(QString::fromStdString(env.cacheDir).toHtmlEscaped()));
    where->setWordWrap(true);
    start = new QPushButton(tr("Download"));
    start->setObjectName("hubDownload");
    start->setDefault(true);
    cancel = new QPushButton(tr("Cancel download"));
    cancel->setObjectName("hubCancel");
    cancel->setEnabled(false);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(start, QDialogButtonBox::ActionRole);
    buttons->addButton(cancel, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* form = new QFormLayout;
    form->addRow(tr("Model id"), modelId);
    form->addRow(tr("Revision"), revision);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(where);
    layout->addLayout(form);
    layout->addWidget(progress);
    layout->addWidget(status);
    layout->addWidget(buttons);
    if (env.offline) {
        status->setText(tr("HF_HUB_OFFLINE is set: only models already in the cache can be used."));
        start->setEnabled(false);
    }

    worker_ = thread_.start(new HubWorker);
    connect(start, &QPushButton::clicked, this, &HubDialog::begin);
    connect(modelId, &QLineEdit::returnPressed, this, &HubDialog::begin);
    connect(cancel, &QPushButton::clicked, this, [this] {
        if (worker_) worker_->cancel();
        status->setText(tr("Cancelling…"));
    });
    connect(worker_, &HubWorker::progressed, this,
            [this](const QString& file, qint64 done, qint64 total, double rate) {
                progress->setValue(total > 0 ? static_cast<int>(1000 * done / total) : 0);
                const QLocale l;
                QString text = file + "  " + l.formattedDataSize(done);
                if (total > 0) text += " / " + l.formattedDataSize(total);
                if (rate > 0) {
                    text += "  " + l.formattedDataSize(static_cast<qint64>(rate)) + "/s";
                    if (total > done)
                        text +=
                            tr("  %1 s left").arg(static_cast<qint64>((total - done) / rate + 0.5));
                }
                status->setText(text);
            });
    connect(worker_, &HubWorker::finished, this, [this](bool ok, const QString& message) {
        running_ = false;
        start->setEnabled(true);
        cancel->setEnabled(false);
        modelId->setEnabled(true);
        revision->setEnabled(true);
        if (!ok) {
            progress->setValue(0);
            status->setText(message);
            return;
        }
        progress->setValue(1000);
        const QString rev = revision->text().trimmed();
        spec_ =
            "hf:" + modelId->text().trimmed() + (rev.isEmpty() || rev == "main" ? "" : "@" + rev);
        // The snapshot folder ends in a 40-digit commit: shown short, whole in the tooltip.
        const QString commit = QFileInfo(message).fileName();
        status->setText(tr("Done: %1 (commit %2) is in the cache.").arg(spec_, commit.left(12)));
        status->setToolTip(message);
        Q_EMIT downloaded(spec_);
    });
}

HubDialog::~HubDialog() = default; // thread_ cancels the download and waits for it

void HubDialog::begin() {
    if (running_) return;
    const QString id = modelId->text().trimmed();
    const QString rev = revision->text().trimmed().isEmpty() ? "main" : revision->text().trimmed();
    try {
        hub::ModelRef::parse(id.toStdString() + "@" + rev.toStdString());
    } catch (const std::exception& e) {
        status->setText(QString::fromUtf8(e.what()));
        return;
    }
    running_ = true;
    start->setEnabled(false);
    cancel->setEnabled(true);
    modelId->setEnabled(false);
    revision->setEnabled(false);
    progress->setValue(0);
    status->setText(
        tr("Asking %1…")
            .arg(QString::fromStdString(hub::HubEnvironment::fromEnvironment().endpoint)));
    worker_->arm();
    QMetaObject::invokeMethod(worker_, "download", Qt::QueuedConnection, Q_ARG(QString, id),
                              Q_ARG(QString, rev));
}

} // namespace adapterlab::ui
