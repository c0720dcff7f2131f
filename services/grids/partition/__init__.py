"""`gridbot grids partition`: survey objects into level-3 grids, then staff onto them."""
