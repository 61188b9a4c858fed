#pragma once
// One HTTP request through libcurl: what the Hub client needs (HEAD without redirects, GET with
// redirects, Range, a streaming body, progress with cancel). No torch, no Qt.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace adapterlab::hub {

struct HttpRequest {
    std::string url;
    std::vector<std::string> headers; ///< "Name: value"
    bool head = false;      ///< redirects are never followed: the caller decides where a token goes
    int64_t rangeFrom = -1; ///< >= 0: "Range: bytes=N-"
    /// Receives the body of a 2xx response; false stops the transfer (a write error). Null: the
    /// body is kept in HttpResponse::body.
    std::function<bool(const char* data, size_t size)> sink;
    /// The final response's status, called before the first byte of a 2xx body reaches the sink.
    std::function<void(long status)> onStatus;
    /// Bytes of the body so far and in all (0: unknown); false cancels.
    std::function<bool(int64_t done, int64_t total)> progress;
    long connectTimeoutS = 15;
    long stallTimeoutS = 60; ///< a transfer below 1 byte/s for this long is cut
};

enum class Transfer {
    Done,      ///< a response came (any status)
    Network,   ///< no connection, or the connection broke (the body may be partial)
    Cancelled, ///< the progress callback said stop
    Write      ///< the sink refused data
};

struct HttpResponse {
    Transfer transfer = Transfer::Done;
    std::string error; ///< libcurl's message when transfer != Done
    long status = 0;
    std::map<std::string, std::string> headers; ///< of the last response; names lower-case
    std::string body;                           ///< non-2xx bodies (capped) or, without a sink, all
    int64_t bodyBytes = 0;                      ///< bytes given to the sink

    std::string header(const std::string& lowerName) const;
};

/// Performs the request; never throws for transport failures (see HttpResponse::transfer).
HttpResponse perform(const HttpRequest& request);

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay).
std::string urlEncode(const std::string& segment);

} // namespace adapterlab::hub
