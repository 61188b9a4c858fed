#include "user_guide.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

namespace adapterlab::ui {

QString userGuidePath() {
    const QDir bin(QCoreApplication::applicationDirPath());
    const QStringList candidates = {
        bin.filePath("../share/adapterlab/guide/README.md"),
        QStringLiteral(ADAPTERLAB_SOURCE_DIR "/README.md"),
    };
    for (const QString& c : candidates)
        if (QFileInfo(c).isFile()) return QFileInfo(c).canonicalFilePath();
    return {};
}

UserGuideDialog::UserGuideDialog(const QString& path, QWidget* parent)
    : QDialog(parent), browser_(new QTextBrowser(this)) {
    setWindowTitle(tr("AdapterLab user guide"));
    setAttribute(Qt::WA_DeleteOnClose);
    resize(900, 700);
    browser_->setOpenExternalLinks(true);
    // Relative image links (docs/images/…) resolve against the guide's folder.
    browser_->setSearchPaths({QFileInfo(path).absolutePath()});
    if (path.isEmpty())
        browser_->setPlainText(tr("The user guide (README.md) is not installed with this build."));
    else
        browser_->setSource(QUrl::fromLocalFile(path), QTextDocument::MarkdownResource);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(browser_);
}

} // namespace adapterlab::ui
