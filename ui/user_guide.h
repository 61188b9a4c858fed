#pragma once
// Help → User guide: the README rendered in the app, found next to an installed binary or in the
// source tree of a build.
#include <QDialog>
#include <QString>

class QTextBrowser;

namespace adapterlab::ui {

/// The README.md to show: the installed copy (<prefix>/share/adapterlab/guide) first, else the
/// source tree's; empty when neither exists.
QString userGuidePath();

class UserGuideDialog : public QDialog {
    Q_OBJECT
public:
    explicit UserGuideDialog(const QString& path, QWidget* parent = nullptr);
    QTextBrowser* browser() const { return browser_; }

private:
    QTextBrowser* browser_;
};

} // namespace adapterlab::ui
