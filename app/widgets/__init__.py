"""The widgets the window is made of: dials, lanes, metrics, code, replay bar, lesson panel."""
