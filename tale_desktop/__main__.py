from tale_desktop.cli import main

# Guarded: a process the app spawns (a big import is read in one) imports this module again.
if __name__ == "__main__":
    raise SystemExit(main())
