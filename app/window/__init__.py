"""The main window and its parts: actions and menus, layout, files, settings, replay,
presentation mode and the quiz."""
