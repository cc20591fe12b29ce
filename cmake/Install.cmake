# `cmake --install build --prefix P` puts kiln in P as LibTorch is installed: the public headers
# under P/include/kiln, the libraries under P/lib, the tools under P/bin, and a package config, so
# that an outside project writes
#   find_package(kiln CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE kiln::kiln)
# and includes "frontend/kiln.h" (tests/install builds such a project against an install).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
set(KILN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/kiln)

# The public headers: frontend/kiln.h and codegen/aot_compiler.h with everything they include,
# found by following their #include "..." lines, so the set follows the code. None is an MLIR
# header (tests/install checks).
function(kiln_header_closure out)
  set(todo ${ARGN})
  set(found)
  while(todo)
    list(POP_FRONT todo header)
    if(header IN_LIST found OR NOT EXISTS ${PROJECT_SOURCE_DIR}/${header})
      continue()
    endif()
    list(APPEND found ${header})
    file(STRINGS ${PROJECT_SOURCE_DIR}/${header} lines REGEX "^#include \"")
    foreach(line ${lines})
      string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" included "${line}")
      list(APPEND todo ${included})
    endforeach()
  endwhile()
  set(${out} ${found} PARENT_SCOPE)
endfunction()
kiln_header_closure(kiln_public_headers frontend/kiln.h codegen/aot_compiler.h)
foreach(header ${kiln_public_headers})
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES ${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kiln/${dir})
endforeach()

# kiln is static: its private dependencies (codegen, passes, the IR, MLIR) link into the user's
# program, so they are installed and exported too.
target_include_directories(kiln INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/kiln>)
install(TARGETS kiln kiln_codegen kiln_passes kiln_ir kiln_runtime kiln_mlir_deps kiln_rt
        EXPORT kilnTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS kiln-compile kiln-inspect kiln-opt RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT kilnTargets NAMESPACE kiln:: DESTINATION ${KILN_INSTALL_CMAKEDIR})

configure_package_config_file(cmake/kilnConfig.cmake.in ${CMAKE_BINARY_DIR}/kilnConfig.cmake
                              INSTALL_DESTINATION ${KILN_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/kilnConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/kilnConfig.cmake ${CMAKE_BINARY_DIR}/kilnConfigVersion.cmake
        DESTINATION ${KILN_INSTALL_CMAKEDIR})
