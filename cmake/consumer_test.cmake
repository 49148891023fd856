# ctest install.consumer_core: installs this build into a temporary prefix, then configures, builds
# and runs examples/consumer against find_package(tfgram COMPONENTS core).
# -D BUILD_DIR=... SOURCE_DIR=... WORK_DIR=... TORCH_DIR=... CXX=...
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()
step("install" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix")
step("configure the consumer" ${CMAKE_COMMAND} -S "${SOURCE_DIR}/examples/consumer" -B "${WORK_DIR}/build"
  -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix" "-DTorch_DIR=${TORCH_DIR}"
  "-DCMAKE_CXX_COMPILER=${CXX}")
step("build the consumer" ${CMAKE_COMMAND} --build "${WORK_DIR}/build")
step("run the consumer" "${WORK_DIR}/build/consumer")
if(NOT step_output MATCHES "d/d lambda [-0-9.e]+")
  message(FATAL_ERROR "the consumer printed no gradient for lambda:\n${step_output}")
endif()
message(STATUS "consumer: ${step_output}")
file(REMOVE_RECURSE "${WORK_DIR}")
