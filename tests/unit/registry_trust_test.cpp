// What a hostile server can put in a header: numbers too big for int64, ranges
// that do not add up, control characters in values we would send, and a
// credential in the registry URL.
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <thread>

#include "regcensus/registry/http_header_values.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/registry/registry_url.hpp"
#include "registry_fixture.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(HeaderDecimal, ReadsDigitsWithinInt64) {
    EXPECT_EQ(parse_header_decimal("0"), 0);
    EXPECT_EQ(parse_header_decimal(" 1234 "), 1234);
    EXPECT_EQ(parse_header_decimal("9223372036854775807"), kMax);
}

TEST(HeaderDecimal, RefusesOverflowAndNonDigits) {
    EXPECT_EQ(parse_header_decimal("9223372036854775808"), std::nullopt);
    EXPECT_EQ(parse_header_decimal("99999999999999999999"), std::nullopt);
    EXPECT_EQ(parse_header_decimal(""), std::nullopt);
    EXPECT_EQ(parse_header_decimal("-1"), std::nullopt);
    EXPECT_EQ(parse_header_decimal("+1"), std::nullopt);
    EXPECT_EQ(parse_header_decimal("12, 12"), std::nullopt);
    EXPECT_EQ(parse_header_decimal("1e9"), std::nullopt);
}

TEST(ContentRangeHeader, ReadsFirstAndTotal) {
    const ContentRange range = parse_content_range("bytes 100-999/1000");
    EXPECT_EQ(range.first, 100);
    EXPECT_EQ(range.total, 1000);
    EXPECT_EQ(parse_content_range("bytes 5-9/*").first, 5);
    EXPECT_EQ(parse_content_range("bytes 5-9/*").total, -1);
}

TEST(ContentRangeHeader, RefusesWhatDoesNotAddUp) {
    EXPECT_EQ(parse_content_range("bytes 99999999999999999999-1/2").first, -1);
    EXPECT_EQ(parse_content_range("bytes 10-5/100").first, -1);       // last before first
    EXPECT_EQ(parse_content_range("bytes 0-99/50").total, -1);        // total shorter than the range
    EXPECT_EQ(parse_content_range("bytes 0-9/99999999999999999999").total, -1);
    EXPECT_EQ(parse_content_range("items 0-9/10").first, -1);
    EXPECT_EQ(parse_content_range("bytes */10").first, -1);
}

TEST(RetryAfterHeader, SecondsSaturateInsteadOfOverflowing) {
    EXPECT_EQ(parse_retry_after_seconds("120"), 120);
    EXPECT_EQ(parse_retry_after_seconds("99999999999999999999999"), kMax);
    EXPECT_EQ(parse_retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT"), 0);  // in the past
    EXPECT_EQ(parse_retry_after_seconds("soon"), std::nullopt);
    EXPECT_EQ(parse_retry_after_seconds(""), std::nullopt);
}

TEST(HeaderValueSafety, RefusesControlCharacters) {
    EXPECT_TRUE(is_safe_header_value("Authorization: Bearer eyJhbGciOi.J9-_~+/="));
    EXPECT_TRUE(is_safe_header_value("a\tb"));
    EXPECT_FALSE(is_safe_header_value("token\r\nX-Injected: 1"));
    EXPECT_FALSE(is_safe_header_value("token\n"));
    EXPECT_FALSE(is_safe_header_value(std::string_view("tok\0en", 6)));
    EXPECT_FALSE(is_safe_header_value("tok\x1b" "en"));
    EXPECT_FALSE(is_safe_header_value("tok\x7f"));
}

TEST(RegistryUrlSplit, TakesTheUserinfoAsTheCredential) {
    const SplitRegistryUrl split = split_registry_url("http://census:s3cret@127.0.0.1:5000/");
    EXPECT_EQ(split.url, "http://127.0.0.1:5000/");
    ASSERT_TRUE(split.credential);
    EXPECT_EQ(split.credential->username, "census");
    EXPECT_EQ(split.credential->password, "s3cret");
}

TEST(RegistryUrlSplit, DecodesAndKeepsTheLastAt) {
    const SplitRegistryUrl split = split_registry_url("https://me%40corp:p%3Aw@rd@registry.example.org");
    EXPECT_EQ(split.url, "https://registry.example.org");
    ASSERT_TRUE(split.credential);
    EXPECT_EQ(split.credential->username, "me@corp");
    EXPECT_EQ(split.credential->password, "p:w@rd");
}

TEST(RegistryUrlSplit, LeavesUrlsWithoutUserinfoAlone) {
    EXPECT_EQ(split_registry_url("http://127.0.0.1:5000/v2/x@y").url, "http://127.0.0.1:5000/v2/x@y");
    EXPECT_FALSE(split_registry_url("http://127.0.0.1:5000/v2/x@y").credential);
    EXPECT_FALSE(split_registry_url("not a url").credential);
    EXPECT_EQ(redact_url("https://user:pw@host:1?q=a@b"), "https://host:1?q=a@b");
    EXPECT_EQ(redact_url("https://host"), "https://host");
}

// A consumer that holds a stream back (the analysis lagging) is not the
// server stalling: time paused counts for neither the stall timeout nor the deadline.
TEST(TransferLimits, TimeTheConsumerHoldsTheStreamBackDoesNotCount) {
    const std::string blob = testing::make_test_bytes(size_t(24) << 20, 7);
    testing::ScriptedServer server(
        {"HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(blob.size()) + "\r\n\r\n" + blob});
    RegistryOptions options;
    options.url = server.url();
    options.retries = 0;
    options.stall_timeout_s = 1;
    options.min_transfer_rate = 1e9;  // deadline: about 1 s of unpaused time
    RegistryClient client(options);
    auto source = client.open_blob("app", Sha256::digest_of(blob), int64_t(blob.size()));
    std::string received;
    auto chunk = source->next();
    received.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // paused well past both limits
    received += testing::drain(*source);
    EXPECT_EQ(received.size(), blob.size());
    EXPECT_TRUE(received == blob);
}

}  // namespace
}  // namespace regcensus
