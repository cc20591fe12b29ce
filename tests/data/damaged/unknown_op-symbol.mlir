// kiln-symbol 2.0
// exported by kiln 0.5.0 from Sequential
// signature 2x20,predict: data 0.weight 0.bias 1.weight 1.bias
// parameters: mlp-0000.params
module {
  func.func @forward(%arg0: tensor<2x20xf32> {kiln.name = "data"}, %arg1: tensor<256x20xf32> {kiln.name = "0.weight", kiln.parameter}, %arg2: tensor<256xf32> {kiln.name = "0.bias", kiln.parameter}, %arg3: tensor<10x256xf32> {kiln.name = "1.weight", kiln.parameter}, %arg4: tensor<10xf32> {kiln.name = "1.bias", kiln.parameter}) -> tensor<2x10xf32> attributes {kiln.signature = "2x20,predict", llvm.emit_c_interface} {
    %0 = kiln.fully_connected %arg0, %arg1, %arg2 : tensor<2x20xf32>, tensor<256x20xf32>, tensor<256xf32> -> tensor<2x256xf32>
    %1 = kiln.frobnicate %0 : tensor<2x256xf32> -> tensor<2x256xf32>
    %2 = kiln.fully_connected %1, %arg3, %arg4 : tensor<2x256xf32>, tensor<10x256xf32>, tensor<10xf32> -> tensor<2x10xf32>
    return %2 : tensor<2x10xf32>
  }
}

// checksum 362ba9719b0012f3
