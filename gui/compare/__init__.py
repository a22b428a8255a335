"""The comparison view: several backbones trained on the same images, side by side."""
