"""The one lane painter (rows, geometry, axis, legend) behind the window and the slides."""
