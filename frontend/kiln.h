// The whole user API in one include.
#pragma once

#include "frontend/activation.h"
#include "frontend/autograd.h"
#include "frontend/block.h"
#include "frontend/control_flow.h"
#include "frontend/dense.h"
#include "frontend/initializer.h"
#include "frontend/loss.h"
#include "frontend/nd.h"
#include "frontend/ndarray.h"
#include "frontend/parameter.h"
#include "frontend/sequential.h"
#include "frontend/symbol_block.h"
#include "runtime/error.h"
