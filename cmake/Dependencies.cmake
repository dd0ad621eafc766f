# Every third-party dependency is found here, once, from Debian 12's packages (scripts/setup.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Boost 1.74 REQUIRED)
pkg_check_modules(LIBGIT2 REQUIRED IMPORTED_TARGET libgit2)
if(GITMOOR_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)
  include(Catch)
endif()

# gitmoor_module(name SOURCES ... PUBLIC_DEPS ... PRIVATE_DEPS ...): a module library gitmoor::<name> with its
# public headers in <name>/include and sources in <name>/src.
function(gitmoor_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  if(ARG_SOURCES)
    add_library(gitmoor_${name} STATIC ${ARG_SOURCES})
    target_include_directories(gitmoor_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                               PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
    target_link_libraries(gitmoor_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    gitmoor_set_warnings(gitmoor_${name})
  else()
    # A module whose issue has not come yet: only its target, so dependants can already name it.
    add_library(gitmoor_${name} INTERFACE)
    target_include_directories(gitmoor_${name} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(gitmoor_${name} INTERFACE ${ARG_PUBLIC_DEPS})
  endif()
  add_library(gitmoor::${name} ALIAS gitmoor_${name})
endfunction()
