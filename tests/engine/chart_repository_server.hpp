#pragma once
// A Helm chart repository for tests, made the way a user makes one: charts packaged with `helm package` (their
// dependencies built with `helm dependency build`), indexed with `helm repo index --url`, and served as static files
// over HTTP on 127.0.0.1 (port 0), optionally behind basic auth, with ETags so an unchanged index answers 304.
//
//   ChartRepositoryServer repo(dir);                 // or (dir, "user", "password")
//   repo.add_chart(chart_folder);                    // helm package + helm repo index
//   repo.url()                                       http://127.0.0.1:PORT/charts
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace gitmoor::test {

class ChartRepositoryServer {
 public:
  explicit ChartRepositoryServer(std::filesystem::path dir, std::string username = {}, std::string password = {});
  ~ChartRepositoryServer();
  ChartRepositoryServer(const ChartRepositoryServer&) = delete;
  ChartRepositoryServer& operator=(const ChartRepositoryServer&) = delete;

  // `helm dependency build` (when it has dependencies), `helm package` into the served folder, then
  // `helm repo index --url` over all the packages. Returns the archive's file name.
  std::string add_chart(const std::filesystem::path& chart_dir);

  [[nodiscard]] std::string url() const;
  [[nodiscard]] const std::filesystem::path& served() const { return served_; }
  // Requests for a path ("/charts/index.yaml") that got 200, and 304s for it.
  [[nodiscard]] std::size_t downloads(const std::string& path) const;
  [[nodiscard]] std::size_t not_modified(const std::string& path) const;
  [[nodiscard]] std::size_t rejected() const { return rejected_.load(); }  // 401 answers

 private:
  void serve();

  std::filesystem::path served_;  // <dir>/charts
  std::string expected_authorization_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> rejected_{0};
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t> downloads_, not_modified_;
  std::thread thread_;
};

// Writes a chart folder: Chart.yaml (name, version), a ConfigMap template showing .Values.message, and, when asked, a
// CRD in crds/ and a file:// dependency on a subchart that renders a second ConfigMap.
struct TestChart {
  std::string name = "demo";
  std::string version = "1.0.0";
  std::string message = "hello";
  bool with_crd = false;
  bool with_dependency = false;
};
std::filesystem::path write_test_chart(const std::filesystem::path& parent, const TestChart& chart);

}  // namespace gitmoor::test
