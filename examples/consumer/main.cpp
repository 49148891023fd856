// Embeds a DMEL layer in a user's own LibTorch model.
#include <tfgram/frontends/dmel.h>
#include <torch/torch.h>

#include <iostream>

struct NetImpl : torch::nn::Module {
  NetImpl()
      : dmel(register_module("spectrogram_layer",
                             tfgram::frontends::DMel(tfgram::frontends::DMelOptions(46.67, 8000).log(true)))),
        fc(register_module("fc", torch::nn::Linear(64 * 101, 10))) {}
  torch::Tensor forward(const torch::Tensor& audio) { return fc->forward(dmel->forward(audio).flatten(1)); }
  tfgram::frontends::DMel dmel;
  torch::nn::Linear fc;
};
TORCH_MODULE(Net);

int main() {
  Net net;
  const auto logits = net->forward(torch::randn({4, 8000}));
  logits.sum().backward();
  std::cout << "logits " << logits.sizes() << ", d/d lambda " << net->dmel->lambd.grad().item<double>() << "\n";
  return 0;
}
