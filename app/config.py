"""Settings, read from BACKPROP_VIZ_* environment variables; tests override get_settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BACKPROP_VIZ_")

    # size limits, all checked before any work starts
    max_layers: int = 10  # entries of layer_sizes, input layer included
    max_neurons: int = 512  # per layer
    max_params: int = 100_000  # weights and biases together
    max_samples: int = 10_000  # per request (inputs, test_inputs, dataset n + test)
    max_train_work: int = 2_000_000  # epochs x samples per train request
    max_trace_values: int = 1_000_000  # samples x neurons in a step/forward trace, grid x neurons
    max_gradcheck_work: int = 2_000_000  # parameters x samples per gradcheck
    max_body_bytes: int = 2 * 1024 * 1024


@lru_cache
def get_settings() -> Settings:
    return Settings()
