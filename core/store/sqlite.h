#pragma once
// A thin RAII layer over the SQLite C API: a connection, prepared statements, transactions.
// Every failure throws Error with SQLite's message and the file name.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace adapterlab::store {

class Statement;

class Database {
public:
    Database(const std::string& path, bool readOnly);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(const std::string& sql);
    Statement prepare(const std::string& sql);
    int64_t lastInsertId() const;
    int changes() const;
    const std::string& path() const { return path_; }
    bool readOnly() const { return readOnly_; }
    [[noreturn]] void fail(const std::string& what) const;
    sqlite3* handle() { return db_; }

private:
    sqlite3* db_ = nullptr;
    std::string path_;
    bool readOnly_;
};

class Statement {
public:
    Statement(Database& db, const std::string& sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement(const Statement&) = delete;

    Statement& bind(int i, int64_t v);
    Statement& bind(int i, double v);
    Statement& bind(int i, const std::string& v);
    Statement& bind(int i, const std::vector<char>& blob);
    Statement& bindNull(int i);
    template <typename T>
    Statement& bind(int i, const std::optional<T>& v) {
        return v ? bind(i, *v) : bindNull(i);
    }

    /// Advances; true while a row is available.
    bool step();
    /// Runs a statement that returns no rows, then resets it for reuse.
    void run();
    void reset();

    int64_t getInt(int col) const;
    double getDouble(int col) const;
    std::string getText(int col) const;
    std::vector<char> getBlob(int col) const;
    bool isNull(int col) const;
    int columnCount() const;
    std::string columnName(int col) const;

private:
    Database* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed without commit().
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

} // namespace adapterlab::store
