"""Studio's built-in writing pack (text generation with Hugging Face causal LMs).

``plugin`` is the cheap entry module read at discovery; ``generator`` and the
modules it uses import torch and transformers, and only on the first text job.
"""
