"""村务公开栏 (zwgk_desktop): a village's disclosure archive, standard board formats and A3 posters."""

__version__ = "0.1.0"
