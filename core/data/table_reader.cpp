#include "data/table_reader.h"

#include "text/utf8.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace adapterlab::data {
namespace {

std::string lowerExt(const std::string& path) {
    const auto dot = path.find_last_of('.');
    std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

void stripCr(std::string& s) {
    if (!s.empty() && s.back() == '\r') s.pop_back();
}

std::vector<std::string> splitTabs(const std::string& line) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        const size_t tab = line.find('\t', start);
        out.push_back(line.substr(start, tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
    }
    return out;
}

// RFC 4180: quoted fields may hold commas, doubled quotes and newlines.
std::vector<Row> parseCsv(const std::string& text, const std::string& path) {
    std::vector<Row> rows;
    Row row;
    std::string field;
    bool quoted = false, fieldStarted = false;
    size_t line = 1;
    row.line = 1;
    const auto endField = [&] {
        row.fields.push_back(std::move(field));
        field.clear();
        fieldStarted = false;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field.push_back('"');
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n') ++line;
                field.push_back(c);
            }
        } else if (c == '"' && !fieldStarted) {
            quoted = fieldStarted = true;
        } else if (c == ',') {
            endField();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            endField();
            if (!(row.fields.size() == 1 && row.fields[0].empty())) rows.push_back(std::move(row));
            row = Row{};
            row.line = ++line;
        } else {
            field.push_back(c);
            fieldStarted = true;
        }
    }
    if (quoted) throw Error(where(path, row.line) + ": unterminated quoted field");
    if (fieldStarted || !row.fields.empty()) {
        endField();
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace

std::string where(const std::string& path, size_t line) { return path + ":" + std::to_string(line); }

size_t Table::column(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it != header.end()) return static_cast<size_t>(it - header.begin());
    std::string have;
    for (const auto& h : header) have += (have.empty() ? "" : ", ") + h;
    throw Error(path + ": no column '" + name + "' (columns: " + have + ")");
}

bool Table::hasColumn(const std::string& name) const {
    return std::find(header.begin(), header.end(), name) != header.end();
}

Format formatFromPath(const std::string& path) {
    const std::string ext = lowerExt(path);
    if (ext == "tsv" || ext == "txt") return Format::Tsv;
    if (ext == "csv") return Format::Csv;
    if (ext == "jsonl" || ext == "json" || ext == "ndjson") return Format::Jsonl;
    throw Error(path + ": unknown data format '." + ext + "' (use .csv, .tsv or .jsonl)");
}

Encoding parseEncoding(const std::string& name) {
    if (name == "utf-8" || name == "utf8" || name == "UTF-8") return Encoding::Utf8;
    if (name == "latin1" || name == "latin-1" || name == "iso-8859-1") return Encoding::Latin1;
    throw Error("unknown encoding '" + name + "' (utf-8 or latin1)");
}

std::string readTextFile(const std::string& path, Encoding encoding) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open data file '" + path + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (encoding == Encoding::Latin1) {
        std::string utf8;
        utf8.reserve(text.size() + text.size() / 8);
        for (unsigned char c : text) text::appendUtf8(utf8, c);
        text.swap(utf8);
    }
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3); // byte-order mark
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error(path + ": file is empty");
    if (!text::isValidUtf8(text)) {
        // Find the first bad line for the message.
        size_t line = 1, start = 0;
        while (true) {
            const size_t nl = text.find('\n', start);
            if (!text::isValidUtf8(std::string_view(text).substr(start, nl - start))) break;
            if (nl == std::string::npos) break;
            start = nl + 1;
            ++line;
        }
        throw Error(where(path, line) +
                    ": invalid UTF-8 (for a Latin-1 file add ,encoding=latin1 to the task spec)");
    }
    return text;
}

Table readTable(const std::string& path, Format format, bool hasHeader, Encoding encoding) {
    const std::string text = readTextFile(path, encoding);
    Table t;
    t.path = path;
    if (format == Format::Csv) {
        t.rows = parseCsv(text, path);
    } else {
        std::istringstream in(text);
        std::string line;
        size_t lineNo = 0;
        nlohmann::json obj;
        while (std::getline(in, line)) {
            ++lineNo;
            stripCr(line);
            if (line.find_first_not_of(" \t") == std::string::npos) continue;
            if (format == Format::Tsv) {
                t.rows.push_back({splitTabs(line), lineNo});
                continue;
            }
            try {
                obj = nlohmann::json::parse(line);
            } catch (const nlohmann::json::exception&) {
                throw Error(where(path, lineNo) + ": not valid JSON");
            }
            if (!obj.is_object()) throw Error(where(path, lineNo) + ": a JSON Lines row must be an object");
            Row row{{}, lineNo};
            for (const auto& [k, v] : obj.items())
                if (std::find(t.header.begin(), t.header.end(), k) == t.header.end()) t.header.push_back(k);
            row.fields.resize(t.header.size());
            for (size_t c = 0; c < t.header.size(); ++c) {
                const auto it = obj.find(t.header[c]);
                if (it == obj.end() || it->is_null()) continue;
                row.fields[c] = it->is_string() ? it->get<std::string>() : it->dump();
            }
            t.rows.push_back(std::move(row));
        }
        if (format == Format::Jsonl) {
            for (auto& r : t.rows) r.fields.resize(t.header.size());
            return t;
        }
    }
    if (hasHeader && !t.rows.empty()) {
        t.header = t.rows.front().fields;
        t.rows.erase(t.rows.begin());
    }
    return t;
}

} // namespace adapterlab::data
