# ossvp_target_defaults(target): warnings as errors on our own code.
function(ossvp_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()

# ossvp_library(name SOURCES ... DEPS ...): a component library with public
# headers in include/ and private ones in src/.
function(ossvp_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  add_library(ossvp::${name} ALIAS ${name})
  target_include_directories(${name}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  ossvp_target_defaults(${name})
endfunction()

# ossvp_binary(name SOURCES ... DEPS ...): a thin main, lands in build/bin.
function(ossvp_binary name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  ossvp_target_defaults(${name})
endfunction()

# ossvp_unit_test(name SOURCES ... DEPS ...): a Catch2 executable whose cases
# are registered one by one with CTest under the label "unit".
function(ossvp_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  # ctest reads a test's name up to its first ';' (a list separator), so a
  # Catch2 test whose name holds one is registered under a name that matches
  # no test: it runs nothing and still passes. Refuse such names.
  foreach(src ${ARG_SOURCES})
    get_filename_component(path ${src} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    file(READ ${path} text)
    string(REGEX MATCH "TEST_CASE\\([ \t\r\n]*\"[^\"]*;[^\"]*\"" bad "${text}")
    if(bad)
      message(FATAL_ERROR "${src}: a test name holds ';', which ctest cannot run (use ','): ${bad}")
    endif()
    # ctest passes the name as the executable's argument: one that starts
    # with '-' is read as an option (a "--help ..." name printed Catch2's usage
    # and passed without running).
    string(REGEX MATCH "TEST_CASE\\([ \t\r\n]*\"-[^\"]*\"" bad "${text}")
    if(bad)
      message(FATAL_ERROR "${src}: a test name starts with '-', which Catch2 takes for an option: ${bad}")
    endif()
  endforeach()
  add_executable(${name} ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/tests/catch_main.cpp)
  target_link_libraries(${name} PRIVATE Catch2::Catch2 ${ARG_DEPS})
  ossvp_target_defaults(${name})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  catch_discover_tests(${name} TEST_PREFIX "${name}:" PROPERTIES LABELS unit)
endfunction()

# ossvp_integration_test(name COMMAND ... [TIMEOUT s] [LABELS ...]): a script or
# binary that drives built binaries and real third-party clients. TIMEOUT is
# multiplied by OSSVP_TEST_TIMEOUT_SCALE (hack/sanitize.sh's slower builds).
# A script named in COMMAND that does not exist is a configure error.
set(OSSVP_TEST_TIMEOUT_SCALE 1 CACHE STRING "factor on integration tests' ctest timeouts (sanitizer builds)")
function(ossvp_integration_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "COMMAND;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * ${OSSVP_TEST_TIMEOUT_SCALE}")
  foreach(arg ${ARG_COMMAND})
    if(arg MATCHES "\\.(sh|py)$" AND NOT EXISTS ${arg})
      message(FATAL_ERROR "integration test ${name}: script missing: ${arg}")
    endif()
  endforeach()
  add_test(NAME ${name} COMMAND ${ARG_COMMAND})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT}
    LABELS "integration;${ARG_LABELS}"
    ENVIRONMENT "OSSVP_BIN=${CMAKE_BINARY_DIR}/bin;OSSVP_SRC=${PROJECT_SOURCE_DIR}")
endfunction()
