#include "examples/d2l_training.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <vector>

#include "runtime/file_io.h"

namespace kiln::examples {
namespace {

namespace data = kiln::gluon::data;

struct Epoch {
  double loss, train_acc, test_acc, seconds;
};

// The fraction of `iter`'s items that `net` classifies right (predict mode).
double evaluate_accuracy(nn::Block& net, data::DataLoader& iter) {
  metric::Accuracy acc;
  for (auto [X, y] : iter) acc.update(y, net(X));
  return acc.get().second;
}

// "epoch 3 [=========>          ] 117/235" on a terminal, rewritten in place.
void progress(int epoch, size_t done, size_t total) {
  constexpr int kWidth = 30;
  int filled = static_cast<int>(kWidth * done / total);
  std::printf("\repoch %d [%s%s] %zu/%zu", epoch, std::string(filled, '=').c_str(), std::string(kWidth - filled, ' ').c_str(),
              done, total);
  std::fflush(stdout);
}

// Loss and accuracies per epoch as polylines on one chart (accuracies and loss share 0..max).
std::string svg_plot(const std::vector<Epoch>& epochs) {
  const double w = 480, h = 320, left = 50, right = 130, top = 20, bottom = 40;
  double top_value = 1.0;
  for (const Epoch& e : epochs) top_value = std::max(top_value, e.loss);
  auto x = [&](size_t i) { return left + (epochs.size() > 1 ? (w - left - right) * i / (epochs.size() - 1) : 0.0); };
  auto y = [&](double v) { return top + (h - top - bottom) * (1 - v / top_value); };
  std::string out = fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"", w, "\" height=\"", h, "\" font-family=\"sans-serif\" font-size=\"12\">\n");
  out += fmt("<rect width=\"", w, "\" height=\"", h, "\" fill=\"white\"/>\n");
  out += fmt("<line x1=\"", left, "\" y1=\"", h - bottom, "\" x2=\"", w - right, "\" y2=\"", h - bottom, "\" stroke=\"black\"/>\n");
  out += fmt("<line x1=\"", left, "\" y1=\"", top, "\" x2=\"", left, "\" y2=\"", h - bottom, "\" stroke=\"black\"/>\n");
  for (double v = 0; v <= top_value + 1e-9; v += top_value / 4)
    out += fmt("<text x=\"", left - 8, "\" y=\"", y(v) + 4, "\" text-anchor=\"end\">", v, "</text>\n");
  for (size_t i = 0; i < epochs.size(); ++i)
    out += fmt("<text x=\"", x(i), "\" y=\"", h - bottom + 16, "\" text-anchor=\"middle\">", i + 1, "</text>\n");
  out += fmt("<text x=\"", (left + w - right) / 2, "\" y=\"", h - 8, "\" text-anchor=\"middle\">epoch</text>\n");
  struct Curve {
    const char* name;
    const char* color;
    double Epoch::*field;
  };
  Curve curves[] = {{"train loss", "#1f77b4", &Epoch::loss}, {"train acc", "#ff7f0e", &Epoch::train_acc},
                    {"test acc", "#2ca02c", &Epoch::test_acc}};
  for (size_t c = 0; c < 3; ++c) {
    std::string points;
    for (size_t i = 0; i < epochs.size(); ++i) points += fmt(x(i), ",", y(epochs[i].*curves[c].field), " ");
    out += fmt("<polyline fill=\"none\" stroke=\"", curves[c].color, "\" stroke-width=\"2\" points=\"", points, "\"/>\n");
    out += fmt("<text x=\"", w - right + 10, "\" y=\"", top + 16 * (c + 1), "\" fill=\"", curves[c].color, "\">",
               curves[c].name, "</text>\n");
  }
  return out + "</svg>\n";
}

}  // namespace

TrainSettings parse_flags(const std::string& program, int argc, char** argv, TrainSettings s) {
  auto usage = [&](const std::string& problem) {
    std::cerr << program << ": " << problem << "\nusage: " << program
              << " [--epochs N] [--batch-size B] [--lr LR] [--no-hybridize] [--compile-step] [--seed S] [--data DIR]"
                 " [--plot FILE] [--min-test-acc A]\n";
    std::exit(2);
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    try {
      if (arg == "--epochs") s.epochs = std::stoi(value());
      else if (arg == "--batch-size") s.batch_size = std::stoll(value());
      else if (arg == "--lr") s.lr = std::stof(value());
      else if (arg == "--no-hybridize") s.hybridize = false;
      else if (arg == "--compile-step") s.compile_step = true;
      else if (arg == "--seed") s.seed = std::stoull(value());
      else if (arg == "--data") s.data_dir = value();
      else if (arg == "--plot") s.plot = value();
      else if (arg == "--min-test-acc") s.min_test_acc = std::stod(value());
      else usage("unknown option " + arg);
    } catch (const std::logic_error&) {
      usage("bad value for " + arg);
    }
  }
  if (s.epochs <= 0) usage("--epochs must be positive");
  return s;
}

int train(const std::string& program, const std::function<std::shared_ptr<nn::Sequential>()>& make_net,
          const TrainSettings& s) {
  try {
    nd::random::seed(s.seed);
    auto to_tensor = std::make_shared<data::vision::transforms::ToTensor>();
    auto train_set = std::make_shared<data::vision::FashionMNIST>(s.data_dir, true)->transform_first(to_tensor);
    auto test_set = std::make_shared<data::vision::FashionMNIST>(s.data_dir, false)->transform_first(to_tensor);
    data::DataLoader train_iter(train_set, s.batch_size, {.shuffle = true});
    data::DataLoader test_iter(test_set, s.batch_size);

    std::shared_ptr<nn::Sequential> net_ptr = make_net();
    nn::Block& net = *net_ptr;
    loss::SoftmaxCrossEntropyLoss loss;
    if (s.hybridize) {
      net.hybridize();
      loss.hybridize();
    }
    gluon::Trainer trainer(net.collect_params(), optimizer::SGD{.learning_rate = s.lr});
    std::optional<gluon::CompiledStep> step;
    if (s.compile_step) step.emplace(trainer.compile_step(net, loss));

    bool terminal = isatty(fileno(stdout));
    std::vector<Epoch> epochs;
    for (int epoch = 1; epoch <= s.epochs; ++epoch) {
      auto start = std::chrono::steady_clock::now();
      metric::Loss train_loss;
      metric::Accuracy train_acc;
      size_t done = 0;
      for (auto [X, y] : train_iter) {
        if (step) {
          train_loss.update((*step)(X, y));
          train_acc.update(y, step->last_prediction());
        } else {
          NDArray y_hat, l;
          {
            auto rec = autograd::record();
            y_hat = net(X);
            l = loss(y_hat, y);
          }
          l.backward();
          trainer.step(X.shape()[0]);
          train_loss.update(l);
          train_acc.update(y, y_hat);
        }
        if (terminal && (++done % 8 == 0 || done == train_iter.size())) progress(epoch, done, train_iter.size());
      }
      double test_acc = evaluate_accuracy(net, test_iter);
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      epochs.push_back({train_loss.get().second, train_acc.get().second, test_acc, seconds});
      if (terminal) std::printf("\r\033[K");
      std::printf("epoch %d, loss %.4f, train acc %.3f, test acc %.3f, %.2f sec\n", epoch, epochs.back().loss,
                  epochs.back().train_acc, test_acc, seconds);
      std::fflush(stdout);
    }
    if (!s.plot.empty()) {
      file_io::write_atomically(s.plot, svg_plot(epochs), "plot");
      std::printf("plot: %s\n", s.plot.c_str());
    }
    if (s.min_test_acc > 0 && epochs.back().test_acc < s.min_test_acc) {
      std::fprintf(stderr, "%s: test accuracy %.3f is below the floor %.3f\n", program.c_str(), epochs.back().test_acc,
                   s.min_test_acc);
      return 1;
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), e.what());
    return 1;
  }
  return 0;
}

}  // namespace kiln::examples
