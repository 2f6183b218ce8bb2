#pragma once
// What a response says about when to send the next request. Docker Hub's API
// documents `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`
// (a Unix time) on every response, and on 429 an `X-Retry-After` header that is
// a Unix time; registries and newer documentation use the standard
// `Retry-After` (seconds or an HTTP date). All are understood, by the one
// HTTP stack of registry client and crawler alike (HttpSession, RequestPacer).
#include <chrono>
#include <optional>

#include "regcensus/registry/http_session.hpp"

namespace regcensus {

// The time before which no request should be sent, when the response asks for a
// pause: a 429 (X-Retry-After, else Retry-After, else X-RateLimit-Reset), or any
// response whose X-RateLimit-Remaining is 0 (until X-RateLimit-Reset).
// nullopt when the response asks for nothing (a 429 without any of these headers
// included: the caller then backs off on its own).
std::optional<std::chrono::system_clock::time_point> requested_pause(const HttpResponse& response,
                                                                     std::chrono::system_clock::time_point now);

}  // namespace regcensus
