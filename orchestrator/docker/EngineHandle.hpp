#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

// Internal to orchestrator/docker: the curl handle setup that DockerEngine and the event stream
// share. Kept out of DockerEngine.hpp so that users of the engine do not see curl.

namespace orchestrate {

struct CurlEasyDeleter
{
  void operator()(CURL* handle) const
  {
    curl_easy_cleanup(handle);
  }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

// A handle for one `method` request to `path` on `endpoint` (a socket path or tcp://host:port),
// with the connect timeout set and no overall timeout; the caller performs it. curl handles are not
// shared between threads, so each request makes its own. Throws InternalError if curl cannot
// make one.
CurlEasy make_engine_handle(const std::string& endpoint, const char* method, const std::string& path);

}  // namespace orchestrate
