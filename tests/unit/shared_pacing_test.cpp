// The one pacing/retry implementation of registry client and crawler: pauses a
// server asks for are shared through RequestPacer (cut to max_pause), and
// HttpSession retries 429s on their own allowance at the time they state.
#include <gtest/gtest.h>

#include <chrono>

#include "registry_fixture.hpp"
#include "regcensus/registry/http_session.hpp"
#include "regcensus/registry/request_pacer.hpp"

namespace regcensus {
namespace {

using Clock = std::chrono::system_clock;

HttpResponse response_with(long status, std::vector<std::pair<std::string, std::string>> headers) {
    HttpResponse response;
    response.status = status;
    response.headers = std::move(headers);
    return response;
}

std::string unix_seconds(Clock::time_point at) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count());
}

TEST(SharedPacing, A429PausesEveryClientOfThePacerCutToMaxPause) {
    RequestPacer pacer(0, -1, std::chrono::seconds(60));
    EXPECT_EQ(pacer.paused_until(), Clock::time_point{});
    const auto before = Clock::now();
    // The Hub's X-Retry-After is a Unix time; 30 s ahead is within the cap.
    const auto wanted = std::chrono::floor<std::chrono::seconds>(before) + std::chrono::seconds(30);
    pacer.after_response(response_with(429, {{"x-retry-after", unix_seconds(wanted)}}));
    EXPECT_EQ(pacer.paused_until(), wanted);
    // An earlier pause does not shorten it; a later one (a day) is cut to 60 s from now.
    pacer.after_response(response_with(429, {{"retry-after", "1"}}));
    EXPECT_EQ(pacer.paused_until(), wanted);
    pacer.after_response(response_with(429, {{"retry-after", "86400"}}));
    EXPECT_GE(pacer.paused_until(), before + std::chrono::seconds(60));
    EXPECT_LE(pacer.paused_until(), Clock::now() + std::chrono::seconds(60));
}

TEST(SharedPacing, ASpentRateLimitPausesUntilItsReset) {
    RequestPacer pacer(0, -1, std::chrono::seconds(900));
    const auto reset = std::chrono::floor<std::chrono::seconds>(Clock::now()) + std::chrono::seconds(120);
    pacer.after_response(response_with(200, {{"x-ratelimit-remaining", "3"}, {"x-ratelimit-reset", unix_seconds(reset)}}));
    EXPECT_EQ(pacer.paused_until(), Clock::time_point{});
    pacer.after_response(response_with(200, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", unix_seconds(reset)}}));
    EXPECT_EQ(pacer.paused_until(), reset);
}

TEST(SharedPacing, APauseInThePastDoesNotHoldRequestsBack) {
    RequestPacer pacer(0, -1);
    pacer.after_response(response_with(429, {{"x-retry-after", "1000"}}));  // 1970
    EXPECT_NO_THROW(pacer.before_request());
}

const std::string kTooMany =
    "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

TEST(SharedPacing, SessionRetries429sOnTheirOwnAllowance) {
    testing::ScriptedServer server({kTooMany, kTooMany, kOk});
    HttpPolicy policy;
    policy.retries = 0;  // no retry of failures, but two of 429s
    policy.rate_limited_retries = 2;
    policy.log_retries = false;
    HttpSession session(policy);
    HttpRequest request;
    request.url = server.url() + "/v2/_catalog";
    const HttpResponse response = session.perform(request, 1 << 16);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "ok");
    EXPECT_EQ(server.requests().size(), 3u);
}

TEST(SharedPacing, SessionReturnsTheLast429WhenItsAllowanceIsSpent) {
    testing::ScriptedServer server({kTooMany, kTooMany, kOk});
    HttpPolicy policy;
    policy.retries = 5;
    policy.rate_limited_retries = 1;
    policy.log_retries = false;
    HttpSession session(policy);
    HttpRequest request;
    request.url = server.url() + "/v2/_catalog";
    EXPECT_EQ(session.perform(request, 1 << 16).status, 429);
    EXPECT_EQ(server.requests().size(), 2u);
}

TEST(SharedPacing, PacedPolicyReportsEveryAttemptToThePacer) {
    const auto wanted = std::chrono::floor<std::chrono::seconds>(Clock::now()) + std::chrono::seconds(1);
    testing::ScriptedServer server(
        {"HTTP/1.1 429 Too Many Requests\r\nX-Retry-After: " + unix_seconds(wanted) +
             "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
         kOk});
    auto pacer = std::make_shared<RequestPacer>(0, -1);
    HttpPolicy policy;
    policy.log_retries = false;
    HttpSession session(paced_policy(policy, pacer));
    HttpRequest request;
    request.url = server.url() + "/";
    EXPECT_EQ(session.perform(request, 1 << 16).status, 200);
    EXPECT_EQ(pacer->paused_until(), wanted);  // the 429's pause, seen by every session of the pacer
    EXPECT_GE(Clock::now(), wanted);            // and waited out before the retry
}

}  // namespace
}  // namespace regcensus
