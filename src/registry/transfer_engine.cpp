#include "regcensus/registry/transfer_engine.hpp"

namespace regcensus {

namespace {
// The longest the loop sleeps without being woken: progress callbacks (which
// notice abandoned streams) run at least this often.
constexpr int kPollMilliseconds = 200;
}  // namespace

TransferEngine::TransferEngine(long idle_connections) {
    // The default cache (4 per added handle) would close idle connections as
    // soon as few transfers run; a census wants them kept for the next blob.
    multi_.set(CURLMOPT_MAXCONNECTS, idle_connections);
    thread_ = std::thread([this] { loop(); });
}

TransferEngine::~TransferEngine() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake();
    thread_.join();
}

CURLcode TransferEngine::perform(CURL* easy) {
    Submission submission;
    std::unique_lock lock(mutex_);
    submitted_.emplace_back(easy, &submission);
    lock.unlock();
    wake();
    lock.lock();
    finished_.wait(lock, [&] { return submission.done; });
    return submission.result;
}

void TransferEngine::resume(CURL* easy) {
    {
        std::lock_guard lock(mutex_);
        resumes_.push_back(easy);
    }
    wake();
}

void TransferEngine::wake() { curl_multi_wakeup(multi_.get()); }

TransferCounts TransferEngine::counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

void TransferEngine::take_requests() {
    std::vector<std::pair<CURL*, Submission*>> submitted;
    std::vector<CURL*> resumes;
    {
        std::lock_guard lock(mutex_);
        submitted.swap(submitted_);
        resumes.swap(resumes_);
    }
    for (auto [easy, submission] : submitted) {
        const CURLMcode code = curl_multi_add_handle(multi_.get(), easy);
        if (code != CURLM_OK) {
            // Only a programming fault gets here (a handle added twice); the
            // caller sees it as a failed transfer rather than hanging.
            std::lock_guard lock(mutex_);
            submission->result = CURLE_FAILED_INIT;
            submission->done = true;
            finished_.notify_all();
            continue;
        }
        running_[easy] = submission;
    }
    // A resume may come after its transfer ended (an aborted stream): ignored then.
    for (CURL* easy : resumes)
        if (running_.count(easy)) curl_easy_pause(easy, CURLPAUSE_CONT);
}

void TransferEngine::collect_finished() {
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
        if (message->msg != CURLMSG_DONE) continue;
        CURL* easy = message->easy_handle;
        const CURLcode result = message->data.result;
        long connections = 0;
        curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connections);
        curl_multi_remove_handle(multi_.get(), easy);
        const auto found = running_.find(easy);
        if (found == running_.end()) continue;
        Submission* submission = found->second;
        running_.erase(found);
        std::lock_guard lock(mutex_);
        ++counts_.transfers;
        counts_.connections += connections;
        submission->result = result;
        submission->done = true;
        finished_.notify_all();
    }
}

void TransferEngine::loop() {
    // A failing multi call (out of memory, a broken wakeup pipe) leaves no
    // transfer of the process able to finish: it ends the program, naming the call.
    for (;;) {
        take_requests();
        {
            std::lock_guard lock(mutex_);
            if (stopping_ && running_.empty() && submitted_.empty()) break;
        }
        int still_running = 0;
        CurlMulti::check(curl_multi_perform(multi_.get(), &still_running), "perform");
        collect_finished();
        CurlMulti::check(curl_multi_poll(multi_.get(), nullptr, 0, kPollMilliseconds, nullptr), "poll");
    }
}

}  // namespace regcensus
