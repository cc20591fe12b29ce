// kiln-fuse-dense-activation: a relu after a oneDNN-sized fully_connected becomes its post-op;
// small products and shared results keep the separate relu.
// RUN: kiln-opt %s --kiln-fuse-dense-activation | FileCheck %s

// CHECK-LABEL: func @large
// CHECK: %[[Y:.*]] = kiln.fully_connected %{{.*}}, %{{.*}}, %{{.*}} {relu} : tensor<256x784xf32>
// CHECK-NOT: kiln.relu
// CHECK: return %[[Y]]
func.func @large(%x: tensor<256x784xf32>, %w: tensor<1024x784xf32>, %b: tensor<1024xf32>) -> tensor<256x1024xf32> {
  %0 = kiln.fully_connected %x, %w, %b : tensor<256x784xf32>, tensor<1024x784xf32>, tensor<1024xf32> -> tensor<256x1024xf32>
  %1 = kiln.relu %0 : tensor<256x1024xf32> -> tensor<256x1024xf32>
  return %1 : tensor<256x1024xf32>
}

// CHECK-LABEL: func @kept
// CHECK: kiln.fully_connected %{{.*}}, %{{.*}} : tensor<2x20xf32>
// CHECK: kiln.relu
// CHECK: %[[SHARED:.*]] = kiln.fully_connected %{{.*}}, %{{.*}} : tensor<256x784xf32>
// CHECK: kiln.relu %[[SHARED]]
func.func @kept(%x: tensor<2x20xf32>, %w: tensor<256x20xf32>, %big: tensor<256x784xf32>, %wb: tensor<1024x784xf32>)
    -> (tensor<2x256xf32>, tensor<256x1024xf32>, tensor<256x1024xf32>) {
  %0 = kiln.fully_connected %x, %w : tensor<2x20xf32>, tensor<256x20xf32> -> tensor<2x256xf32>
  %1 = kiln.relu %0 : tensor<2x256xf32> -> tensor<2x256xf32>
  %2 = kiln.fully_connected %big, %wb : tensor<256x784xf32>, tensor<1024x784xf32> -> tensor<256x1024xf32>
  %3 = kiln.relu %2 : tensor<256x1024xf32> -> tensor<256x1024xf32>
  return %1, %2, %3 : tensor<2x256xf32>, tensor<256x1024xf32>, tensor<256x1024xf32>
}
