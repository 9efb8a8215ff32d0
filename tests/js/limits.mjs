// The server's default limits, as GET /api/v1/limits serves them (tests/api checks the same).
export const LIMITS = {
  max_layers: 10,
  max_neurons: 512,
  max_params: 100000,
  max_samples: 10000,
  activations: ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"],
  losses: ["squared_error", "mse", "cross_entropy", "binary_cross_entropy"],
};
