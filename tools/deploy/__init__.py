"""Cross-build, emulate and deploy edgeaudio for Raspberry Pi and Jetson boards.

Run from the repository root as ``python -m tools.deploy COMMAND --help``.
Commands: build, test, wheel, sdist, count, push, presets. Every command
takes --dry-run, which prints the commands it would run and runs none.
"""
