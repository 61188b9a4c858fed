#include "hub/http.h"

#include "util/error.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace adapterlab::hub {
namespace {

constexpr size_t kMaxErrorBody = 64 * 1024;

void globalInit() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw Error("cannot initialise libcurl");
    });
}

struct State {
    const HttpRequest* request;
    HttpResponse* response;
    long status = 0;
    bool started = false;
};

bool success(long status) {
    return status >= 200 && status < 300;
}

size_t onHeader(char* data, size_t size, size_t n, void* user) {
    auto& s = *static_cast<State*>(user);
    const std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) { // a new response (after a redirect): its headers only
        s.response->headers.clear();
        const auto sp = line.find(' ');
        s.status = sp == std::string::npos ? 0 : std::strtol(line.c_str() + sp + 1, nullptr, 10);
        return size * n;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) return size * n;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    const auto b = value.find_first_not_of(" \t");
    const auto e = value.find_last_not_of(" \t\r\n");
    value = b == std::string::npos ? std::string() : value.substr(b, e - b + 1);
    s.response->headers[name] = value;
    return size * n;
}

size_t onBody(char* data, size_t size, size_t n, void* user) {
    auto& s = *static_cast<State*>(user);
    const size_t bytes = size * n;
    if (success(s.status) && s.request->sink) {
        if (!s.started && s.request->onStatus) s.request->onStatus(s.status);
        s.started = true;
        if (!s.request->sink(data, bytes)) return 0; // CURLE_WRITE_ERROR
        s.response->bodyBytes += static_cast<int64_t>(bytes);
        return bytes;
    }
    auto& body = s.response->body;
    if (success(s.status) || body.size() < kMaxErrorBody)
        body.append(data, success(s.status) ? bytes : std::min(bytes, kMaxErrorBody - body.size()));
    return bytes;
}

int onProgress(void* user, curl_off_t total, curl_off_t done, curl_off_t, curl_off_t) {
    auto& s = *static_cast<State*>(user);
    if (!s.request->progress || !success(s.status)) return 0;
    return s.request->progress(static_cast<int64_t>(done), static_cast<int64_t>(total)) ? 0 : 1;
}

} // namespace

std::string HttpResponse::header(const std::string& lowerName) const {
    const auto it = headers.find(lowerName);
    return it == headers.end() ? std::string() : it->second;
}

HttpResponse perform(const HttpRequest& request) {
    globalInit();
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) throw Error("cannot create a libcurl handle");
    HttpResponse response;
    State state{&request, &response};
    char errorBuffer[CURL_ERROR_SIZE] = {};
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "adapterlab; hf_hub/compatible");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, request.connectTimeoutS);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, request.stallTimeoutS);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (request.head) curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    if (request.rangeFrom >= 0)
        curl_easy_setopt(h, CURLOPT_RANGE, (std::to_string(request.rangeFrom) + "-").c_str());
    curl_slist* headers = nullptr;
    for (const auto& line : request.headers)
        headers = curl_slist_append(headers, line.c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headerList(headers,
                                                                           curl_slist_free_all);
    if (headers) curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &state);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &state);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &state);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);

    const CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    if (rc == CURLE_OK) return response;
    response.error = errorBuffer[0] ? errorBuffer : curl_easy_strerror(rc);
    response.transfer = rc == CURLE_ABORTED_BY_CALLBACK ? Transfer::Cancelled
                        : rc == CURLE_WRITE_ERROR       ? Transfer::Write
                                                        : Transfer::Network;
    return response;
}

std::string urlEncode(const std::string& segment) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : segment) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

} // namespace adapterlab::hub
