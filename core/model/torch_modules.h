#pragma once
// The torch::nn module headers the model is built from (not forward declarations: full headers,
// precompiled for core; see core/CMakeLists.txt). Include it only where modules are defined.
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
