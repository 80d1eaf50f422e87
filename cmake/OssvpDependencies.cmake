# Every third-party dependency, all from Debian packages (hack/install-deps.sh
# installs them). A missing one stops the configure with its name and the
# package that provides it; nothing is skipped silently.

# ossvp_find_package(<name> [find_package args...] DEBIAN <package>)
macro(ossvp_find_package name)
  cmake_parse_arguments(_ossvp_fp "" "DEBIAN" "" ${ARGN})
  find_package(${name} ${_ossvp_fp_UNPARSED_ARGUMENTS} QUIET)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "ossvp: dependency ${name} missing: install ${_ossvp_fp_DEBIAN} "
                        "(hack/install-deps.sh installs every build dependency)")
  endif()
endmacro()

ossvp_find_package(Threads DEBIAN build-essential)
ossvp_find_package(OpenSSL DEBIAN libssl-dev)
ossvp_find_package(CURL DEBIAN libcurl4-openssl-dev)
ossvp_find_package(Boost 1.74 COMPONENTS system DEBIAN "libboost-dev libboost-system-dev")
ossvp_find_package(nlohmann_json 3 DEBIAN nlohmann-json3-dev)
ossvp_find_package(yaml-cpp DEBIAN libyaml-cpp-dev)
ossvp_find_package(cpprestsdk DEBIAN libcpprest-dev)
ossvp_find_package(pugixml DEBIAN libpugixml-dev)
ossvp_find_package(spdlog DEBIAN libspdlog-dev)
ossvp_find_package(CLI11 DEBIAN libcli11-dev)
ossvp_find_package(Catch2 2 DEBIAN catch2)
include(Catch)
ossvp_find_package(PkgConfig DEBIAN pkg-config)
pkg_check_modules(FUSE3 QUIET IMPORTED_TARGET fuse3)
if(NOT FUSE3_FOUND)
  message(FATAL_ERROR "ossvp: dependency fuse3 missing: install libfuse3-dev")
endif()

# ISA-L ships no CMake or pkg-config file on Debian: find it by hand.
find_path(ISAL_INCLUDE_DIR isa-l/crc64.h)
find_library(ISAL_LIBRARY NAMES isal)
if(NOT ISAL_INCLUDE_DIR OR NOT ISAL_LIBRARY)
  message(FATAL_ERROR "ossvp: dependency ISA-L (isa-l/crc64.h, libisal) missing: install libisal-dev")
endif()
add_library(ossvp_isal INTERFACE)
target_include_directories(ossvp_isal INTERFACE ${ISAL_INCLUDE_DIR})
target_link_libraries(ossvp_isal INTERFACE ${ISAL_LIBRARY})
add_library(ISAL::isal ALIAS ossvp_isal)
