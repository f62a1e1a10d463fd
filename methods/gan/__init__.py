"""Building blocks shared by the NetworkTrafficGAN samplers.

- ``nets``: generator and discriminator builders (the study's architecture, with
  optional conditioning, spectral norm and mixed output heads);
- ``transforms``: per-column encoders between table values and network space;
- ``training``: the training loop (BCE or WGAN-GP), seeding, device choice,
  validation-fidelity early stopping, the compact training record;
- ``records``: the JSON training record (``training_record()``);
- ``curves``: loss-curve PNGs.

Nothing here registers a sampler; the registered samplers are the modules
``methods.network_traffic_gan*``.
"""
