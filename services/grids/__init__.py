"""Browsing towns and grids (/grid): texts and what a viewer may see."""
