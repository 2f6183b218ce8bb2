#pragma once
// The transfers of one registry in one process run here: a libcurl multi handle
// driven by one thread, so that all of them (manifests, configs, layer streams,
// fetch downloads, from any number of worker threads) share one pool of
// keep-alive connections instead of each thread or stream opening its own.
//
// A caller configures its own easy handle and hands it to perform(), which
// blocks until the transfer ends; the handle's callbacks run on the engine's
// thread meanwhile. A write callback that cannot take data now returns
// CURL_WRITEFUNC_PAUSE, and whoever frees room calls resume() from any thread:
// a slow consumer holds back its own transfer only, never the others.
#include <curl/curl.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "regcensus/registry/curl_handles.hpp"

namespace regcensus {

// What went over the wire so far: a transfer is one HTTP request (a redirect
// followed counts once); a connection is one TCP (or TLS) connection opened.
struct TransferCounts {
    int64_t transfers = 0;
    int64_t connections = 0;
};

class TransferEngine {
public:
    // Keeps up to `idle_connections` connections open between transfers.
    explicit TransferEngine(long idle_connections = 32);
    // Waits for the transfers still running (their callers hold them) and stops the thread.
    ~TransferEngine();
    TransferEngine(const TransferEngine&) = delete;
    TransferEngine& operator=(const TransferEngine&) = delete;

    // Runs the configured `easy` to its end and returns its result. Thread-safe;
    // `easy` must not be touched by the caller until this returns.
    CURLcode perform(CURL* easy);

    // Continues a transfer that its write callback paused. Thread-safe; does
    // nothing when `easy` is not (or no longer) running here.
    void resume(CURL* easy);

    // Wakes the engine so that running transfers call their progress callbacks
    // soon (a stream abandoned by its consumer aborts there).
    void wake();

    TransferCounts counts() const;

private:
    struct Submission {
        CURLcode result = CURLE_OK;
        bool done = false;
    };
    void loop();
    void take_requests();  // on the engine thread: adds submissions, applies resumes
    void collect_finished();

    CurlMulti multi_;
    mutable std::mutex mutex_;
    std::condition_variable finished_;
    std::vector<std::pair<CURL*, Submission*>> submitted_;  // not yet added to the multi
    std::vector<CURL*> resumes_;
    std::map<CURL*, Submission*> running_;  // engine thread only
    TransferCounts counts_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts once everything above exists
};

}  // namespace regcensus
