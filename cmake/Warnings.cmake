# gitmoor_set_warnings(target): the project's warning policy, errors when GITMOOR_WERROR is on (the presets).
function(gitmoor_set_warnings target)
  # -Wno-missing-field-initializers: options structs are aggregates with defaults set through designated
  # initialisers (`{.timeout = 5s}`); g++ 12 warns about every member left to its default, which is the point.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
  if(GITMOOR_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
