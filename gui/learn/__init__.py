"""The Learn tab: architectures as blocks, side by side, feature maps, the families."""
from .learn_tab import LearnTab

__all__ = ["LearnTab"]
