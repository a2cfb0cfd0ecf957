"""Studio's video pack: text and image to video through diffusers' video pipelines."""
