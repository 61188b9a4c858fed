#pragma once
// Export for every plot view: PNG…/PDF…/CSV… buttons that ask for a file name, and the file write.
#include <QString>

#include <functional>
#include <string>

class QBoxLayout;
class QWidget;

namespace adapterlab::ui {

using ExportFn = std::function<bool(const QString& path)>;

/// Appends the three buttons to `bar`; each asks (parent `owner`) for a path with the right
/// extension and calls its function.
void addExportButtons(QWidget* owner, QBoxLayout* bar, ExportFn png, ExportFn pdf, ExportFn csv);

/// Writes `text` to `path`; false when the file cannot be written completely.
bool writeTextFile(const QString& path, const std::string& text);

} // namespace adapterlab::ui
