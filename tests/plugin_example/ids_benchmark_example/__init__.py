"""An example third-party plugin package: one sampler, one detector."""
