// Render time of the example chart: cold (helm template every time) against cached (the render cache's hit).
// Prints figures; asserts nothing.
#include <chrono>
#include <cstdio>

#include "gitmoor/renderer/render_cache.hpp"

using namespace gitmoor;
using namespace std::chrono;

int main() {
  const renderer::RenderRequest request{.repo_root = GITMOOR_SOURCE_DIR "/examples/tetris",
                                        .app_path = "helm/tetris",
                                        .commit = "0123456789abcdef0123456789abcdef01234567",
                                        .helm = {.release_name = "tetris", .ns = "game"}};
  constexpr int kCold = 10;
  constexpr int kCached = 10000;

  auto start = steady_clock::now();
  std::size_t objects = 0;
  for (int i = 0; i < kCold; ++i) objects = renderer::render(request).objects.size();
  const double cold = duration<double, std::milli>(steady_clock::now() - start).count() / kCold;

  renderer::RenderCache cache;
  (void)cache.render(request);
  start = steady_clock::now();
  for (int i = 0; i < kCached; ++i) objects = cache.render(request)->objects.size();
  const double cached = duration<double, std::milli>(steady_clock::now() - start).count() / kCached;

  std::printf("example chart (%zu objects): cold %.1f ms per render (helm template, mean of %d); cached %.4f ms per "
              "lookup (mean of %d); ratio %.0fx\n",
              objects, cold, kCold, cached, kCached, cold / cached);
  return 0;
}
