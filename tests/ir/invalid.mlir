// Every verifier error: the shape rules reject bad operands with the eager path's messages (and
// the InferTypeOpInterface verifier then reports the failed inference).
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @broadcast_mismatch(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{add: shapes 2x3 and 4 cannot be broadcast together}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.add %a, %b : tensor<2x3xf32>, tensor<4xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @wrong_result_type(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.relu %a : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @dot_inner_extents(%a: tensor<2x20xf32>, %b: tensor<30x256xf32>) {
  // expected-error @+2 {{dot: shapes 2x20 and 30x256 do not align: inner extents 20 vs 30}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.dot %a, %b : tensor<2x20xf32>, tensor<30x256xf32> -> tensor<2x256xf32>
  return
}

// -----

func.func @dot_rank(%a: tensor<20xf32>, %b: tensor<20x2xf32>) {
  // expected-error @+2 {{dot: expects 2-D operands}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.dot %a, %b : tensor<20xf32>, tensor<20x2xf32> -> tensor<2xf32>
  return
}

// -----

func.func @fully_connected_features(%x: tensor<2x5xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+2 {{fully_connected: data 2x5 has 5 features but weight 3x4 expects 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.fully_connected %x, %w : tensor<2x5xf32>, tensor<3x4xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @fully_connected_bias(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{fully_connected: bias shape 4 does not match 3 units}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.fully_connected %x, %w, %b : tensor<2x4xf32>, tensor<3x4xf32>, tensor<4xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @reduce_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{sum: axis 2 is out of range for an array of rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.sum %x {axis = 2 : i64} : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{reshape: cannot reshape 2x3 (6 elements) to 4x2 (8 elements)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %x {shape = array<i64: 4, 2>} : tensor<2x3xf32> -> tensor<4x2xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{transpose: axes must be a permutation of 0..1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.transpose %x {perm = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @concat_shapes(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  // expected-error @+2 {{concat: array 1 has shape 3x3, which does not match 2x3 except on axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat %a, %b {axis = 1 : i64} : tensor<2x3xf32>, tensor<3x3xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @slice_range(%x: tensor<4x2xf32>) {
  // expected-error @+2 {{slice_axis: [3, 6) is out of range for axis 0 of shape 4x2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.slice_axis %x {axis = 0 : i64, begin = 3 : i64, end = 6 : i64} : tensor<4x2xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @broadcast_to_target(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{broadcast_to: shape 2x3 cannot be broadcast to 4x3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.broadcast_to %x {shape = array<i64: 4, 3>} : tensor<2x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @sum_to_target(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{sum_to: shape 2x3 cannot be summed to 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.sum_to %x {shape = array<i64: 4>} : tensor<2x3xf32> -> tensor<4xf32>
  return
}

// -----

func.func @non_f32(%x: tensor<2xf64>) {
  // expected-error @+1 {{must be ranked tensor of 32-bit float values}}
  %0 = kiln.relu %x : tensor<2xf64> -> tensor<2xf64>
  return
}

// -----

func.func @constant_dtype() {
  // expected-error @+1 {{kiln.constant needs an f32 tensor value}}
  %0 = kiln.constant dense<1> : tensor<2xi32>
  return
}

// -----

func.func @unknown_predicate(%a: tensor<1xf32>) -> i1 {
  // expected-error @+1 {{predicate must be one of gt, ge, lt, le, eq, ne; got 'bigger'}}
  %0 = kiln.compare_scalar "bigger" %a, %a : tensor<1xf32>, tensor<1xf32>
  return %0 : i1
}

// -----

func.func @guard_on_many_values(%a: tensor<2xf32>, %b: tensor<1xf32>) -> i1 {
  // expected-error @+1 {{compares one-element tensors; got 'tensor<2xf32>'}}
  %0 = kiln.compare_scalar "gt" %a, %b : tensor<2xf32>, tensor<1xf32>
  return %0 : i1
}

// -----

func.func @not_a_row(%a: tensor<5x2xf32>, %i: index) -> tensor<3xf32> {
  // expected-error @+1 {{result 'tensor<3xf32>' is not a row of 'tensor<5x2xf32>'}}
  %0 = kiln.row %a[%i] : tensor<5x2xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @set_wrong_row(%a: tensor<5x2xf32>, %v: tensor<5xf32>, %i: index) -> tensor<5x2xf32> {
  // expected-error @+1 {{value 'tensor<5xf32>' is not a row of 'tensor<5x2xf32>'}}
  %0 = kiln.set_row %a[%i], %v : tensor<5x2xf32>, tensor<5xf32>
  return %0 : tensor<5x2xf32>
}

// -----

func.func @where_mismatch(%c: tensor<2xf32>, %x: tensor<3xf32>) {
  // expected-error @+2 {{where: shapes 2 and 3 cannot be broadcast together}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.where %c, %x, %x : tensor<2xf32>, tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x2x8x8xf32>, %w: tensor<6x3x5x5xf32>) {
  // expected-error @+2 {{conv2d: data 1x2x8x8 has 2 channels but weight 6x3x5x5 expects 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64}
       : tensor<1x2x8x8xf32>, tensor<6x3x5x5xf32> -> tensor<1x6x4x4xf32>
  return
}

// -----

func.func @conv_window_too_large(%x: tensor<1x3x4x8xf32>, %w: tensor<6x3x5x5xf32>) {
  // expected-error @+2 {{conv2d: the window (5 along height) is larger than the padded input (4: input 1x3x4x8, padding 0)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64}
       : tensor<1x3x4x8xf32>, tensor<6x3x5x5xf32> -> tensor<1x6x1x4xf32>
  return
}

// -----

func.func @pool_zero_stride(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+2 {{max_pool2d: strides must be at least 1, got (0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 0, 2>, padding = array<i64: 0, 0>}
       : tensor<1x3x4x4xf32> -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @conv_3d_data(%x: tensor<3x8x8xf32>, %w: tensor<6x3x5x5xf32>) {
  // expected-error @+2 {{conv2d: expects 4-D data (batch, channels, height, width), got 3x8x8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64}
       : tensor<3x8x8xf32>, tensor<6x3x5x5xf32> -> tensor<1x6x4x4xf32>
  return
}

// -----

func.func @conv_three_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<6x3x5x5xf32>) {
  // expected-error @+2 {{strides takes two values (height, width), got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64}
       : tensor<1x3x8x8xf32>, tensor<6x3x5x5xf32> -> tensor<1x6x4x4xf32>
  return
}

// -----

func.func @pool_padding_not_below_window(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+2 {{avg_pool2d: padding (2) must be smaller than the window (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.avg_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 2, 0>, count_include_pad = true}
       : tensor<1x3x4x4xf32> -> tensor<1x3x4x2xf32>
  return
}

// -----

func.func @backward_data_wrong_out_grad(%dy: tensor<1x6x5x5xf32>, %w: tensor<6x3x5x5xf32>) {
  // expected-error @+2 {{conv2d_backward_data: the output gradient's shape 1x6x5x5 is not the forward's output 1x6x4x4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d_backward_data %dy, %w {shape = array<i64: 1, 3, 8, 8>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0>,
       dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x6x5x5xf32>, tensor<6x3x5x5xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @batch_norm_channels(%x: tensor<2x3x4x4xf32>, %c: tensor<3xf32>, %d: tensor<4xf32>) {
  // expected-error @+2 {{batch_norm: var of shape 4 does not match data 2x3x4x4: expected one value per channel (3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.batch_norm %x, %c, %c, %c, %d {epsilon = 1.0e-05 : f32, batch_stats = false}
       : tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32> -> tensor<2x3x4x4xf32>
  return
}

// -----

func.func @batch_norm_stats_of_a_vector(%x: tensor<5xf32>) {
  // expected-error @+2 {{batch_norm_stats: expects data with a batch and a channel axis (n×c or n×c×h×w), got 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.batch_norm_stats %x : tensor<5xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @uniform_empty_range() {
  // expected-error @+2 {{random.uniform: low (2) must not exceed high (1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.random_uniform {shape = array<i64: 3>, low = 2.0 : f32, high = 1.0 : f32} : tensor<3xf32>
  return
}

// -----

func.func @reorder_to_an_unknown_layout(%x: tensor<1x16x4x4xf32>) {
  // expected-error @+2 {{reorder_activations: layout 4 is none of 0 (NCHW), 8 and 16 (channels blocked by 8 or 16)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reorder_activations %x {from = 16 : i64, to = 4 : i64} : tensor<1x16x4x4xf32> -> tensor<1x16x4x4xf32>
  return
}

// -----

func.func @reorder_of_channels_a_block_does_not_divide(%x: tensor<1x6x4x4xf32>) {
  // expected-error @+2 {{reorder_activations: 6 channels do not fill blocks of 8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reorder_activations %x {from = 8 : i64, to = 0 : i64} : tensor<1x6x4x4xf32> -> tensor<1x6x4x4xf32>
  return
}

// -----

func.func @packed_conv_result_blocked_by_16_with_8_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>,
                                                           %p: tensor<2320xf32>) {
  // expected-error @+2 {{conv2d_packed: 8 channels do not fill blocks of 16}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d_packed %x, %w, %p {strides = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>,
         groups = 1 : i64, result_layout = 16 : i64} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<2320xf32> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @packed_conv_with_an_unknown_activation(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %p: tensor<2320xf32>) {
  // expected-error @+2 {{conv2d_packed: activation "sigmoid" is neither "" nor "relu"}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d_packed %x, %w, %p {strides = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>,
         groups = 1 : i64, activation = "sigmoid"} : tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<2320xf32> -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @max_pool_blocked_by_8_with_6_channels(%x: tensor<1x6x4x4xf32>) {
  // expected-error @+2 {{max_pool2d: 6 channels do not fill blocks of 8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0>, layout = 8 : i64}
       : tensor<1x6x4x4xf32> -> tensor<1x6x2x2xf32>
  return
}

// -----

func.func @avg_pool_in_an_unknown_layout(%x: tensor<1x16x4x4xf32>) {
  // expected-error @+2 {{avg_pool2d: layout 4 is none of 0 (NCHW), 8 and 16 (channels blocked by 8 or 16)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.avg_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0>,
         count_include_pad = true, layout = 4 : i64} : tensor<1x16x4x4xf32> -> tensor<1x16x2x2xf32>
  return
}
