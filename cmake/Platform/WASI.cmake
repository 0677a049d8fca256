# CMake 3.25 ships no platform file for WASI; this one says it is a Unix-like static-only target.
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
