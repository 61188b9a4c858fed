#pragma once
// Reads delimited text (TSV, CSV with RFC 4180 quoting) and JSON Lines into rows of strings,
// keeping line numbers for error messages. Validates UTF-8; strips a byte-order mark.
#include <map>
#include <string>
#include <vector>

namespace adapterlab::data {

struct Row {
    std::vector<std::string> fields;
    size_t line = 0; ///< 1-based line where the row starts
};

struct Table {
    std::string path;
    std::vector<std::string> header; ///< empty when the file has none
    std::vector<Row> rows;

    /// Column index by name; throws Error naming the file and the available columns.
    size_t column(const std::string& name) const;
    bool hasColumn(const std::string& name) const;
};

enum class Format { Tsv, Csv, Jsonl };

/// Format from the file extension (.tsv, .csv, .jsonl/.json); throws Error otherwise.
Format formatFromPath(const std::string& path);

/// Reads the whole file. For Tsv/Csv the first row is the header when `hasHeader`; JSONL
/// objects become rows whose header is the union of keys (first-seen order).
enum class Encoding { Utf8, Latin1 };

/// Parses "utf-8" | "utf8" | "latin1" | "latin-1" | "iso-8859-1"; throws Error otherwise.
Encoding parseEncoding(const std::string& name);

Table readTable(const std::string& path, Format format, bool hasHeader = true,
                Encoding encoding = Encoding::Utf8);

/// Reads a file into a UTF-8 string, refusing empty files and invalid UTF-8 (with line number).
/// Latin-1 files are converted.
std::string readTextFile(const std::string& path, Encoding encoding = Encoding::Utf8);

/// "path:line: message"
std::string where(const std::string& path, size_t line);

} // namespace adapterlab::data
