// kiln::init: how Parameters get their first values (Gluon's mx.init).
// Threads: initialisers are immutable; fill() may run on several threads (draws are serialised).
#pragma once

#include <memory>
#include <string>

#include "frontend/ndarray.h"

namespace kiln::init {

class Initializer {
 public:
  virtual ~Initializer() = default;
  // Fills `data` (already shaped) for the parameter called `name`.
  virtual void fill(const std::string& name, NDArray& data) const = 0;
  virtual std::shared_ptr<const Initializer> clone() const = 0;
  virtual std::string str() const = 0;
};

// Shared clone() for every concrete initializer.
template <class Derived>
class InitializerBase : public Initializer {
 public:
  std::shared_ptr<const Initializer> clone() const override {
    return std::make_shared<Derived>(static_cast<const Derived&>(*this));
  }
};

// U(-scale, scale); MXNet's default initializer is Uniform(0.07).
class Uniform : public InitializerBase<Uniform> {
 public:
  explicit Uniform(float scale = 0.07f) : scale_(scale) {}
  void fill(const std::string& name, NDArray& data) const override;
  std::string str() const override;

 private:
  float scale_;
};

// N(0, sigma²).
class Normal : public InitializerBase<Normal> {
 public:
  explicit Normal(float sigma = 0.01f) : sigma_(sigma) {}
  void fill(const std::string& name, NDArray& data) const override;
  std::string str() const override;

 private:
  float sigma_;
};

// Glorot/Xavier: scale = sqrt(magnitude / factor), factor from fan-in and fan-out ("avg", "in",
// "out"); rnd_type "uniform" draws U(-scale, scale), "gaussian" draws N(0, scale²).
class Xavier : public InitializerBase<Xavier> {
 public:
  explicit Xavier(std::string rnd_type = "uniform", std::string factor_type = "avg", float magnitude = 3.f);
  void fill(const std::string& name, NDArray& data) const override;
  std::string str() const override;

 private:
  std::string rnd_type_, factor_type_;
  float magnitude_;
};

class Constant : public InitializerBase<Constant> {
 public:
  explicit Constant(float value) : value_(value) {}
  void fill(const std::string& name, NDArray& data) const override;
  std::string str() const override;

 private:
  float value_;
};

class Zero : public Constant {
 public:
  Zero() : Constant(0.f) {}
};
class One : public Constant {
 public:
  One() : Constant(1.f) {}
};

}  // namespace kiln::init
