// The extraction and comparison the page test relies on, on small pages:
// a page that drifts from ferryd must fail, not pass quietly.
#include "doc_examples.hpp"

#include <catch2/catch.hpp>

using namespace ferry::test::docs;
using nlohmann::json;

namespace {

const char* const page = R"md(# page

```sh
export FERRY=http://127.0.0.1:8080
```

### GET /thing

```sh
curl -s "${auth[@]}" \
  $FERRY/thing
```
```http
HTTP/1.1 200 OK
Content-Type: application/json

{"a": 1,
 "list": [{"x": "s", "y": null}]}
```

Text in between.

```sh
curl -s $FERRY/metrics
```

```http
HTTP/1.1 200 OK

# TYPE ferry_build_info gauge
ferry_build_info{version="1"} 1
...
```
)md";

real_answer json_answer(const std::string& status, const std::string& body) {
  return {status, {{"Content-Type", "application/json"}}, body};
}

std::vector<std::string> shape(const std::string& shown, const std::string& real) {
  std::vector<std::string> out;
  compare_shape(json::parse(shown), json::parse(real), "", out);
  return out;
}

}  // namespace

TEST_CASE("curl examples and their answers are read from a page", "[docs][extract]") {
  const auto found = extract_examples(page);
  CHECK(found.problems.empty());
  REQUIRE(found.examples.size() == 2);
  const auto& first = found.examples[0];
  CHECK(first.line == 10);
  CHECK(first.section == "GET /thing");
  CHECK(first.command == R"(curl -s "${auth[@]}" $FERRY/thing)");
  CHECK(first.status_line == "HTTP/1.1 200 OK");
  REQUIRE(first.headers.size() == 1);
  CHECK(first.headers[0] == std::pair<std::string, std::string>{"Content-Type", "application/json"});
  CHECK(json::parse(first.body) == json::parse(R"({"a":1,"list":[{"x":"s","y":null}]})"));
  CHECK(found.examples[1].headers.empty());
  CHECK(found.sections == std::vector<std::string>{"GET /thing"});
}

TEST_CASE("examples that break the page's convention are reported", "[docs][extract]") {
  CHECK(extract_examples("```sh\ncurl -s $FERRY/a\n```\n\nno answer block\n").problems.size() == 1);
  CHECK(extract_examples("```sh\ncurl -s $FERRY/a\ncurl -s $FERRY/b\n```\n```\nHTTP/1.1 200 OK\n```\n").problems.size() == 1);
  CHECK(extract_examples("```sh\ncurl -si $FERRY/a\n```\n```\nHTTP/1.1 200 OK\n```\n").problems.size() == 0);
  CHECK(extract_examples("```sh\ncurl -s -i $FERRY/a\n```\n```\nHTTP/1.1 200 OK\n```\n").problems.size() == 1);
  CHECK(extract_examples("```sh\ncurl -s $FERRY/a\n```\n```\n200 {\"a\":1}\n```\n").problems.size() == 1);
  CHECK(extract_examples("```sh\ncurl -s $FERRY/a\n```\n```\nHTTP/1.1 200 OK\nnot a header\n```\n").problems.size() == 1);
  CHECK(extract_examples("```sh\necho no curl here\n```\n").examples.empty());
}

TEST_CASE("curl's header dump gives the last status line and its headers", "[docs][compare]") {
  const auto a = parse_header_dump("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 409 Conflict\r\nAllow: GET\r\nX: y: z\r\n\r\n");
  CHECK(a.status_line == "HTTP/1.1 409 Conflict");
  REQUIRE(a.headers.size() == 2);
  CHECK(a.headers[1] == std::pair<std::string, std::string>{"X", "y: z"});
}

TEST_CASE("JSON answers must have exactly the shown keys at every depth", "[docs][compare]") {
  CHECK(shape(R"({"a":1,"b":{"c":"x"}})", R"({"a":2,"b":{"c":"y"}})").empty());
  CHECK(shape(R"({"a":1})", R"({"a":1,"b":2})") == std::vector<std::string>{"b: in the answer, but not shown"});
  CHECK(shape(R"({"a":1,"b":2})", R"({"a":1})") == std::vector<std::string>{"b: shown, but not in the answer"});
  CHECK(shape(R"({"b":{"c":1}})", R"({"b":{"d":1}})").size() == 2);
  CHECK(shape(R"({"a":"1"})", R"({"a":1})") == std::vector<std::string>{"a: shown as a string, got a number"});
  CHECK(shape(R"({"a":null,"b":1})", R"({"a":{"x":1},"b":null})").empty());
  CHECK(shape(R"({"a":1.5})", R"({"a":2})").empty());
  CHECK(shape(R"({"l":[{"k":1}]})", R"({"l":[{"k":1},{"k":2,"m":3}]})") ==
        std::vector<std::string>{"l[1].m: in the answer, but not shown"});
  CHECK(shape(R"({"l":[{"k":1}]})", R"({"l":[]})") ==
        std::vector<std::string>{"l: shown with elements, but the answer's array is empty"});
  CHECK(shape(R"({"l":[]})", R"({"l":[{"k":1}]})").empty());
  // A time shown in RFC 3339 must be one in the answer, and the other way round.
  CHECK(shape(R"({"t":"2026-01-31T23:59:59+08:00"})", R"({"t":"2026-02-01T00:00:00Z"})").empty());
  CHECK(shape(R"({"t":"2026-01-31T23:59:59+08:00"})", R"({"t":"2026-01-31 23:59:59"})").size() == 1);
  CHECK(shape(R"({"t":"2026-01-31 23:59:59"})", R"({"t":"2026-01-31T23:59:59+08:00"})").size() == 1);
  CHECK(shape(R"({"t":"a"})", R"({"t":"b"})").empty());
}

TEST_CASE("status, shown headers and error texts must match word for word", "[docs][compare]") {
  doc_example shown;
  shown.status_line = "HTTP/1.1 404 Not Found";
  shown.headers = {{"Allow", "GET, PATCH"}};
  shown.body = R"({"error":{"code":"job_not_found","message":"no job \"x\""}})";
  auto real = json_answer("HTTP/1.1 404 Not Found", R"({"error":{"code":"job_not_found","message":"no job \"x\""}})");
  real.headers.emplace_back("allow", "GET, PATCH");
  CHECK(compare_answer(shown, real).empty());
  real.status_line = "HTTP/1.1 400 Bad Request";
  CHECK(compare_answer(shown, real).size() == 1);
  real.status_line = shown.status_line;
  real.headers.back().second = "GET";
  CHECK(compare_answer(shown, real).size() == 1);
  real.headers.back().second = "GET, PATCH";
  real.body = R"({"error":{"code":"job_not_found","message":"no job \"y\""}})";
  CHECK(compare_answer(shown, real) == std::vector<std::string>{"error.message: shown no job \"x\", got no job \"y\""});
  real.body = "not json";
  CHECK(compare_answer(shown, real).size() == 1);
  // A problem's type, title, status and detail too.
  shown.body = R"({"type":"/problems/job_not_found","title":"No such job","status":404,"detail":"no job \"x\"",)"
               R"("error":{"code":"job_not_found","message":"no job \"x\""}})";
  real = json_answer("HTTP/1.1 404 Not Found", shown.body);
  real.headers = {{"Content-Type", "application/problem+json"}, {"Allow", "GET, PATCH"}};
  CHECK(compare_answer(shown, real).empty());
  real.body = R"({"type":"/problems/not_found","title":"No such job","status":404,"detail":"no job \"x\"",)"
              R"("error":{"code":"job_not_found","message":"no job \"x\""}})";
  CHECK(compare_answer(shown, real) ==
        std::vector<std::string>{R"(type: shown "/problems/job_not_found", got "/problems/not_found")"});
  real.body = R"({"type":"/problems/job_not_found","title":"No such job","status":404,"detail":"no job",)"
              R"("error":{"code":"job_not_found","message":"no job \"x\""}})";
  CHECK(compare_answer(shown, real).size() == 1);
  shown.body = R"({"a": ...})";
  real.body = R"({"a":1})";
  CHECK(compare_answer(shown, real) == std::vector<std::string>{"the shown body is not whole JSON: {\"a\": ...}"});
}

TEST_CASE("text answers keep the shown comment lines and series", "[docs][compare]") {
  doc_example shown;
  shown.status_line = "HTTP/1.1 200 OK";
  shown.body = "# TYPE ferry_x counter\nferry_x{job=\"a\",outcome=\"ok\"} 1\n...";
  real_answer real{"HTTP/1.1 200 OK", {{"Content-Type", "text/plain"}},
                   "# HELP ferry_x X.\n# TYPE ferry_x counter\nferry_x{outcome=\"failed\",job=\"b\"} 7\n"};
  CHECK(compare_answer(shown, real).empty());
  real.body = "# TYPE ferry_x gauge\nferry_x{job=\"b\"} 7\n";
  CHECK(compare_answer(shown, real).size() == 2);
}

TEST_CASE("plain curl commands and SELECTs are found in code blocks and inline", "[docs][extract]") {
  const std::string text =
      "Run `curl -s $FERRY/readyz` first, as `curl -i` shows.\n\n```sh\ncurl -s \"${auth[@]}\" \\\n  $FERRY/api/v1/jobs   # all jobs\n"
      "journalctl -u ferryd\n```\n\n```sql\nSELECT a FROM t;\nDELETE FROM t;\nSELECT b\n  FROM u;\n```\n";
  CHECK(curl_commands(text) ==
        std::vector<std::string>{R"(curl -s "${auth[@]}" $FERRY/api/v1/jobs)", "curl -s $FERRY/readyz"});
  CHECK(select_statements(text) == std::vector<std::string>{"SELECT a FROM t", "SELECT b\n  FROM u"});
}
