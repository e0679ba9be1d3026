# arena_add_test(<name> SOURCES a.cpp... [LIBS lib...] [TIMEOUT s] [LABELS l...])
# One Qt Test executable per class or feature; every test runs under a ctest timeout so
# a hang fails the run instead of stalling CI.
function(arena_add_test name)
    cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 60)
    endif()
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE arena_options Qt6::Test ${ARG_LIBS})
    # GCC 12 reports false "maybe uninitialized" positives on std::optional of Qt value types, which
    # tests copy around a lot; production code keeps the warning.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        target_compile_options(${name} PRIVATE -Wno-maybe-uninitialized)
    endif()
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES
        TIMEOUT ${ARG_TIMEOUT}
        LABELS "${ARG_LABELS}"
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;ARENA_BUILD_DIR=${PROJECT_BINARY_DIR};ASAN_OPTIONS=detect_leaks=1:abort_on_error=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endfunction()
