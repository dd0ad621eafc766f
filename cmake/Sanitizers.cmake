# One switch for the whole tree: every target (and every test) is instrumented, or none is.
if(GITMOOR_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  # GCC 12's -Wmaybe-uninitialized misfires inside libstdc++'s <regex> under the sanitizers' instrumentation (seen in
  # core/src/yaml.cpp); the release build keeps the warning, so real cases are still caught there.
  add_compile_options(-Wno-maybe-uninitialized)
endif()
