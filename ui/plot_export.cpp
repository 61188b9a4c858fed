#include "plot_export.h"

#include <QBoxLayout>
#include <QFile>
#include <QFileDialog>
#include <QMessageBox>
#include <QPushButton>

namespace adapterlab::ui {

void addExportButtons(QWidget* owner, QBoxLayout* bar, ExportFn png, ExportFn pdf, ExportFn csv) {
    const struct {
        const char* label;
        const char* filter;
        const char* ext;
        ExportFn fn;
    } kinds[] = {{"PNG…", "PNG (*.png)", ".png", std::move(png)},
                 {"PDF…", "PDF (*.pdf)", ".pdf", std::move(pdf)},
                 {"CSV…", "CSV (*.csv)", ".csv", std::move(csv)}};
    for (const auto& k : kinds) {
        auto* b = new QPushButton(QObject::tr(k.label));
        bar->addWidget(b);
        const QString filter = k.filter, ext = k.ext;
        const ExportFn fn = k.fn;
        QObject::connect(b, &QPushButton::clicked, owner, [owner, filter, ext, fn] {
            QString p = QFileDialog::getSaveFileName(owner, QObject::tr("Export"), {}, filter);
            if (p.isEmpty()) return;
            if (!p.endsWith(ext)) p += ext;
            if (!fn(p)) QMessageBox::warning(owner, QObject::tr("Export failed"), QObject::tr("Could not write %1").arg(p));
        });
    }
}

bool writeTextFile(const QString& path, const std::string& text) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
    return f.write(text.data(), static_cast<qint64>(text.size())) == static_cast<qint64>(text.size());
}

} // namespace adapterlab::ui
