// The whole user API in one include.
#pragma once

#include "frontend/nn/activation.h"
#include "frontend/autograd/autograd.h"
#include "frontend/nn/block.h"
#include "frontend/ops/control_flow.h"
#include "frontend/nn/dense.h"
#include "frontend/nn/initializer.h"
#include "frontend/loss/loss.h"
#include "frontend/nd.h"
#include "frontend/ndarray.h"
#include "frontend/nn/parameter.h"
#include "frontend/optimizer/optimizer.h"
#include "frontend/optimizer/trainer.h"
#include "frontend/nn/sequential.h"
#include "frontend/nn/symbol_block.h"
#include "runtime/error.h"
